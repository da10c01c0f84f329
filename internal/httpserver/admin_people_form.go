package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// adminPersonNew is the empty add form.
func (s *Server) adminPersonNew(c echo.Context) error {
	v := views.PersonFormView{Values: views.PersonFormValues{Role: string(people.RoleLearner)}}
	return s.renderPersonForm(c, http.StatusOK, v)
}

// adminPersonCreate adds a person: 303 to their page, or the form again
// with what to fix (422).
func (s *Server) adminPersonCreate(c echo.Context) error {
	d := detailsFromForm(c)
	emp, err := s.Staff.Create(c.Request().Context(), peopleActor(c), d, s.Clock.Now())
	if problems, ok := formProblems(err); ok {
		return s.renderPersonForm(c, http.StatusUnprocessableEntity, views.PersonFormView{Values: formValues(d), Problems: problems})
	}
	if err != nil {
		return err
	}
	return redirectSeeOther(c, personURL(emp.ID)+"?done=added")
}

// adminPersonEdit is the edit form, filled in with the person's details.
func (s *Server) adminPersonEdit(c echo.Context) error {
	emp, d, err := s.Staff.Details(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderPersonForm(c, http.StatusOK, views.PersonFormView{ID: emp.ID, Name: emp.FullName(), Values: formValues(d)})
}

// adminPersonUpdate saves the edit form: 303 to the person's page, or the
// form again with what to fix (422).
func (s *Server) adminPersonUpdate(c echo.Context) error {
	emp, err := s.personFromPath(c)
	if err != nil {
		return err
	}
	d := detailsFromForm(c)
	_, changes, err := s.Staff.Update(c.Request().Context(), peopleActor(c), emp.ID, d, s.Clock.Now())
	if problems, ok := formProblems(err); ok {
		v := views.PersonFormView{ID: emp.ID, Name: emp.FullName(), Values: formValues(d), Problems: problems}
		return s.renderPersonForm(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	done := "saved"
	if len(changes) == 0 {
		done = "unchanged"
	}
	return redirectSeeOther(c, personURL(emp.ID)+"?done="+done)
}

// renderPersonForm shows the add or edit form with the departments and job
// titles in use as suggestions.
func (s *Server) renderPersonForm(c echo.Context, status int, v views.PersonFormView) error {
	choices, err := s.People.DirectoryChoices(c.Request().Context())
	if err != nil {
		return err
	}
	v.Departments, v.JobTitles = choices.Departments, choices.JobTitles
	title := "Add a person"
	if v.ID != "" {
		title = "Edit " + v.Name
	}
	if len(v.Problems) > 0 {
		title = "Error: " + title
	}
	noStore(c)
	return render(c, status, views.AdminPersonForm(s.page(c, title, "admin"), v))
}

// detailsFromForm reads the add and edit forms; the field names are the
// staff CSV's columns.
func detailsFromForm(c echo.Context) people.Details {
	return people.Details{
		EmployeeNumber: c.FormValue(people.ColumnEmployeeID),
		Email:          c.FormValue(people.ColumnEmail),
		FirstName:      c.FormValue(people.ColumnFirstName),
		LastName:       c.FormValue(people.ColumnLastName),
		Department:     c.FormValue(people.ColumnDepartment),
		JobTitle:       c.FormValue(people.ColumnJobTitle),
		Location:       c.FormValue(people.ColumnLocation),
		ManagerEmail:   c.FormValue(people.ColumnManagerEmail),
		HireDate:       c.FormValue(people.ColumnHireDate),
		TimeZone:       c.FormValue(people.ColumnTimeZone),
		Role:           people.Role(c.FormValue(people.FieldRole)),
	}
}

func formValues(d people.Details) views.PersonFormValues {
	return views.PersonFormValues{
		EmployeeNumber: d.EmployeeNumber, Email: d.Email, FirstName: d.FirstName, LastName: d.LastName,
		Department: d.Department, JobTitle: d.JobTitle, Location: d.Location, ManagerEmail: d.ManagerEmail,
		HireDate: d.HireDate, TimeZone: d.TimeZone, Role: string(d.Role),
	}
}

// formProblems lists the field problems of an Invalid error (a
// people.DetailsError lists them in the form's order); ok is false for any
// other error.
func formProblems(err error) (out []views.PersonFormProblem, ok bool) {
	problems, _, ok := invalidProblems(err)
	for _, p := range problems {
		out = append(out, views.PersonFormProblem{Field: p.Field, Message: p.Message})
	}
	return out, ok
}
