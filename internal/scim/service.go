package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// People is the use case every change to people goes through, whatever its
// source (people.Service): each call is one transaction carrying the
// validation, the assignment rules re-run, the report refresh, the audit
// entry and, for a leaver, the end of their sessions. SCIM's own writes
// (scim_users) join that transaction through people.Also, so every SCIM
// request that changes something is exactly one call, one transaction.
type People interface {
	Create(ctx context.Context, by people.Actor, d people.Details, now time.Time, opts ...people.Option) (*people.Employee, error)
	Update(ctx context.Context, by people.Actor, id string, d people.Details, now time.Time, opts ...people.Option) (*people.Employee, []people.FieldChange, error)
	Deactivate(ctx context.Context, by people.Actor, id string, now time.Time, opts ...people.Option) (*people.Employee, error)
	Details(ctx context.Context, id string) (*people.Employee, people.Details, error)
}

// Service answers SCIM's User operations. Reads go to the database;
// changes to people go through People.
type Service struct {
	DB     *db.DB
	People People
}

func (s *Service) store() *store { return &store{db: s.DB} }

// ListQuery is a list request's parameters (RFC 7644 §3.4.2).
type ListQuery struct {
	Filter Filter
	// StartIndex is 1-based; Count is how many to return.
	StartIndex int
	Count      int
}

// ParseListQuery reads filter, startIndex and count. A startIndex below 1
// is 1 and a negative count 0 (RFC 7644 §3.4.2.4); a count above
// MaxResults is lowered to it.
func ParseListQuery(filter, startIndex, count string) (ListQuery, error) {
	q := ListQuery{StartIndex: 1, Count: MaxResults}
	f, err := ParseFilter(filter)
	if err != nil {
		return q, err
	}
	q.Filter = f
	if startIndex = strings.TrimSpace(startIndex); startIndex != "" {
		n, ok := atoi(startIndex)
		if !ok {
			return q, BadRequest(TypeInvalidValue, "startIndex must be a whole number, not %s.", quote(startIndex))
		}
		q.StartIndex = max(n, 1)
	}
	if count = strings.TrimSpace(count); count != "" {
		n, ok := atoi(count)
		if !ok {
			return q, BadRequest(TypeInvalidValue, "count must be a whole number, not %s.", quote(count))
		}
		q.Count = min(max(n, 0), MaxResults)
	}
	return q, nil
}

