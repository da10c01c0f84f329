package httpserver

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// grantAttempts grants a person more attempts at one quiz: HR for anyone,
// a manager for their team (checked here, whatever the form says). 303
// back to the page the form came from; 422 with the form and the problem;
// 403 for anyone else (the person themself included).
//
//	POST /people/:id/attempts   course, module, step, extra, reason, back
func (s *Server) grantAttempts(c echo.Context) error {
	ctx := c.Request().Context()
	viewer := viewerOf(c).Employee
	personID := c.Param("id")
	ok, err := s.Learning.MayGrant(ctx, viewer, personID)
	if err != nil {
		return err
	}
	if !ok {
		return errNoAccess
	}
	person, err := s.People.ByID(ctx, personID)
	if err != nil {
		return err
	}
	back := grantBack(c.FormValue("back"), person.ID, viewer)
	g := learning.Grant{
		EmployeeID: person.ID, CourseID: c.FormValue("course"), ModuleID: c.FormValue("module"),
		StepID: c.FormValue("step"), Reason: c.FormValue("reason"),
	}
	extraText := strings.TrimSpace(c.FormValue("extra"))
	g.Extra, err = strconv.Atoi(extraText)
	if err != nil {
		g.Extra = 0
	}
	_, err = s.Learning.GrantAttempts(ctx, viewer, g)
	if p, ok := formProblem(err); ok {
		v := views.GrantFormView{
			PersonID: person.ID, PersonName: person.FullName(), Extra: extraText, Reason: c.FormValue("reason"),
			Back: back, Problem: p.Message, Field: p.Field,
			Item: views.StuckItem{CourseID: g.CourseID, CourseTitle: g.CourseID, ModuleID: g.ModuleID, ModuleTitle: g.ModuleID, StepID: g.StepID},
		}
		if course := s.Catalog.Course(g.CourseID); course != nil {
			v.Item.CourseTitle = course.Title
			if m := course.Module(g.ModuleID); m != nil {
				v.Item.ModuleTitle = m.Title
			}
		}
		noStore(c)
		return render(c, http.StatusUnprocessableEntity, views.GrantAttemptsPage(s.page(c, "Grant another attempt", ""), v))
	}
	if err != nil {
		return err
	}
	// An explicit fragment: the form posted to #error-summary, which a
	// redirect without one would carry over.
	return c.Redirect(http.StatusSeeOther, back+"?done=granted#main")
}

// grantBack is where a grant returns: the page it came from when that is
// the person's HR page (for HR) or progress page, else the one the viewer
// may see.
func grantBack(back, personID string, viewer *people.Employee) string {
	hrPage, progress := personURL(personID), progressURL(personID)
	switch {
	case back == hrPage && viewer.Can(people.RoleHRAdmin):
		return hrPage
	case back == progress:
		return progress
	case viewer.Can(people.RoleHRAdmin):
		return hrPage
	}
	return progress
}

// progressURL is a person's training progress page.
func progressURL(id string) string { return "/people/" + url.PathEscape(id) + "/progress" }

// stuckItems turns what learning found into the list the pages show.
func stuckItems(list []learning.StuckQuiz) []views.StuckItem {
	out := make([]views.StuckItem, 0, len(list))
	for _, q := range list {
		out = append(out, views.StuckItem{
			CourseID: q.CourseID, CourseTitle: q.CourseTitle, ModuleID: q.ModuleID, ModuleTitle: q.ModuleTitle,
			StepID: q.StepID, Used: q.Used,
		})
	}
	return out
}
