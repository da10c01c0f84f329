package httpserver

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/web/views"
)

// render writes a templ component as the response. The component renders to
// a buffer first so a failure half-way becomes a clean 500 page, not half a page.
func render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the layout's view model for the current request.
func (s *Server) page(c echo.Context, title, nav string) views.Page {
	v := viewerOf(c)
	p := views.Page{Title: title, CSRF: v.CSRFToken, Demo: s.Config.Demo, Nav: nav, Wide: nav == "admin" || nav == "team",
		Org: s.Config.OrgName, OrgLogo: len(s.OrgLogo) > 0}
	if e := v.Employee; e != nil {
		p.User = &views.User{ID: e.ID, Name: e.FullName(), IsManager: e.Role == "manager" || e.Role == "hr_admin", IsHR: e.Role == "hr_admin"}
	}
	return p
}

// redirectSeeOther sends the browser to url after a POST.
func redirectSeeOther(c echo.Context, url string) error {
	return c.Redirect(http.StatusSeeOther, url)
}

// pagePosition reads a list page's position from its link: ?after= (the
// page after the item) or else ?before= (the page before it), each parsed
// by the list's own parse, whose error is the response; neither is the
// list's start.
func pagePosition[P any](c echo.Context, parse func(string) (P, error)) (after, before *P, err error) {
	for _, p := range []struct {
		name string
		to   **P
	}{{"after", &after}, {"before", &before}} {
		if raw := c.QueryParam(p.name); raw != "" {
			pos, err := parse(raw)
			if err != nil {
				return nil, nil, err
			}
			*p.to = &pos
			return after, before, nil
		}
	}
	return nil, nil, nil
}
