package httpserver

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/scim"
)

// scimListUsers answers GET /scim/v2/Users.
func (s *Server) scimListUsers(c echo.Context) error {
	q, err := scim.ParseListQuery(c.QueryParam("filter"), c.QueryParam("startIndex"), c.QueryParam("count"))
	if err != nil {
		return err
	}
	res, err := s.scimService().List(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return scimJSON(c, http.StatusOK, res.Response(s.scimBase(c)))
}

// scimGetUser answers GET /scim/v2/Users/:id; 304 when If-None-Match
// names the current version.
func (s *Server) scimGetUser(c echo.Context) error {
	u, err := s.scimService().Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, strings.TrimPrefix(u.Version(), "W/")) {
		c.Response().Header().Set("ETag", u.Version())
		return c.NoContent(http.StatusNotModified)
	}
	return s.scimUser(c, http.StatusOK, u)
}

// scimCreateUser answers POST /scim/v2/Users: 201 with Location, also
// when an employee without a SCIM identity was taken over by their
// employeeNumber (see scim.Service.Create).
func (s *Server) scimCreateUser(c echo.Context) error {
	body, err := scim.DecodeDocument(scimBody(c).Body)
	if err != nil {
		return err
	}
	u, _, err := s.scimService().Create(c.Request().Context(), scimActor(c), body, s.Clock.Now())
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, u.Location(s.scimBase(c)))
	return s.scimUser(c, http.StatusCreated, u)
}

// scimReplaceUser answers PUT /scim/v2/Users/:id.
func (s *Server) scimReplaceUser(c echo.Context) error {
	body, err := scim.DecodeDocument(scimBody(c).Body)
	if err != nil {
		return err
	}
	u, err := s.scimService().Replace(c.Request().Context(), scimActor(c), c.Param("id"), body, c.Request().Header.Get("If-Match"), s.Clock.Now())
	if err != nil {
		return err
	}
	return s.scimUser(c, http.StatusOK, u)
}

// scimPatchUser answers PATCH /scim/v2/Users/:id.
func (s *Server) scimPatchUser(c echo.Context) error {
	req, err := scim.DecodePatch(scimBody(c).Body)
	if err != nil {
		return err
	}
	u, err := s.scimService().Patch(c.Request().Context(), scimActor(c), c.Param("id"), req, c.Request().Header.Get("If-Match"), s.Clock.Now())
	if err != nil {
		return err
	}
	return s.scimUser(c, http.StatusOK, u)
}

// scimDeleteUser answers DELETE /scim/v2/Users/:id: 204.
func (s *Server) scimDeleteUser(c echo.Context) error {
	err := s.scimService().Delete(c.Request().Context(), scimActor(c), c.Param("id"), c.Request().Header.Get("If-Match"), s.Clock.Now())
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// scimUser answers with one User and its ETag.
func (s *Server) scimUser(c echo.Context, status int, u *scim.User) error {
	c.Response().Header().Set("ETag", u.Version())
	return scimJSON(c, status, u.Resource(s.scimBase(c)))
}
