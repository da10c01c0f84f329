package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
)

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want notify.SMTPSettings
	}{
		{"smtp://user:pa%40ss@mail.example.com:587?tls=starttls", notify.SMTPSettings{Host: "mail.example.com", Port: 587, TLS: notify.TLSStartTLS, Username: "user", Password: "pa@ss"}},
		{"smtp://mail.example.com", notify.SMTPSettings{Host: "mail.example.com", Port: 587, TLS: notify.TLSStartTLS}},
		{"smtp://127.0.0.1:2525?tls=none", notify.SMTPSettings{Host: "127.0.0.1", Port: 2525, TLS: notify.TLSNone}},
		{"smtp://localhost?tls=none", notify.SMTPSettings{Host: "localhost", Port: 25, TLS: notify.TLSNone}},
		{"smtp://u:p@[::1]:25?tls=none", notify.SMTPSettings{Host: "::1", Port: 25, TLS: notify.TLSNone, Username: "u", Password: "p"}},
		{"smtps://u:p@mail.example.com", notify.SMTPSettings{Host: "mail.example.com", Port: 465, TLS: notify.TLSImplicit, Username: "u", Password: "p"}},
		{"smtp://mail.example.com?tls=TLS", notify.SMTPSettings{Host: "mail.example.com", Port: 465, TLS: notify.TLSImplicit}},
		{" smtp://mail.example.com:2587/ ", notify.SMTPSettings{Host: "mail.example.com", Port: 2587, TLS: notify.TLSStartTLS}},
	}
	for _, c := range ok {
		got, err := notify.ParseSMTPURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}

	bad := []struct{ in, problem string }{
		{"", "no scheme"},
		{"mail.example.com:587", "scheme"},
		{"http://mail.example.com", `scheme "http"`},
		{"smtp://", "no host"},
		{"smtp://mail.example.com:99999", "port"},
		{"smtp://mail.example.com:abc", "URL"},
		{"smtp://mail.example.com?tls=ssl", `tls="ssl"`},
		{"smtp://mail.example.com?tsl=none", `unknown parameter "tsl"`},
		{"smtp://mail.example.com/path", "path"},
		{"smtp://user@mail.example.com", "without a password"},
		{"smtp://:hunter2secret@mail.example.com", "without a user name"},
		{"smtp://user:hunter2secret@mail.example.com?tls=none", "unencrypted"},
		{"smtp://user:hunter2secret@mail.example.com:bad", "URL"},
		{"smtp://user:hunter2secret%zz@mail.example.com", "URL"},
	}
	for _, c := range bad {
		_, err := notify.ParseSMTPURL(c.in)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted it", c.in)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "ONRAMP_SMTP_URL: ") || !strings.Contains(msg, c.problem) || strings.Contains(msg, "\n") {
			t.Errorf("ParseSMTPURL(%q) error %q: want one line naming ONRAMP_SMTP_URL and %q", c.in, msg, c.problem)
		}
		if strings.Contains(msg, "hunter2secret") {
			t.Errorf("ParseSMTPURL(%q) error shows the password: %q", c.in, msg)
		}
	}
}

func TestSMTPSettingsStringHidesThePassword(t *testing.T) {
	t.Parallel()
	s, err := notify.ParseSMTPURL("smtp://user:hunter2secret@mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); strings.Contains(got, "hunter2secret") || !strings.Contains(got, "mail.example.com:587") {
		t.Errorf("String() = %q", got)
	}
}

func TestNewChecksTheSettings(t *testing.T) {
	t.Parallel()
	d, _ := newDB(t)
	u := mustBaseURL(t)
	cases := map[string]notify.Config{
		"ONRAMP_MAIL_FROM": {SMTPURL: "smtp://127.0.0.1:25?tls=none", BaseURL: u},
		"not an e-mail":    {SMTPURL: "smtp://127.0.0.1:25?tls=none", From: "Onramp", BaseURL: u},
		"ONRAMP_SMTP_URL":  {SMTPURL: "smtp://127.0.0.1:25?tls=nope", From: "a@b.example", BaseURL: u},
		"IANA time zone":   {DefaultTimeZone: "Europe/Atlantis", BaseURL: u},
		"ONRAMP_BASE_URL":  {},
	}
	for want, cfg := range cases {
		if _, err := notify.New(cfg, d, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(%+v) = %v, want an error about %s", cfg, err, want)
		}
	}
}

func TestSMTPMailerClassifiesFailures(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s, err := notify.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m := notify.NewSMTPMailer(s, "onramp.example.org")
	email := func(to string) *notify.Email {
		return &notify.Email{
			MessageID: "<abc@onramp.example.org>", Date: monday,
			From:    notify.Address{Name: "Onramp", Address: "onramp@hospital.example"},
			To:      notify.Address{Name: "Zoë Ünicode", Address: to},
			Subject: "Ünïcode subject ✓", Text: "plain", HTML: "<p>html</p>",
		}
	}
	ctx := context.Background()
	if err := m.Send(ctx, email("ok@hospital.example")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].Subject != "Ünïcode subject ✓" || got[0].MessageID != "<abc@onramp.example.org>" ||
		!strings.Contains(got[0].Text, "plain") || !strings.Contains(got[0].HTML, "<p>html</p>") {
		t.Fatalf("received %+v", got)
	}
	if d, err := time.Parse(time.RFC1123Z, got[0].Header.Get("Date")); err != nil || !d.Equal(monday) {
		t.Errorf("Date header %q", got[0].Header.Get("Date"))
	}

	srv.Reject("gone@hospital.example", 550, "No such user")
	err = m.Send(ctx, email("gone@hospital.example"))
	if !notify.IsPermanent(err) || notify.IsUnreachable(err) {
		t.Errorf("550 to RCPT: %v (permanent %v)", err, notify.IsPermanent(err))
	}
	srv.Reject("busy@hospital.example", 452, "Mailbox busy")
	err = m.Send(ctx, email("busy@hospital.example"))
	if err == nil || notify.IsPermanent(err) || notify.IsUnreachable(err) {
		t.Errorf("452 to RCPT: %v, want a temporary error", err)
	}
	srv.Down()
	err = m.Send(ctx, email("ok@hospital.example"))
	if !notify.IsUnreachable(err) || notify.IsPermanent(err) {
		t.Errorf("server down: %v, want unreachable", err)
	}
}
