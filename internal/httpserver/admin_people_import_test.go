package httpserver_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

const staffHeader = "employee_id,email,first_name,last_name,department,job_title,location,manager_email,hire_date,status"

func staffCSV(rows ...string) string { return staffHeader + "\n" + strings.Join(rows, "\n") + "\n" }

// uploadStaff posts a staff file to the import page as a browser does.
func uploadStaff(t *testing.T, c *apptest.Client, name, csv string, deactivateMissing bool) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", c.CSRF())
	if deactivateMissing {
		_ = w.WriteField("deactivate_missing", "yes")
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(csv))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return send(t, c, accessRequest{Method: http.MethodPost, Path: "/admin/people/import", Body: accessBody{w.FormDataContentType(), body.String()}})
}

// stagedImport is a preview as the page shows it.
type stagedImport struct {
	URL, ApplyURL, Digest string
	Summary               string
	// Lists map a list ("added", "changed", "deactivated", "reactivated")
	// to its people's e-mails, and Fields "email field" to the new value.
	Lists  map[string][]string
	Counts map[string]int
	Fields map[string]string
}

// previewStaff uploads a file and reads its preview.
func previewStaff(t *testing.T, c *apptest.Client, csv string, deactivateMissing bool) stagedImport {
	t.Helper()
	loc := location(t, uploadStaff(t, c, "staff.csv", csv, deactivateMissing))
	return readPreview(t, c.Get(loc), loc)
}

func readPreview(t *testing.T, res *apptest.Response, url string) stagedImport {
	t.Helper()
	doc := learnerDoc(t, res)
	st := stagedImport{URL: url, Lists: map[string][]string{}, Counts: map[string]int{}, Fields: map[string]string{}}
	st.ApplyURL, _ = doc.Find(`[data-testid=apply-form]`).Attr("action")
	st.Digest, _ = doc.Find(`[data-testid=apply-form] input[name=plan]`).Attr("value")
	st.Summary = strings.TrimSpace(doc.Find(`[data-testid=import-summary]`).Text())
	for _, list := range []string{"added", "changed", "deactivated", "reactivated"} {
		sec := doc.Find(`[data-testid=import-` + list + `]`)
		if sec.Length() == 0 {
			continue
		}
		h := sec.Find("h2").Text()
		n, _ := strconv.Atoi(h[strings.LastIndex(h, "(")+1 : strings.LastIndex(h, ")")])
		st.Counts[list] = n
		sec.Find(`[data-testid=import-row]`).Each(func(_ int, row *goquery.Selection) {
			email := row.Find("th .hint").Text()
			st.Lists[list] = append(st.Lists[list], email)
			row.Find("li").Each(func(_ int, li *goquery.Selection) {
				field := li.Find("code").Text()
				text := li.Text()
				st.Fields[email+" "+field] = strings.Trim(strings.TrimSpace(text[strings.LastIndex(text, "→")+len("→"):]), "“”")
			})
		})
	}
	return st
}

// applyStaff posts the preview's Apply form.
func applyStaff(t *testing.T, c *apptest.Client, st stagedImport) *apptest.Response {
	t.Helper()
	if st.ApplyURL == "" {
		t.Fatal("the preview has no Apply button")
	}
	return c.Post(st.ApplyURL, url.Values{"plan": {st.Digest}})
}

// staffState is every employee by e-mail as a line of text.
func staffState(t *testing.T, env *apptest.Env) map[string]people.Employee {
	t.Helper()
	var all []people.Employee
	if err := env.App.DB.Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]people.Employee{}
	for _, e := range all {
		out[e.Email] = e
	}
	return out
}

// staffValue reads one of the import's fields off an employee.
func staffValue(byID map[string]people.Employee, e people.Employee, field string) string {
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	switch field {
	case people.ColumnEmployeeID:
		return deref(e.EmployeeNumber)
	case people.ColumnEmail:
		return e.Email
	case people.ColumnFirstName:
		return e.FirstName
	case people.ColumnLastName:
		return e.LastName
	case people.ColumnDepartment:
		return e.Department
	case people.ColumnJobTitle:
		return e.JobTitle
	case people.ColumnLocation:
		return e.Location
	case people.ColumnManagerEmail:
		if e.ManagerID == nil {
			return ""
		}
		return byID[*e.ManagerID].Email
	case people.ColumnHireDate:
		if e.HireDate == nil {
			return ""
		}
		return e.HireDate.UTC().Format(time.DateOnly)
	case people.ColumnTimeZone:
		return e.TimeZone
	case "role":
		return string(e.Role)
	}
	return "?" + field
}

