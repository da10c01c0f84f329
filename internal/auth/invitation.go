package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/people"
)

// invitation is a row of the invitations table.
type invitation struct {
	ID         string
	EmployeeID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
	// Purpose is PurposeInvite or PurposeReset.
	Purpose string
}

// What a set-password link is for.
const (
	// PurposeInvite is a first password: HR's invitation, or the link the
	// first e-mail to a person without a password carries.
	PurposeInvite = "invite"
	// PurposeReset is a "forgot your password" link.
	PurposeReset = "reset"
)

func (invitation) TableName() string { return "invitations" }

// CreateInvitation makes a single-use set-password token for the employee
// inside tx and returns it (only its hash is stored).
func (s *Service) CreateInvitation(tx *gorm.DB, employeeID string) (token string, err error) {
	token, _, err = s.NewInvitation(tx, employeeID)
	return token, err
}

// NewInvitation is CreateInvitation that also says when the link expires.
// Earlier unused links of the employee stop working: only the newest is valid.
func (s *Service) NewInvitation(tx *gorm.DB, employeeID string) (token string, expiresAt time.Time, err error) {
	return s.newLink(tx, employeeID, PurposeInvite, s.InviteTTL)
}

// newLink replaces the employee's unused links with a new one for purpose,
// valid for ttl.
func (s *Service) newLink(tx *gorm.DB, employeeID, purpose string, ttl time.Duration) (token string, expiresAt time.Time, err error) {
	now := s.Clock.Now()
	if err := tx.Where("employee_id = ? AND used_at IS NULL", employeeID).Delete(&invitation{}).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("replace invitations of %s: %w", employeeID, err)
	}
	token = randomToken()
	row := invitation{ID: hashToken(token), EmployeeID: employeeID, CreatedAt: now, ExpiresAt: now.Add(ttl), Purpose: purpose}
	if err := tx.Create(&row).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("create invitation for %s: %w", employeeID, err)
	}
	return token, row.ExpiresAt, nil
}

// Invitation returns the employee a valid, unused invitation token belongs to.
func (s *Service) Invitation(ctx context.Context, token string) (*people.Employee, error) {
	return s.validInvitation(s.DB.WithContext(ctx), token, s.Clock.Now())
}

// LinkPurpose says what a valid token is for (PurposeInvite or
// PurposeReset); an invalid one gives ErrInvitationInvalid.
func (s *Service) LinkPurpose(ctx context.Context, token string) (string, error) {
	if !wellFormed(token) {
		return "", ErrInvitationInvalid
	}
	var inv invitation
	err := s.DB.WithContext(ctx).Where("id = ?", hashToken(token)).Take(&inv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", ErrInvitationInvalid
	}
	if err != nil {
		return "", fmt.Errorf("load link: %w", err)
	}
	if inv.UsedAt != nil || !s.Clock.Now().Before(inv.ExpiresAt) {
		return "", ErrInvitationInvalid
	}
	return inv.Purpose, nil
}

// Link is a set-password link made for a person, to put in an e-mail.
type Link struct {
	Token     string
	ExpiresAt time.Time
}

// InviteIfNone makes a set-password link, inside tx, for each of the given
// people who is active, has no password and has no link that still works
// (unused and unexpired, of either purpose), and returns them by employee
// ID. Links that work are left alone, so two messages written at once never
// spoil each other's link. One query per batch of people, one insert.
func (s *Service) InviteIfNone(tx *gorm.DB, employeeIDs []string) (map[string]Link, error) {
	now := s.Clock.Now()
	out := map[string]Link{}
	const batch = 500
	var rows []invitation
	for start := 0; start < len(employeeIDs); start += batch {
		part := employeeIDs[start:min(start+batch, len(employeeIDs))]
		var ids []string
		err := tx.Model(&people.Employee{}).
			Where("id IN ? AND password_hash = '' AND status = ?", part, people.StatusActive).
			Where("NOT EXISTS (SELECT 1 FROM invitations i WHERE i.employee_id = employees.id AND i.used_at IS NULL AND i.expires_at > ?)", now).
			Pluck("id", &ids).Error
		if err != nil {
			return nil, fmt.Errorf("find people without a password: %w", err)
		}
		for _, id := range ids {
			if _, done := out[id]; done {
				continue
			}
			token := randomToken()
			l := Link{Token: token, ExpiresAt: now.Add(s.InviteTTL)}
			out[id] = l
			rows = append(rows, invitation{ID: hashToken(token), EmployeeID: id, CreatedAt: now, ExpiresAt: l.ExpiresAt, Purpose: PurposeInvite})
		}
	}
	if len(rows) > 0 {
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return nil, fmt.Errorf("create set-password links: %w", err)
		}
	}
	return out, nil
}

