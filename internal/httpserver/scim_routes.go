package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/scim"
)

// scimRoutes: SCIM 2.0 provisioning for identity providers (package scim
// holds the protocol; these handlers only carry HTTP). Every route needs a
// bearer token with the scim scope; answers and errors are
// application/scim+json, errors in RFC 7644 §3.12's format.
//
//	GET    /scim/v2/ServiceProviderConfig  what the service supports
//	GET    /scim/v2/ResourceTypes          the User resource type (and /ResourceTypes/User)
//	GET    /scim/v2/Schemas                the User and enterprise schemas (and /Schemas/:id)
//	GET    /scim/v2/Users                  list: filter (attr eq "value"), startIndex, count
//	POST   /scim/v2/Users                  provision a person: 201
//	GET    /scim/v2/Users/:id              one person: 200; 404 when unknown or deleted
//	PUT    /scim/v2/Users/:id              replace: 200
//	PATCH  /scim/v2/Users/:id              PatchOp: 200
//	DELETE /scim/v2/Users/:id              deactivate and hide (records kept): 204
func (s *Server) scimRoutes(e *echo.Echo) {
	g := e.Group(scimBasePath, s.scimErrors, s.requireSCIMToken)
	g.GET("/ServiceProviderConfig", s.scimServiceProviderConfig)
	g.GET("/ResourceTypes", s.scimResourceTypes)
	g.GET("/ResourceTypes/:id", s.scimResourceType)
	g.GET("/Schemas", s.scimSchemas)
	g.GET("/Schemas/:id", s.scimSchema)
	g.GET("/Users", s.scimListUsers)
	g.POST("/Users", s.scimCreateUser)
	g.GET("/Users/:id", s.scimGetUser)
	g.PUT("/Users/:id", s.scimReplaceUser)
	g.PATCH("/Users/:id", s.scimPatchUser)
	g.DELETE("/Users/:id", s.scimDeleteUser)
}

// scimBasePath is where SCIM is served.
const scimBasePath = "/scim/v2"

// isSCIM reports whether the request is for SCIM: bearer tokens, no
// cookies, no CSRF token.
func isSCIM(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == scimBasePath || strings.HasPrefix(p, scimBasePath+"/")
}

// scimBase is the SCIM base URL, for meta.location.
func (s *Server) scimBase(c echo.Context) string {
	if s.Config.BaseURL != nil {
		return strings.TrimSuffix(s.Config.BaseURL.String(), "/") + scimBasePath
	}
	return c.Scheme() + "://" + c.Request().Host + scimBasePath
}

// scimService is package scim over the people use case (people.Service),
// the one HR's pages, the staff import and the API go through; package app
// builds it.
func (s *Server) scimService() *scim.Service { return s.SCIM }

// scimActor is how the audit trail names a change a SCIM token made.
func scimActor(c echo.Context) people.Actor {
	return people.Actor{Name: "SCIM token “" + apiTokenOf(c).Name + "”"}
}

// scimJSON answers with a SCIM body.
func scimJSON(c echo.Context, status int, body any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return err
	}
	return c.Blob(status, scim.ContentType, buf.Bytes())
}

// scimErrors answers every failure under /scim/v2 in SCIM's error format,
// the router's own 404 and 405 included.
func (s *Server) scimErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var se *scim.Error
		if he, ok := errors.AsType[*echo.HTTPError](err); ok {
			detail, _ := he.Message.(string)
			if detail == "" || detail == http.StatusText(he.Code) {
				detail = scimStatusDetail(he.Code)
			}
			se = &scim.Error{Status: he.Code, Detail: detail}
		} else {
			se = scim.ErrorOf(err)
		}
		if se.Status >= 500 {
			s.Log.Error("SCIM request failed", "method", c.Request().Method, "path", c.Path(), "error", err.Error())
		}
		return scimJSON(c, se.Status, se)
	}
}

func scimStatusDetail(status int) string {
	switch status {
	case http.StatusNotFound:
		return "There is nothing at this address; Onramp serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas."
	case http.StatusMethodNotAllowed:
		return "This address does not take this method."
	}
	return http.StatusText(status)
}

// requireSCIMToken lets a request through when it carries a usable bearer
// token with the scim scope: 401 without one (or with an unknown, revoked
// or expired one), 403 for a token without the scope (RFC 6750).
func (s *Server) requireSCIMToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		kind, secret, found := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		secret = strings.TrimSpace(secret)
		if !found || !strings.EqualFold(kind, "Bearer") || secret == "" {
			h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="onramp-scim"`)
			return &scim.Error{Status: http.StatusUnauthorized, Detail: "SCIM needs a token with the scim scope, sent as “Authorization: Bearer <token>”. HR creates one at /admin/tokens, or run onramp tokens create --scope scim."}
		}
		tok, err := s.apiTokens().Authenticate(c.Request().Context(), secret, s.Clock.Now())
		if errors.Is(err, apitoken.ErrInvalid) {
			h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="onramp-scim", error="invalid_token"`)
			return &scim.Error{Status: http.StatusUnauthorized, Detail: "The token is not valid: it is unknown, revoked or expired."}
		}
		if err != nil {
			return err
		}
		if !tok.Has(apitoken.ScopeSCIM) {
			h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="onramp-scim", error="insufficient_scope", scope="scim"`)
			return &scim.Error{Status: http.StatusForbidden, Detail: "This token may not provision people: SCIM needs a token with the scim scope."}
		}
		c.Set(apiTokenKey, tok)
		noStore(c)
		return next(c)
	}
}

// scimBody limits the request body to what SCIM accepts.
func scimBody(c echo.Context) *http.Request {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, scim.MaxBodyBytes)
	return r
}