func TestStaffImportPreviewEqualsWhatIsApplied(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	first := staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,",
		"E3,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,",
		"E4,ola@example.org,Ola,Orderly,Nursing,Orderly,North,mo@example.org,2022-01-10,",
		"E5,pia@example.org,Pia,Pharmacist,Pharmacy,Pharmacist,South,dana@example.org,2020-02-02,",
		"E8,rex@example.org,Rex,Returner,Nursing,Porter,North,,2019-05-05,inactive",
	)
	st := previewStaff(t, c, first, false)
	if st.Summary != "6 to add, 0 to change, 0 to deactivate, 0 to reactivate, 0 unchanged" {
		t.Fatalf("first preview: %q", st.Summary)
	}
	mustStatus(t, applyStaff(t, c, st), http.StatusOK)

	second := staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Chief Director,HQ,,2015-06-01,",          // job title changes
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,", // unchanged
		// E3 is missing: deactivated
		"E4,ola@example.org,Ola,Orderly,Nursing,Orderly,North,mo@example.org,2022-01-10,inactive",    // marked inactive
		"E5,pia.new@example.org,Pia,Pharmacist,Pharmacy,Pharmacist,South,mo@example.org,2020-02-02,", // e-mail and manager
		"E6,quin@example.org,Quin,Quartermaster,Stores,Lead,East,,2026-02-01,",                       // new, and a manager
		"E7,ray@example.org,Ray,Runner,Stores,Runner,East,quin@example.org,2026-02-15,",              // new
		"E8,rex@example.org,Rex,Returner,Nursing,Porter,North,,2019-05-05,active",                    // reactivated
	)
	before := staffState(t, env)
	st = previewStaff(t, c, second, true)
	wantLists := map[string][]string{
		"added":       {"quin@example.org", "ray@example.org"},
		"changed":     {"dana@example.org", "pia.new@example.org"},
		"deactivated": {"ola@example.org", "nia@example.org"},
		"reactivated": {"rex@example.org"},
	}
	for list, want := range wantLists {
		if strings.Join(st.Lists[list], " ") != strings.Join(want, " ") || st.Counts[list] != len(want) {
			t.Errorf("preview %s: %v (%d), want %v", list, st.Lists[list], st.Counts[list], want)
		}
	}
	if st.Summary != "2 to add, 2 to change, 2 to deactivate, 1 to reactivate, 1 unchanged" {
		t.Errorf("summary: %q", st.Summary)
	}
	if st.Fields["dana@example.org job_title"] != "Chief Director" || st.Fields["pia.new@example.org manager_email"] != "mo@example.org" {
		t.Errorf("field changes: %v", st.Fields)
	}
	if after := staffState(t, env); len(after) != len(before) {
		t.Fatal("the preview changed the employees")
	}

	res := applyStaff(t, c, st)
	mustStatus(t, res, http.StatusOK)
	if got := strings.Join(strings.Fields(learnerDoc(t, res).Find(`[data-testid=import-applied]`).Text()), " "); got != "staff.csv: 2 added, 2 changed, 2 deactivated, 1 reactivated, 1 unchanged." {
		t.Errorf("applied: %q", got)
	}

	// The database is now exactly what the preview said.
	after := staffState(t, env)
	byID := map[string]people.Employee{}
	for _, e := range after {
		byID[e.ID] = e
	}
	touched := map[string]bool{}
	for _, email := range st.Lists["added"] {
		touched[email] = true
		if _, was := before[email]; was {
			t.Errorf("%s was listed to add but existed", email)
		}
		if e, is := after[email]; !is || e.Status != people.StatusActive {
			t.Errorf("%s was not added", email)
		}
	}
	if len(after) != len(before)+len(st.Lists["added"]) {
		t.Errorf("%d employees after, %d before, %d added", len(after), len(before), len(st.Lists["added"]))
	}
	for key, want := range st.Fields {
		email, field, _ := strings.Cut(key, " ")
		touched[email] = true
		if got := staffValue(byID, after[email], field); got != want {
			t.Errorf("%s %s = %q, the preview said %q", email, field, got, want)
		}
	}
	for _, email := range st.Lists["deactivated"] {
		touched[email] = true
		if e := after[email]; e.Status != people.StatusInactive || e.DeactivatedAt == nil {
			t.Errorf("%s was not deactivated", email)
		}
	}
	for _, email := range st.Lists["reactivated"] {
		touched[email] = true
		if e := after[email]; e.Status != people.StatusActive || e.DeactivatedAt != nil {
			t.Errorf("%s was not reactivated", email)
		}
	}
	touched["pia@example.org"] = true // her old address
	for email, e := range before {
		if !touched[email] && !equalStaff(e, after[email]) {
			t.Errorf("%s changed but the preview did not list them:\n%+v\n%+v", email, e, after[email])
		}
	}

	// The rules followed: the new people have the course, the leavers'
	// cycles are closed.
	for email, wantOpen := range map[string]bool{"quin@example.org": true, "ray@example.org": true, "nia@example.org": false, "ola@example.org": false} {
		var open int64
		env.App.DB.Model(&compliance.Cycle{}).Where("employee_id = ? AND status = ?", after[email].ID, compliance.StatusOpen).Count(&open)
		if (open == 1) != wantOpen {
			t.Errorf("%s has %d open cycles", email, open)
		}
	}
	entries := peopleAudit(t, env, audit.ActionImport)
	if len(entries) != 2 || entries[1].ActorID != hr.ID ||
		entries[1].Summary != "Staff import of staff.csv on the HR import page: 2 added, 2 changed, 2 deactivated, 1 reactivated, 1 unchanged." {
		t.Errorf("audit entries: %+v", entries)
	}
	// The upload is gone: applying it again is refused.
	mustStatus(t, applyStaff(t, c, st), http.StatusNotFound)
	var kept int64
	env.App.DB.Table("staff_uploads").Count(&kept)
	if kept != 0 {
		t.Errorf("%d uploads kept after applying", kept)
	}
}

