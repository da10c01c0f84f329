package httpserver

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/learning"
)

// apiGrantInput is the body of POST /api/v1/employees/:employee_id/attempts.
type apiGrantInput struct {
	Course string `json:"course"`
	// Quiz is the ID of the module whose quiz it is; Step the quiz step's
	// ID when the module has more than one.
	Quiz   string `json:"quiz"`
	Step   string `json:"step"`
	Extra  int    `json:"extra"`
	Reason string `json:"reason"`
}

// apiGrant is a grant as the API returns it.
type apiGrant struct {
	ID         string    `json:"id"`
	EmployeeID string    `json:"employee_id"`
	Course     string    `json:"course"`
	Quiz       string    `json:"quiz"`
	Step       string    `json:"step"`
	Extra      int       `json:"extra"`
	Reason     string    `json:"reason"`
	CreatedAt  time.Time `json:"created_at"`
}

// apiGrantAttempts grants a person more attempts at one quiz of their
// current cycle of a course, as HR does on the person's page: audited under
// the token's name, and the person is e-mailed. 201 with the grant; 404 for
// an unknown employee_id; 422 naming the field for bad input.
func (s *Server) apiGrantAttempts(c echo.Context) error {
	var in apiGrantInput
	if err := apiDecode(c, &in); err != nil {
		return err
	}
	number := strings.TrimSpace(c.Param("employee_id"))
	emp, err := s.People.ByNumber(c.Request().Context(), number)
	if err != nil {
		return err
	}
	g, err := s.Learning.GrantAttempts(c.Request().Context(), nil, learning.Grant{
		EmployeeID: emp.ID, CourseID: strings.TrimSpace(in.Course), ModuleID: strings.TrimSpace(in.Quiz),
		StepID: strings.TrimSpace(in.Step), Extra: in.Extra, Reason: in.Reason, By: apiActorName(apiTokenOf(c)),
	})
	if p, ok := formProblem(err); ok {
		// In the API's words: the employee is their employee_id.
		if p.Field == "employee" {
			p.Field = "employee_id"
		}
		p.Key = number
		return apperr.InvalidInput(p.Message+" Nothing was changed.", p)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"grant": apiGrant{
		ID: g.ID, EmployeeID: number, Course: strings.TrimSpace(in.Course), Quiz: g.ModuleID, Step: g.StepID,
		Extra: g.Extra, Reason: g.Reason, CreatedAt: g.CreatedAt.UTC(),
	}})
}
