package account

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// Service sends and accepts set-password links.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	Auth  *auth.Service
	// Mail composes the e-mails; nil queues none (the link is still made).
	Mail *notify.Renderer
}

// Invitation is a set-password link HR made: the token is shown once and
// never kept; Queued says whether an e-mail carrying it was queued.
type Invitation struct {
	Token     string
	ExpiresAt time.Time
	Queued    bool
}

// Invite makes a new set-password link for emp (earlier unused links stop
// working), queues the e-mail that carries it and records it in the audit
// trail, in one transaction.
func (s *Service) Invite(ctx context.Context, emp *people.Employee, by people.Actor) (Invitation, error) {
	var inv Invitation
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		inv, err = s.invite(tx, emp, by)
		return err
	})
	return inv, err
}

// InviteMany sends a set-password link to each of the people with the
// given IDs who is active, each e-mailed and audited, in one transaction.
// It returns the names of those invited and of those skipped (inactive),
// in name order; IDs nobody has are left out, so both are empty when none
// exists.
func (s *Service) InviteMany(ctx context.Context, ids []string, by people.Actor) (invited, skipped []string, err error) {
	var emps []people.Employee
	if err := s.DB.WithContext(ctx).Where("id IN ?", ids).Order("last_name, first_name, id").Find(&emps).Error; err != nil {
		return nil, nil, err
	}
	if len(emps) == 0 {
		return nil, nil, nil
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		invited, skipped = nil, nil
		for i := range emps {
			emp := &emps[i]
			if !emp.Active() {
				skipped = append(skipped, emp.FullName())
				continue
			}
			if _, err := s.invite(tx, emp, by); err != nil {
				return err
			}
			invited = append(invited, emp.FullName())
		}
		return nil
	})
	return invited, skipped, err
}

func (s *Service) invite(tx *gorm.DB, emp *people.Employee, by people.Actor) (Invitation, error) {
	now := s.Clock.Now()
	var inv Invitation
	var err error
	if inv.Token, inv.ExpiresAt, err = s.Auth.NewInvitation(tx, emp.ID); err != nil {
		return Invitation{}, err
	}
	if s.Mail != nil {
		// A key of its own per link: a new link is a new message.
		key := notify.Key("employee-"+emp.ID, "", notify.KindInvitation, db.NewID())
		msg, err := s.Mail.ComposeInvitation(key,
			notify.Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
			notify.Invitation{Name: emp.FirstName, Email: emp.Email, Token: inv.Token, ExpiresAt: inv.ExpiresAt, InvitedBy: by.Name}, now)
		if err != nil {
			return Invitation{}, err
		}
		if inv.Queued, err = notify.Enqueue(tx, msg); err != nil {
			return Invitation{}, err
		}
	}
	err = audit.Record(tx, audit.Event{
		At: now, ActorID: by.ID, ActorName: by.Name, Action: audit.ActionInvite, EntityType: "employee", EntityID: emp.ID,
		Summary: "Sent a set-password link to " + emp.FullName() + " (" + emp.Email + ").",
		Details: map[string]any{"expires_at": inv.ExpiresAt.UTC(), "emailed": inv.Queued},
	})
	return inv, err
}

// RequestPasswordReset is the sign-in page's "forgot your password": when
// auth makes a link for email (see auth.Service.RequestPasswordReset), the
// e-mail carrying it is queued and the request audited in the same
// transaction. Every address is answered the same way (nil); only a client
// asking too often gets auth.ErrThrottled.
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip string) error {
	return s.Auth.RequestPasswordReset(ctx, email, ip, func(tx *gorm.DB, emp *people.Employee, link auth.Link) error {
		now := s.Clock.Now()
		queued := false
		if s.Mail != nil {
			msg, err := s.Mail.ComposeReset(notify.Key("employee-"+emp.ID, "", notify.KindPasswordReset, db.NewID()),
				notify.Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
				notify.PasswordReset{Name: emp.FirstName, Email: emp.Email, Token: link.Token, ExpiresAt: link.ExpiresAt}, now)
			if err != nil {
				return err
			}
			if queued, err = notify.Enqueue(tx, msg); err != nil {
				return err
			}
		}
		return audit.Record(tx, audit.Event{
			At: now, ActorID: emp.ID, ActorName: emp.FullName(), Action: audit.ActionResetRequest, EntityType: "employee", EntityID: emp.ID,
			Summary: "A password-reset link was asked for on the sign-in page and e-mailed to " + emp.FullName() + " (" + emp.Email + ").",
			Details: map[string]any{"expires_at": link.ExpiresAt.UTC(), "emailed": queued},
		})
	})
}

// AcceptLink sets the password of the person a link (invitation or reset)
// belongs to and returns them (see auth.Service.AcceptLink). A reset is
// recorded in the audit trail in the same transaction, with how many of
// their sessions it ended.
func (s *Service) AcceptLink(ctx context.Context, token, password string) (*people.Employee, error) {
	return s.Auth.AcceptLink(ctx, token, password, func(tx *gorm.DB, emp *people.Employee, purpose string, ended int64) error {
		if purpose != auth.PurposeReset {
			return nil
		}
		return audit.Record(tx, audit.Event{
			At: s.Clock.Now(), ActorID: emp.ID, ActorName: emp.FullName(), Action: audit.ActionPasswordReset, EntityType: "employee", EntityID: emp.ID,
			Summary: emp.FullName() + " chose a new password with a password-reset link; every session of theirs was ended.",
			Details: map[string]any{"sessions_ended": ended},
		})
	})
}