func equalStaff(a, b people.Employee) bool {
	text := func(e people.Employee) string {
		deref := func(s *string) string {
			if s == nil {
				return "<nil>"
			}
			return *s
		}
		return fmt.Sprintf("%s|%s|%s|%s %s|%s|%s|%s|%s|%v|%s|%s|%s|%v", e.ID, deref(e.EmployeeNumber), e.Email, e.FirstName, e.LastName,
			e.Department, e.JobTitle, e.Location, deref(e.ManagerID), e.HireDate, e.Status, e.TimeZone, e.Role, e.DeactivatedAt)
	}
	return text(a) == text(b)
}

func TestStaffImportOneBadRowBlocksTheFile(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	before := staffState(t, env)
	res := uploadStaff(t, c, "hr-export.csv", staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-31-03,",
		"E3,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,",
	), false)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc := learnerDoc(t, res)
	if got := strings.TrimSpace(doc.Find(`#staff-problems-title`).Text()); got != "hr-export.csv has 1 problem. Nothing was imported." {
		t.Errorf("problems title: %q", got)
	}
	var cells []string
	doc.Find(`[data-testid=import-problem] td`).Each(func(_ int, td *goquery.Selection) { cells = append(cells, td.Text()) })
	if len(cells) != 4 || cells[0] != "row 3" || cells[1] != "hire_date" || cells[2] != "2018-31-03" || !strings.Contains(cells[3], "YYYY-MM-DD") {
		t.Errorf("problem row: %q", cells)
	}
	peopleWantAccessible(t, doc)

	// A problem only the database shows (an unknown manager) blocks it too.
	res = uploadStaff(t, c, "hr-export.csv", staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,ghost@example.org,2018-03-15,",
	), false)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	cells = nil
	learnerDoc(t, res).Find(`[data-testid=import-problem] td`).Each(func(_ int, td *goquery.Selection) { cells = append(cells, td.Text()) })
	if len(cells) != 4 || cells[0] != "row 3" || cells[1] != "manager_email" {
		t.Errorf("problem row: %q", cells)
	}

	if after := staffState(t, env); len(after) != len(before) {
		t.Errorf("a refused file changed the employees: %d → %d", len(before), len(after))
	}
	var kept int64
	env.App.DB.Table("staff_uploads").Count(&kept)
	if kept != 0 {
		t.Errorf("%d refused uploads kept", kept)
	}
	if n := len(peopleAudit(t, env, audit.ActionImport)); n != 0 {
		t.Errorf("%d import audit entries", n)
	}
	// No file at all.
	res = c.Post("/admin/people/import", nil)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(learnerDoc(t, res).Find("#file-error").Text(), "Choose the staff CSV file") {
		t.Error("no error at the file input")
	}
}

