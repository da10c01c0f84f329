package httpserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// adminPersonInvite makes a new set-password link for the person (earlier
// unused links stop working), queues the e-mail that carries it and records
// it in the audit trail, in one transaction. The link is shown once on the
// page too: e-mail may not be configured, and the token is not kept.
func (s *Server) adminPersonInvite(c echo.Context) error {
	emp, err := s.personFromPath(c)
	if err != nil {
		return err
	}
	if !emp.Active() {
		return apperr.New(apperr.Conflict, emp.FullName()+" is inactive, so a link would not work. Reactivate them first.")
	}
	if !s.Config.PasswordAllowed(emp.Can(people.RoleHRAdmin)) {
		return apperr.New(apperr.Conflict, emp.FullName()+" cannot sign in with a password (ONRAMP_PASSWORD_LOGIN is "+s.Config.PasswordLogin+"), so a set-password link would not work. They sign in with "+s.Config.OIDC.Name+".")
	}
	inv, err := s.Accounts.Invite(c.Request().Context(), emp, peopleActor(c))
	if err != nil {
		return err
	}
	v := views.PersonInvitedView{
		ID: emp.ID, Name: emp.FullName(), Email: emp.Email, Link: s.inviteLink(inv.Token),
		Expires: formatMoment(inv.ExpiresAt), Queued: inv.Queued, SMTP: s.SMTPConfigured,
	}
	noStore(c)
	return render(c, http.StatusOK, views.AdminPersonInvited(s.page(c, "Set-password link for "+emp.FullName(), "admin"), v))
}

// maxBulkInvite bounds one selection: two pages of the People list.
const maxBulkInvite = 100

// adminPeopleBulkInvite sends a set-password link to each selected active
// person, through the outbox, each audited, in one transaction. The links
// are not shown: they are in the e-mails (and the outbox).
func (s *Server) adminPeopleBulkInvite(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Malformed, "The form could not be read.")
	}
	ids := form["id"]
	v := views.BulkInvitedView{SMTP: s.SMTPConfigured}
	switch {
	case len(ids) == 0:
		v.Problem = "Select at least one person on the People list, then send the links."
	case len(ids) > maxBulkInvite:
		v.Problem = fmt.Sprintf("Select at most %d people at a time; you selected %d.", maxBulkInvite, len(ids))
	}
	if v.Problem != "" {
		return render(c, http.StatusUnprocessableEntity, views.AdminPeopleBulkInvited(s.page(c, "Error: No links sent", "admin"), v))
	}
	v.Invited, v.Skipped, err = s.Accounts.InviteMany(c.Request().Context(), ids, peopleActor(c))
	if err != nil {
		return err
	}
	if len(v.Invited) == 0 && len(v.Skipped) == 0 {
		v.Problem = "None of the selected people exist any more. Reload the People list and select again."
		return render(c, http.StatusUnprocessableEntity, views.AdminPeopleBulkInvited(s.page(c, "Error: No links sent", "admin"), v))
	}
	noStore(c)
	return render(c, http.StatusOK, views.AdminPeopleBulkInvited(s.page(c, "Set-password links sent", "admin"), v))
}

// inviteLink is the set-password page of a token, on the public address.
func (s *Server) inviteLink(token string) string {
	base := ""
	if s.Config.BaseURL != nil {
		base = strings.TrimSuffix(s.Config.BaseURL.String(), "/")
	}
	return base + notify.InvitePath + "/" + token
}
