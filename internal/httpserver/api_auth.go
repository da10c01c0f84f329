package httpserver

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/internal/apperr"
)

const apiTokenKey = "onramp.apitoken"

// apiTokenOf returns the token that authenticated the request; the routes
// behind requireToken always have one.
func apiTokenOf(c echo.Context) *apitoken.Token {
	if t, ok := c.Get(apiTokenKey).(*apitoken.Token); ok && t != nil {
		return t
	}
	return &apitoken.Token{}
}

// apiTokens is the token store over the server's database.
func (s *Server) apiTokens() *apitoken.Store { return s.APITokens }

// requireToken lets a request through when it carries a usable bearer token
// holding scope. No token, an unknown, revoked or expired one: 401 with a
// WWW-Authenticate challenge. A good token without the scope: 403, naming
// the scope (RFC 6750).
func (s *Server) requireToken(scope apitoken.Scope) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			auth := c.Request().Header.Get(echo.HeaderAuthorization)
			kind, secret, found := strings.Cut(auth, " ")
			if !found || !strings.EqualFold(kind, "Bearer") || strings.TrimSpace(secret) == "" {
				h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="onramp"`)
				return apperr.New(apperr.Unauthorized, "This API needs a token: send it as “Authorization: Bearer <token>”. HR creates tokens at /admin/tokens.")
			}
			tok, err := s.apiTokens().Authenticate(c.Request().Context(), strings.TrimSpace(secret), s.Clock.Now())
			if apperr.CodeOf(err) == apperr.Unauthorized {
				h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="onramp", error="invalid_token"`)
			}
			if err != nil {
				return err
			}
			if !tok.Has(scope) {
				h.Set(echo.HeaderWWWAuthenticate, `Bearer realm="onramp", error="insufficient_scope", scope="`+string(scope)+`"`)
				return apperr.New(apperr.Forbidden, "This token may not do this: it needs the scope "+string(scope)+".")
			}
			c.Set(apiTokenKey, tok)
			return next(c)
		}
	}
}

// apiActorName is how the audit trail names a change made through the API.
func apiActorName(t *apitoken.Token) string {
	return "API token “" + t.Name + "”"
}

// apiProblem is one thing wrong with a request, for a JSON error.
type apiProblem struct {
	// Index is the position of the item in the request's list (for a
	// batch), or absent.
	Index *int `json:"index,omitempty"`
	// EmployeeID is the item's employee_id, when it has one.
	EmployeeID string `json:"employee_id,omitempty"`
	Field      string `json:"field,omitempty"`
	Value      string `json:"value,omitempty"`
	Message    string `json:"message"`
}

// apiError is the body of every API error: a sentence, and the problems
// when there are several.
type apiError struct {
	Error    string       `json:"error"`
	Problems []apiProblem `json:"problems,omitempty"`
}