func atoi(s string) (int, bool) {
	n := 0
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// ListResult is one page of Users.
type ListResult struct {
	Total      int64
	StartIndex int
	Users      []*User
}

// Response is the ListResponse body (RFC 7644 §3.4.2).
func (r *ListResult) Response(base string) document {
	resources := make([]any, len(r.Users))
	for i, u := range r.Users {
		resources[i] = u.Resource(base)
	}
	return document{
		"schemas":      []any{MessageListResponse},
		"totalResults": r.Total,
		"startIndex":   r.StartIndex,
		"itemsPerPage": len(r.Users),
		"Resources":    resources,
	}
}

// Get returns the User with the given id; 404 when there is none or it
// was deleted.
func (s *Service) Get(ctx context.Context, id string) (*User, error) {
	return s.store().get(ctx, id)
}

// List returns a page of the Users matching the query's filter.
func (s *Service) List(ctx context.Context, q ListQuery) (*ListResult, error) {
	st := s.store()
	res := &ListResult{StartIndex: q.StartIndex}
	var ids []string
	if q.Filter.Attr == "" {
		var err error
		if ids, res.Total, err = st.page(ctx, q.StartIndex, q.Count); err != nil {
			return nil, err
		}
	} else {
		all, err := st.find(ctx, q.Filter)
		if err != nil {
			return nil, err
		}
		res.Total = int64(len(all))
		if from := q.StartIndex - 1; from < len(all) {
			ids = all[from:min(len(all), from+q.Count)]
		}
	}
	users, err := st.byIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	res.Users = users
	return res, nil
}

// Create provisions a person from a POSTed User. When the employeeNumber
// is already an employee's who has no SCIM identity yet (HR imported them
// before the identity provider was connected) or whose identity was
// deleted (a returning employee), that employee is taken over, with their
// records, rather than a second one made; the employeeNumber is Onramp's
// immutable identifier, an e-mail address never is. The bool says whether
// a new employee was made.
func (s *Service) Create(ctx context.Context, by people.Actor, body map[string]any, now time.Time) (*User, bool, error) {
	in, err := decodeInput(body)
	if err != nil {
		return nil, false, err
	}
	if in.Active == nil {
		active := true
		in.Active = &active
	}
	st := s.store()
	var existing *people.Employee
	if in.EmployeeNumber != nil && *in.EmployeeNumber != "" {
		if existing, err = st.employeeBy(ctx, "employee_number", *in.EmployeeNumber); err != nil {
			return nil, false, err
		}
		if existing != nil {
			ident, err := st.identityOf(ctx, existing.ID)
			if err != nil {
				return nil, false, err
			}
			if ident != nil && ident.DeletedAt == nil {
				return nil, false, errorf(http.StatusConflict, TypeUniqueness,
					"employeeNumber %s already belongs to the user with id %s (userName %s).", quote(*in.EmployeeNumber), existing.ID, quote(ident.UserName))
			}
		}
	}
	if existing == nil {
		u, err := s.save(ctx, by, nil, in, now)
		return u, true, err
	}
	u, err := s.save(ctx, by, existing, in, now)
	return u, false, err
}

// Replace saves a PUT User over the resource id.
func (s *Service) Replace(ctx context.Context, by people.Actor, id string, body map[string]any, ifMatch string, now time.Time) (*User, error) {
	current, emp, err := s.current(ctx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	in, err := decodeInput(body)
	if err != nil {
		return nil, err
	}
	if err := checkID(body, current.ID); err != nil {
		return nil, err
	}
	return s.save(ctx, by, emp, in, now)
}

// Patch applies a PatchOp to the resource id.
func (s *Service) Patch(ctx context.Context, by people.Actor, id string, req *PatchRequest, ifMatch string, now time.Time) (*User, error) {
	current, emp, err := s.current(ctx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	attrs := current.attributes()
	patched, err := ApplyPatch(attrs, req.Operations)
	if err != nil {
		return nil, err
	}
	in, err := decodeInput(patched)
	if err != nil {
		return nil, err
	}
	// A PATCH that removes employeeNumber clears it; one that does not
	// mention it keeps it (decodeInput leaves it nil only when absent).
	if in.EmployeeNumber == nil {
		empty := ""
		in.EmployeeNumber = &empty
	}
	return s.save(ctx, by, emp, in, now)
}

// Delete deactivates the person (sessions ended at once, open cycles
// closed, every record kept) and hides them from SCIM: 404 from now on;
// both in one transaction.
func (s *Service) Delete(ctx context.Context, by people.Actor, id, ifMatch string, now time.Time) error {
	current, emp, err := s.current(ctx, id, ifMatch)
	if err != nil {
		return err
	}
	hide := func(tx *gorm.DB, _ *people.Employee) error { return markDeleted(tx, current, now) }
	if emp.Active() {
		_, err := s.People.Deactivate(ctx, by, id, now, people.Also(hide))
		if err == nil {
			return nil
		}
		if !errors.Is(err, people.ErrAlreadyInactive) {
			return domainError(err)
		}
	}
	// Inactive already: hiding them is the whole change.
	return hide(s.DB.WithContext(ctx), emp)
}

// current loads the resource a change applies to and checks If-Match.
func (s *Service) current(ctx context.Context, id, ifMatch string) (*User, *people.Employee, error) {
	u, err := s.store().get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := checkIfMatch(ifMatch, u.Version()); err != nil {
		return nil, nil, err
	}
	emp, err := s.store().employeeBy(ctx, "id", id)
	if err != nil {
		return nil, nil, err
	}
	if emp == nil {
		return nil, nil, NotFound(id)
	}
	return u, emp, nil
}

// checkIfMatch compares an If-Match header with the version: 412 when it
// names other versions (RFC 7644 §3.14, RFC 9110 §13.1.1).
func checkIfMatch(header, version string) error {
	header = strings.TrimSpace(header)
	if header == "" || header == "*" {
		return nil
	}
	weak := func(t string) string { return strings.TrimPrefix(strings.TrimSpace(t), "W/") }
	for _, t := range strings.Split(header, ",") {
		if weak(t) == weak(version) {
			return nil
		}
	}
	return errorf(http.StatusPreconditionFailed, "", "The user has changed since version %s; read it again and retry.", header)
}

// save writes in over emp (nil: a new person) through People, with the
// identity provider's names, in one transaction, and returns the User as
// stored.
func (s *Service) save(ctx context.Context, by people.Actor, emp *people.Employee, in Input, now time.Time) (*User, error) {
	if err := checkRequired(in); err != nil {
		return nil, err
	}
	st := s.store()
	exceptID := ""
	if emp != nil {
		exceptID = emp.ID
	}
	if holder, err := st.holderOfUserName(ctx, in.UserName, exceptID); err != nil {
		return nil, err
	} else if holder != "" {
		return nil, errorf(http.StatusConflict, TypeUniqueness, "The userName %s belongs to the user with id %s.", quote(in.UserName), holder)
	}
	if other, err := st.employeeBy(ctx, "email", people.NormalizeEmail(in.Email)); err != nil {
		return nil, err
	} else if other != nil && other.ID != exceptID {
		return nil, errorf(http.StatusConflict, TypeUniqueness, "The e-mail address %s belongs to the user with id %s.", quote(in.Email), other.ID)
	}
	if in.EmployeeNumber != nil && *in.EmployeeNumber != "" {
		if other, err := st.employeeBy(ctx, "employee_number", *in.EmployeeNumber); err != nil {
			return nil, err
		} else if other != nil && other.ID != exceptID {
			return nil, errorf(http.StatusConflict, TypeUniqueness, "employeeNumber %s belongs to the user with id %s.", quote(*in.EmployeeNumber), other.ID)
		}
	}

	// An HR admin's address is where their password-reset links go, and
	// HR admins may keep passwords when everyone else signs in through the
	// provider: a SCIM token must not be able to redirect it.
	if emp != nil && emp.Role == people.RoleHRAdmin && people.NormalizeEmail(in.Email) != emp.Email {
		return nil, errorf(http.StatusForbidden, "",
			"%s is an HR admin in Onramp: their e-mail address is changed by another HR admin in Onramp, not through SCIM. Keep %s in the provider, or ask HR.",
			emp.FullName(), quote(emp.Email))
	}
	d := people.Details{Role: people.RoleLearner}
	if emp != nil {
		var err error
		if _, d, err = s.People.Details(ctx, emp.ID); err != nil {
			return nil, domainError(err)
		}
	}
	d.Email, d.FirstName, d.LastName = in.Email, in.GivenName, in.FamilyName
	d.JobTitle, d.TimeZone, d.Department = in.Title, in.TimeZone, in.Department
	if in.EmployeeNumber != nil {
		d.EmployeeNumber = *in.EmployeeNumber
	}
	d.ManagerEmail = ""
	if in.Manager != "" {
		manager, err := s.manager(ctx, in.Manager)
		if err != nil {
			return nil, err
		}
		d.ManagerEmail = manager.Email
	}

	// One call, one transaction: the person's change, their status, the
	// manager's promotion and SCIM's names for them, or none of it.
	opts := []people.Option{
		people.PromoteManager(),
		people.Also(func(tx *gorm.DB, e *people.Employee) error {
			return saveIdentity(tx, e.ID, in.UserName, in.ExternalID, now)
		}),
	}
	if in.Active != nil {
		opts = append(opts, people.SetActive(*in.Active))
	}
	var err error
	if emp == nil {
		// A disabled account (SetActive(false)) is a starter before their
		// first day: no courses and no e-mail until the provider enables it.
		emp, err = s.People.Create(ctx, by, d, now, opts...)
	} else {
		emp, _, err = s.People.Update(ctx, by, emp.ID, d, now, opts...)
	}
	if err != nil {
		return nil, domainError(err)
	}
	return st.get(ctx, emp.ID)
}

// checkID refuses a PUT whose body names another resource's id (id is
// read-only; the same id, or none, is fine).
func checkID(body map[string]any, id string) error {
	v, _, ok := lookup(body, "id")
	if s, isString := v.(string); ok && isString && s != "" && s != id {
		return BadRequest(TypeMutability, "id is read-only: the body's id %s is not the address's %s.", quote(s), quote(id))
	}
	return nil
}

// checkRequired refuses a User without what Onramp needs of a person.
func checkRequired(in Input) error {
	switch {
	case in.UserName == "":
		return BadRequest(TypeInvalidValue, "userName is required.")
	case in.Email == "":
		return BadRequest(TypeInvalidValue, "Onramp needs an e-mail address: send emails with a work or primary value (or a userName that is one).")
	case in.GivenName == "" || in.FamilyName == "":
		return BadRequest(TypeInvalidValue, "Onramp needs name.givenName and name.familyName (or a displayName of two words or more).")
	}
	return nil
}

// manager finds the manager a request names: by SCIM id, or failing that
// by employeeNumber.
func (s *Service) manager(ctx context.Context, ref string) (*people.Employee, error) {
	st := s.store()
	m, err := st.employeeBy(ctx, "id", ref)
	if err == nil && m == nil {
		m, err = st.employeeBy(ctx, "employee_number", ref)
	}
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, BadRequest(TypeInvalidValue, "manager %s is not the id (or employeeNumber) of a user Onramp knows; provision the manager first.", quote(ref))
	}
	return m, nil
}

// scimNames maps the fields of a people.DetailsError to SCIM attributes.
var scimNames = map[string]string{
	people.ColumnFirstName: "name.givenName", people.ColumnLastName: "name.familyName", people.ColumnEmail: "emails",
	people.ColumnEmployeeID: "employeeNumber", people.ColumnDepartment: "department", people.ColumnJobTitle: "title",
	people.ColumnManagerEmail: "manager", people.ColumnTimeZone: "timezone", people.ColumnLocation: "location",
	people.ColumnHireDate: "hire date", people.FieldRole: "role",
}

// domainError turns what People refused into a SCIM error.
func domainError(err error) error {
	if de, ok := errors.AsType[*people.DetailsError](err); ok {
		var parts []string
		for _, f := range people.DetailsFields {
			if msg, ok := de.Fields[f]; ok {
				parts = append(parts, scimNames[f]+": "+msg)
			}
		}
		return BadRequest(TypeInvalidValue, "%s", strings.Join(parts, " "))
	}
	switch {
	case errors.Is(err, people.ErrNotFound):
		return errorf(http.StatusNotFound, "", "The user no longer exists.")
	case errors.Is(err, people.ErrLastHRAdmin):
		return errorf(http.StatusConflict, "", "This person is Onramp's only active HR admin; an HR admin must make someone else an HR admin before they can be deactivated.")
	}
	return fmt.Errorf("scim: %w", err)
}
