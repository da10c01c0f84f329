package httpserver

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
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
		return apperr.New(apperr.Conflict, emp.FullName()+" is inactive, so a link would not work. Reactivate them first.")
	}
	if !s.Config.PasswordAllowed(emp.Can(people.RoleHRAdmin)) {
		return apperr.New(apperr.Conflict, emp.FullName()+" cannot sign in with a password (ONRAMP_PASSWORD_LOGIN is "+s.Config.PasswordLogin+"), so a set-password link would not work. They sign in with "+s.Config.OIDC.Name+".")
	}
	ctx, by := c.Request().Context(), peopleActor(c)
	var token string
	var expires time.Time
	queued := false
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		token, expires, queued, err = s.invite(tx, emp, by)
		return err
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

// invite makes a new set-password link for emp (earlier unused links stop
// working), queues the e-mail that carries it and records it in the audit
// trail, inside tx.
func (s *Server) invite(tx *gorm.DB, emp *people.Employee, by people.Actor) (token string, expires time.Time, queued bool, err error) {
	now := s.Clock.Now()
	if token, expires, err = s.Auth.NewInvitation(tx, emp.ID); err != nil {
		return "", time.Time{}, false, err
	}
	if s.Mail != nil {
		// A key of its own per link: a new link is a new message.
		key := notify.Key("employee-"+emp.ID, "", notify.KindInvitation, db.NewID())
		msg, err := s.Mail.ComposeInvitation(key,
			notify.Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
			notify.Invitation{Name: emp.FirstName, Email: emp.Email, Token: token, ExpiresAt: expires, InvitedBy: by.Name}, now)
		if err != nil {
			return "", time.Time{}, false, err
		}
		if queued, err = notify.Enqueue(tx, msg); err != nil {
			return "", time.Time{}, false, err
		}
	}
	err = audit.Record(tx, audit.Event{
		At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionInvite, EntityType: "employee", EntityID: emp.ID,
		Summary: "Sent a set-password link to " + emp.FullName() + " (" + emp.Email + ").",
		Details: map[string]any{"expires_at": expires.UTC(), "emailed": queued},
	})
	return token, expires, queued, err
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
	ctx, by := c.Request().Context(), peopleActor(c)
	var emps []people.Employee
	if err := s.DB.WithContext(ctx).Where("id IN ?", ids).Order("last_name, first_name, id").Find(&emps).Error; err != nil {
		return err
	}
	if len(emps) == 0 {
		v.Problem = "None of the selected people exist any more. Reload the People list and select again."
		return render(c, http.StatusUnprocessableEntity, views.AdminPeopleBulkInvited(s.page(c, "Error: No links sent", "admin"), v))
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		v.Invited, v.Skipped = nil, nil
		for i := range emps {
			emp := &emps[i]
			if !emp.Active() {
				v.Skipped = append(v.Skipped, emp.FullName())
				continue
			}
			if _, _, _, err := s.invite(tx, emp, by); err != nil {
				return err
			}
			v.Invited = append(v.Invited, emp.FullName())
		}
		return nil
	})
	if err != nil {
		return err
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
