package smtptest_test

import (
	"net/smtp"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

const multipartMessage = "From: a@example.org\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
	"Message-ID: <1@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"caf=C3=A9 =\r\n" +
	"au lait\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<p>caf\xc3\xa9</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: text/calendar; method=PUBLISH\r\n" +
	"Content-Disposition: attachment; filename=\"due.ics\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"QkVHSU46VkNB\r\n" +
	"TEVOREFS\r\n" +
	"--outer--\r\n"

func TestServerKeepsParsedMessages(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	if !strings.HasPrefix(srv.URL(), "smtp://127.0.0.1:") || !strings.HasSuffix(srv.URL(), "?tls=none") {
		t.Fatalf("URL = %q", srv.URL())
	}
	if err := smtp.SendMail(srv.Addr(), nil, "a@example.org", []string{"b@example.org"}, []byte(multipartMessage)); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	m := got[0]
	if m.ParseErr != nil {
		t.Fatal(m.ParseErr)
	}
	if m.From != "a@example.org" || len(m.To) != 1 || m.To[0] != "b@example.org" {
		t.Errorf("envelope %q → %v", m.From, m.To)
	}
	if m.Subject != "Grüße" || m.MessageID != "<1@example.org>" {
		t.Errorf("subject %q, id %q", m.Subject, m.MessageID)
	}
	if m.Text != "café au lait" || !strings.Contains(m.HTML, "<p>café</p>") {
		t.Errorf("text %q, html %q", m.Text, m.HTML)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "due.ics" || string(m.Attachments[0].Data) != "BEGIN:VCALENDAR" {
		t.Errorf("attachments %+v", m.Attachments)
	}
	if ids := srv.ByMessageID(); len(ids["<1@example.org>"]) != 1 {
		t.Errorf("ByMessageID = %v", ids)
	}
	srv.Reset()
	if len(srv.Messages()) != 0 {
		t.Error("Reset kept messages")
	}
}

func TestServerDownUpAndReject(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	send := func(to string) error {
		return smtp.SendMail(srv.Addr(), nil, "a@example.org", []string{to}, []byte("Subject: x\r\n\r\nbody\r\n"))
	}
	srv.Down()
	if err := send("b@example.org"); err == nil {
		t.Fatal("sent while down")
	}
	srv.Up()
	if err := send("b@example.org"); err != nil {
		t.Fatalf("after Up: %v", err)
	}
	srv.Reject("c@example.org", 550, "No such user")
	if err := send("c@example.org"); err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("rejected recipient: %v", err)
	}
	srv.Accept("c@example.org")
	if err := send("c@example.org"); err != nil {
		t.Fatalf("after Accept: %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
}
