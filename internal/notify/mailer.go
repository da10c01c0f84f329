package notify

import (
	"context"
	"errors"
	"net/mail"
	"sync"
	"time"
)

// Mailer hands one e-mail to a mail server.
type Mailer interface {
	Send(ctx context.Context, e *Email) error
}

// Email is one message as a Mailer sends it.
type Email struct {
	// MessageID is the Message-ID header, angle brackets included.
	MessageID   string
	Date        time.Time
	From        Address
	To          Address
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Address is a mailbox with an optional display name.
type Address struct {
	Name    string
	Address string
}

// String formats the address for a header, quoting the name as needed.
func (a Address) String() string {
	return (&mail.Address{Name: a.Name, Address: a.Address}).String()
}

// errPermanent and errUnreachable classify a Mailer's errors.
var (
	errPermanent   = errors.New("rejected permanently")
	errUnreachable = errors.New("mail server unreachable")
	errDelivered   = errors.New("delivered")
)

type classified struct {
	class error
	err   error
}

func (c *classified) Error() string { return c.err.Error() }
func (c *classified) Unwrap() []error {
	return []error{c.class, c.err}
}

// Permanent marks err as the mail server's final word on this message (an
// SMTP 5xx reply to its recipient or content): retrying cannot help, so the
// message goes dead at once.
func Permanent(err error) error { return &classified{class: errPermanent, err: err} }

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool { return errors.Is(err, errPermanent) }

// Unreachable marks err as a failure to reach or log in to the mail server,
// before any message was handed over. The delivery pass stops at the first
// one rather than wait for the same failure once per message.
func Unreachable(err error) error { return &classified{class: errUnreachable, err: err} }

// IsUnreachable reports whether err was marked by Unreachable.
func IsUnreachable(err error) bool { return errors.Is(err, errUnreachable) }

// Delivered marks err as having happened after the mail server accepted the
// message (250 to the end of DATA), for example a failing RSET or QUIT or a
// connection dropped right after: the message counts as sent and err is only
// logged.
func Delivered(err error) error { return &classified{class: errDelivered, err: err} }

// IsDelivered reports whether err was marked by Delivered.
func IsDelivered(err error) bool { return errors.Is(err, errDelivered) }

// RecordingMailer keeps what it is given instead of sending it, for tests.
type RecordingMailer struct {
	// Fail, when set, is asked about each e-mail; a non-nil answer is
	// returned instead of recording it.
	Fail func(*Email) error

	mu   sync.Mutex
	sent []Email
}

// Send records e, or returns Fail's error.
func (r *RecordingMailer) Send(_ context.Context, e *Email) error {
	if r.Fail != nil {
		if err := r.Fail(e); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, *e)
	return nil
}

// Sent returns a copy of the e-mails recorded so far.
func (r *RecordingMailer) Sent() []Email {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Email(nil), r.sent...)
}