func TestStaffImportRefusesAStalePreview(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	st := previewStaff(t, c, staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E2,mo@example.org,Mo,Manager,Nursing,Ward Manager,North,dana@example.org,2018-03-15,",
	), false)
	mustStatus(t, applyStaff(t, c, st), http.StatusOK)

	file := staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E2,mo@example.org,Mo,Manager,Nursing,Senior Ward Manager,North,dana@example.org,2018-03-15,",
		"E3,nia@example.org,Nia,Nurse,Nursing,Registered Nurse,North,mo@example.org,2021-09-01,",
	)
	st = previewStaff(t, c, file, false)
	if st.Summary != "1 to add, 1 to change, 0 to deactivate, 0 to reactivate, 1 unchanged" {
		t.Fatalf("preview: %q", st.Summary)
	}
	// Someone changes Dana by hand while the preview is open: the import
	// would now change her back, which the preview did not show.
	dana, err := env.App.People.ByEmail(t.Context(), "dana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"first_name": {"Dana"}, "last_name": {"Director"}, "email": {"dana@example.org"}, "employee_id": {"E1"},
		"department": {"Management"}, "job_title": {"Director"}, "location": {"West"}, "hire_date": {"2015-06-01"}, "role": {"manager"}}
	mustRedirect(t, c.Post("/admin/people/"+dana.ID+"/edit", form), "/admin/people/"+dana.ID+"?done=saved")

	res := applyStaff(t, c, st)
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "The staff list changed since you previewed") {
		t.Error("the refusal does not say why")
	}
	if _, err := env.App.People.ByEmail(t.Context(), "nia@example.org"); err == nil {
		t.Fatal("a stale preview was applied")
	}
	if n := len(peopleAudit(t, env, audit.ActionImport)); n != 1 {
		t.Errorf("%d import audit entries", n)
	}
	// The refusal shows the new preview; applying that works.
	fresh := readPreview(t, res, st.URL)
	if fresh.Summary != "1 to add, 2 to change, 0 to deactivate, 0 to reactivate, 0 unchanged" || fresh.Fields["dana@example.org location"] != "HQ" {
		t.Errorf("the fresh preview: %q %v", fresh.Summary, fresh.Fields)
	}
	mustStatus(t, applyStaff(t, c, fresh), http.StatusOK)
	if _, err := env.App.People.ByEmail(t.Context(), "nia@example.org"); err != nil {
		t.Error("the fresh preview was not applied")
	}
	if entries := peopleAudit(t, env, audit.ActionImport); len(entries) != 2 || entries[1].ActorID != hr.ID {
		t.Errorf("audit entries: %+v", entries)
	}

	// A change that does not alter the plan does not stop it.
	st = previewStaff(t, c, staffCSV(
		"E1,dana@example.org,Dana,Director,Management,Director,HQ,,2015-06-01,",
		"E4,ola@example.org,Ola,Orderly,Nursing,Orderly,North,,2022-01-10,",
	), false)
	peopleAdd(t, env, &people.Employee{Email: "unrelated@example.org", FirstName: "Una", LastName: "Related"})
	mustStatus(t, applyStaff(t, c, st), http.StatusOK)

	// A discarded upload is gone.
	loc := location(t, uploadStaff(t, c, "staff.csv", file, false))
	mustRedirect(t, c.Post(loc+"/discard", nil), "/admin/people/import")
	mustStatus(t, c.Get(loc), http.StatusNotFound)
}

func TestStaffImportUploadLimit(t *testing.T) {
	t.Parallel()
	_, _, c := peopleHR(t)
	big := staffHeader + "\n" + strings.Repeat("E1,a@example.org,A,B,C,D,E,,2020-01-01,\n", (21<<20)/40)
	res := uploadStaff(t, c, "huge.csv", big, false)
	mustStatus(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(res.Body, "That upload is too large") {
		t.Error("the 413 is not the error page")
	}
	// The import takes more than the 2 MiB other forms get: a 3 MiB file
	// is read (and refused for its duplicate rows, not its size).
	medium := staffHeader + "\n" + strings.Repeat("E1,a@example.org,A,B,C,D,E,,2020-01-01,\n", (3<<20)/40)
	mustStatus(t, uploadStaff(t, c, "medium.csv", medium, false), http.StatusUnprocessableEntity)
	// Other forms keep the 2 MiB limit.
	mustStatus(t, oversizedPost(t, c, "/admin/people", 3<<20), http.StatusRequestEntityTooLarge)
}
