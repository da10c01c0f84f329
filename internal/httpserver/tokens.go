package httpserver

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apitoken"
	"github.com/onramp-lms/onramp/web/views"
)

const tokenStamp = "2 Jan 2006 15:04 UTC"

// adminTokens lists the API tokens with the form to create one.
func (s *Server) adminTokens(c echo.Context) error {
	v := views.TokensView{}
	return s.renderTokens(c, http.StatusOK, v, nil)
}

// adminTokenCreate creates a token and shows its secret on the page it
// answers with: the one time anyone sees it. The page is not cached.
func (s *Server) adminTokenCreate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return errUnreadableRequest
	}
	v := views.TokensView{Name: form.Get("name"), Expires: strings.TrimSpace(form.Get("expires_at")), Errors: map[string]string{}}
	nt := apitoken.NewToken{Name: v.Name}
	chosen := map[string]bool{}
	for _, raw := range form["scope"] {
		sc, ok := apitoken.ParseScope(raw)
		if !ok {
			v.Errors["scopes"] = "Choose scopes from the list."
			continue
		}
		chosen[string(sc)] = true
		nt.Scopes = append(nt.Scopes, sc)
	}
	if v.Expires != "" {
		d, err := time.Parse(time.DateOnly, v.Expires)
		if err != nil {
			v.Errors["expires_at"] = "The expiry is not a date; use YYYY-MM-DD, or leave it empty."
		} else {
			// The token works through the whole day chosen.
			end := d.AddDate(0, 0, 1)
			nt.ExpiresAt = &end
		}
	}
	if len(v.Errors) == 0 {
		me := viewerOf(c).Employee
		tok, secret, err := s.apiTokens().Create(c.Request().Context(), nt, apitoken.Actor{ID: me.ID, Name: me.FullName()}, s.Clock.Now())
		p, invalid := formProblem(err)
		switch {
		case invalid:
			v.Errors[p.Field] = p.Message
		case err != nil:
			return err
		default:
			created := views.TokensView{NewSecret: secret, NewName: tok.Name}
			if tok.Has(apitoken.ScopeSCIM) {
				created.SCIMBase = s.scimBase(c)
			}
			return s.renderTokens(c, http.StatusOK, created, nil)
		}
	}
	return s.renderTokens(c, http.StatusUnprocessableEntity, v, chosen)
}

// adminTokenRevoke stops a token from working.
func (s *Server) adminTokenRevoke(c echo.Context) error {
	me := viewerOf(c).Employee
	_, err := s.apiTokens().Revoke(c.Request().Context(), c.Param("id"), apitoken.Actor{ID: me.ID, Name: me.FullName()}, s.Clock.Now())
	if err != nil {
		return err
	}
	return redirectSeeOther(c, "/admin/tokens")
}

func (s *Server) renderTokens(c echo.Context, status int, v views.TokensView, chosen map[string]bool) error {
	tokens, err := s.apiTokens().List(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	for _, t := range tokens {
		row := views.TokenRow{
			ID: t.ID, Name: t.Name, Prefix: t.Prefix, Created: t.CreatedAt.UTC().Format(tokenStamp),
			CreatedBy: t.CreatedByName, State: "active", Active: t.Usable(now),
		}
		if row.CreatedBy == "" {
			row.CreatedBy = "the command line"
		}
		for _, sc := range t.ScopeList() {
			row.Scopes = append(row.Scopes, string(sc))
		}
		if t.LastUsedAt != nil {
			row.LastUsed = t.LastUsedAt.UTC().Format(tokenStamp)
		}
		if t.ExpiresAt != nil {
			row.Expires = t.ExpiresAt.UTC().Format(tokenStamp)
		}
		switch {
		case t.Revoked():
			row.State, row.Ended = "revoked", t.RevokedAt.UTC().Format(tokenStamp)
			if t.RevokedByName != "" {
				row.Ended += " by " + t.RevokedByName
			}
		case t.Expired(now):
			row.State, row.Ended = "expired", t.ExpiresAt.UTC().Format(tokenStamp)
		}
		v.Rows = append(v.Rows, row)
	}
	for _, sc := range apitoken.Scopes {
		v.Scopes = append(v.Scopes, views.TokenScopeOption{Value: string(sc.Scope), Description: sc.Description, Checked: chosen[string(sc.Scope)]})
	}
	if s.Config.BaseURL != nil {
		v.APIBase = strings.TrimSuffix(s.Config.BaseURL.String(), "/") + "/api/v1"
	}
	noStore(c)
	return render(c, status, views.AdminTokens(s.page(c, "API tokens", "admin"), v))
}