// validInvitation checks the token against tx: unknown, used, expired, or
// belonging to someone no longer active all give ErrInvitationInvalid.
func (s *Service) validInvitation(tx *gorm.DB, token string, now time.Time) (*people.Employee, error) {
	if !wellFormed(token) {
		return nil, ErrInvitationInvalid
	}
	var inv invitation
	err := tx.Where("id = ?", hashToken(token)).Take(&inv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrInvitationInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("load invitation: %w", err)
	}
	if inv.UsedAt != nil || !now.Before(inv.ExpiresAt) {
		return nil, ErrInvitationInvalid
	}
	var emp people.Employee
	err = tx.Where("id = ?", inv.EmployeeID).Take(&emp).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrInvitationInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("load invited employee: %w", err)
	}
	if !emp.Active() {
		return nil, ErrInvitationInvalid
	}
	return &emp, nil
}

// AcceptInvitation sets the employee's password and uses up the token, in
// one transaction; every other session of the employee is ended. A password
// that breaks the rules gives a *PasswordError (errors.Is ErrWeakPassword).
func (s *Service) AcceptInvitation(ctx context.Context, token, password string) (*people.Employee, error) {
	return s.AcceptLink(ctx, token, password, nil)
}

// AcceptLink is AcceptInvitation that also runs within, when set, in the
// same transaction, with what the link was for (PurposeInvite or
// PurposeReset) and how many sessions were ended: the caller records it in
// the audit trail.
func (s *Service) AcceptLink(ctx context.Context, token, password string, within func(tx *gorm.DB, emp *people.Employee, purpose string, endedSessions int64) error) (*people.Employee, error) {
	emp, err := s.Invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password, emp.Email, emp.FirstName, emp.LastName); err != nil {
		return nil, err
	}
	// Hash before the transaction: argon2id takes tens of milliseconds and
	// SQLite's write lock must not wait on it.
	hash, err := s.Cost.Hash(password)
	if err != nil {
		return nil, err
	}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error {
		now := s.Clock.Now()
		// Check again inside the transaction: two tabs submitting the same
		// link must not both succeed.
		current, err := s.validInvitation(tx, token, now)
		if err != nil {
			return err
		}
		emp = current
		var purposes []string
		if err := tx.Model(&invitation{}).Where("id = ?", hashToken(token)).Pluck("purpose", &purposes).Error; err != nil {
			return fmt.Errorf("load link: %w", err)
		}
		purpose := PurposeInvite
		if len(purposes) == 1 {
			purpose = purposes[0]
		}
		used := tx.Model(&invitation{}).Where("id = ? AND used_at IS NULL", hashToken(token)).Update("used_at", now)
		if used.Error != nil {
			return fmt.Errorf("use invitation: %w", used.Error)
		}
		if used.RowsAffected != 1 {
			return ErrInvitationInvalid
		}
		if err := tx.Where("employee_id = ? AND used_at IS NULL", emp.ID).Delete(&invitation{}).Error; err != nil {
			return fmt.Errorf("retire other invitations: %w", err)
		}
		err = tx.Model(&people.Employee{}).Where("id = ?", emp.ID).
			Updates(map[string]any{"password_hash": hash, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("set password of %s: %w", emp.ID, err)
		}
		emp.PasswordHash, emp.UpdatedAt = hash, now
		var ended int64
		if within != nil {
			if err := tx.Model(&session{}).Where("employee_id = ?", emp.ID).Count(&ended).Error; err != nil {
				return fmt.Errorf("count sessions of %s: %w", emp.ID, err)
			}
		}
		if err := s.EndEmployeeSessions(tx, emp.ID); err != nil {
			return err
		}
		if within == nil {
			return nil
		}
		return within(tx, emp, purpose, ended)
	})
	if err != nil {
		return nil, err
	}
	return emp, nil
}
