package notify_test

import (
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/notify"
)

func TestComposeInvitation(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	key := notify.Key("employee-emp-1", "", notify.KindInvitation, "inv-1")
	msg, err := r.ComposeInvitation(key, notify.Recipient{EmployeeID: "emp-1", Name: "Ana <Tester>", Address: "ana@hospital.example"},
		notify.Invitation{Name: "Ana <b>", Email: "ana@hospital.example", Token: "tok/../en", ExpiresAt: monday.AddDate(0, 0, 7), InvitedBy: "Hana HR"}, monday)
	if err != nil {
		t.Fatal(err)
	}
	link := baseURL + "/invite/tok%2F..%2Fen"
	if msg.Kind != notify.KindInvitation || msg.DedupeKey != key || msg.ToAddress != "ana@hospital.example" || !msg.At.Equal(monday) {
		t.Errorf("message = %+v", msg)
	}
	if msg.Subject != "Set your password for your organisation's training" {
		t.Errorf("subject = %q", msg.Subject)
	}
	for _, want := range []string{link, "Hana HR has invited you", "ana@hospital.example", "Why:", "By when:", "Monday 9 March 2026 at 09:00 UTC"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if links := htmlLinks(t, msg.HTML); len(links) != 1 || links[0] != link {
		t.Errorf("HTML links = %v, want just %s", links, link)
	}
	if strings.Contains(msg.HTML, "<b>") || !strings.Contains(msg.HTML, "Ana &lt;b&gt;") {
		t.Errorf("the HTML part does not escape the name:\n%s", msg.HTML)
	}
	if strings.Contains(msg.Text, "<no value>") || strings.Contains(msg.HTML, "<no value>") {
		t.Error("a template field is missing")
	}
	if _, err := r.ComposeInvitation(key, notify.Recipient{Address: "a@b.example"}, notify.Invitation{}, monday); err == nil {
		t.Error("an invitation without a token was composed")
	}
}
