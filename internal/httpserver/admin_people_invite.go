package httpserver

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
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
		return echo.NewHTTPError(http.StatusConflict, emp.FullName()+" is inactive, so a link would not work. Reactivate them first.")
	}
	if !s.Config.PasswordAllowed(emp.Can(people.RoleHRAdmin)) {
		return echo.NewHTTPError(http.StatusConflict, emp.FullName()+" cannot sign in with a password (ONRAMP_PASSWORD_LOGIN is "+s.Config.PasswordLogin+"), so a set-password link would not work. They sign in with "+s.Config.OIDC.Name+".")
	}
	ctx, by := c.Request().Context(), peopleActor(c)
	var token string
	var expires time.Time
	queued := false
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		now := s.Clock.Now()
		var err error
		if token, expires, err = s.Auth.NewInvitation(tx, emp.ID); err != nil {
			return err
		}
		if s.Mail != nil {
			// A key of its own per link: a new link is a new message.
			key := notify.Key("employee-"+emp.ID, "", notify.KindInvitation, db.NewID())
			msg, err := s.Mail.ComposeInvitation(key,
				notify.Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
				notify.Invitation{Name: emp.FirstName, Email: emp.Email, Token: token, ExpiresAt: expires, InvitedBy: by.Name}, now)
			if err != nil {
				return err
			}
			if queued, err = notify.Enqueue(tx, msg); err != nil {
				return err
			}
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionInvite, EntityType: "employee", EntityID: emp.ID,
			Summary: "Sent a set-password link to " + emp.FullName() + " (" + emp.Email + ").",
			Details: map[string]any{"expires_at": expires.UTC(), "emailed": queued},
		})
	})
	if err != nil {
		return err
	}
	v := views.PersonInvitedView{
		ID: emp.ID, Name: emp.FullName(), Email: emp.Email, Link: s.inviteLink(token),
		Expires: formatMoment(expires), Queued: queued, SMTP: s.SMTPConfigured,
	}
	noStore(c)
	return render(c, http.StatusOK, views.AdminPersonInvited(s.page(c, "Set-password link for "+emp.FullName(), "admin"), v))
}

// inviteLink is the set-password page of a token, on the public address.
func (s *Server) inviteLink(token string) string {
	base := ""
	if s.Config.BaseURL != nil {
		base = strings.TrimSuffix(s.Config.BaseURL.String(), "/")
	}
	return base + notify.InvitePath + "/" + token
}
