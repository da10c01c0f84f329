package notify_test

import (
	"net/mail"
	"testing"

	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

// TestEveryValidNameIsDeliverable: whatever a person's name holds (quotes,
// angle brackets, commas, backslashes, non-Latin letters), the message is
// sent with a To: header that reads back as that name and address.
func TestEveryValidNameIsDeliverable(t *testing.T) {
	t.Parallel()
	names := []string{
		`x">`, `"Quoted" Name`, `Smith, John`, `O'Brien`, `back\slash`, `<angle@brackets>`,
		`Zoë Ünicode`, `山田 太郎`, `Иван Петров`, `محمد`, `a;b:c@d`, `=?utf-8?q?not_a_word?=`,
	}
	d, _ := newDB(t)
	srv := smtptest.Start(t)
	svc := newService(t, d, srv.URL())
	keys := map[string]string{}
	for i, name := range names {
		msg := assigned(t, svc, "", "person@hospital.example", "asg-"+string(rune('a'+i)), monday)
		msg.ToName = name
		enqueue(t, d, msg)
		keys[name] = msg.DedupeKey
	}
	deliver(t, svc, monday)
	byID := srv.ByMessageID()
	for _, name := range names {
		e := entry(t, svc, keys[name])
		if e.State != notify.StateSent {
			t.Errorf("name %q: %s (%s)", name, e.State, e.LastError)
			continue
		}
		got := byID[e.MessageID]
		if len(got) != 1 {
			t.Errorf("name %q: arrived %d times", name, len(got))
			continue
		}
		to, err := mail.ParseAddress(got[0].Header.Get("To"))
		if err != nil || to.Name != name || to.Address != "person@hospital.example" {
			t.Errorf("name %q: To: %q reads as %+v, %v", name, got[0].Header.Get("To"), to, err)
		}
	}
}
