package notify

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/onramp-lms/onramp/internal/db"
)

// MailFromSetting names the setting the sender comes from, in its errors.
const MailFromSetting = "ONRAMP_MAIL_FROM"

// Config is what notify needs from Onramp's settings.
type Config struct {
	// SMTPURL is ONRAMP_SMTP_URL; empty means no mail server: messages wait
	// in the outbox, where HR sees them.
	SMTPURL string
	// From is ONRAMP_MAIL_FROM, an address with an optional name ("Onramp
	// <onramp@hospital.example>"); required with SMTPURL.
	From string
	// BaseURL is ONRAMP_BASE_URL, where links in e-mails point.
	BaseURL *url.URL
	// DefaultTimeZone is the organisation's IANA time zone (for example
	// "Europe/London"), for the quiet hours of people without their own;
	// empty for UTC.
	DefaultTimeZone string
	// OrgName is ONRAMP_ORG_NAME, which every message's footer names.
	OrgName string
}

// Service is notify as the rest of Onramp uses it: Renderer composes
// messages for Enqueue, Outbox serves HR's delivery log, and Deliverer sends.
type Service struct {
	Renderer  *Renderer
	Outbox    *Outbox
	Deliverer *Deliverer
}

// New checks cfg and builds the service on database. Without an SMTP URL
// the Deliverer has no Mailer and delivery passes send nothing.
func New(cfg Config, database *db.DB, log *slog.Logger) (*Service, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if database == nil {
		return nil, errors.New("notify: no database")
	}
	renderer, err := NewRenderer(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	renderer.Org = cfg.OrgName
	loc := time.UTC
	if cfg.DefaultTimeZone != "" {
		loc, err = time.LoadLocation(cfg.DefaultTimeZone)
		if err != nil {
			return nil, fmt.Errorf("notify: organisation time zone %q is not an IANA time zone name (for example Europe/London)", cfg.DefaultTimeZone)
		}
	}
	d := &Deliverer{
		DB:              database,
		Host:            renderer.Host(),
		Renderer:        renderer,
		DefaultLocation: loc,
		Log:             log,
	}
	if strings.TrimSpace(cfg.SMTPURL) != "" {
		settings, err := ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		from, err := ParseFrom(cfg.From)
		if err != nil {
			return nil, err
		}
		d.From = from
		d.Mailer = NewSMTPMailer(settings, heloName(cfg.BaseURL))
		log.Info("e-mail delivery over SMTP", "server", settings.String(), "from", from.Address)
	} else {
		log.Info("no SMTP server configured (ONRAMP_SMTP_URL): e-mails wait in the outbox at /admin/outbox")
	}
	return &Service{
		Renderer:  renderer,
		Outbox:    &Outbox{DB: database, Renderer: renderer},
		Deliverer: d,
	}, nil
}

// ParseFrom reads ONRAMP_MAIL_FROM: an address, optionally with a display
// name.
func ParseFrom(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Address{}, errors.New(MailFromSetting + ": required when ONRAMP_SMTP_URL is set (for example \"Onramp <onramp@hospital.example>\")")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return Address{}, fmt.Errorf("%s: %q is not an e-mail address (for example \"Onramp <onramp@hospital.example>\")", MailFromSetting, s)
	}
	return Address{Name: a.Name, Address: a.Address}, nil
}

// heloName is the name Onramp gives itself to the mail server: the host of
// its base URL, unless that is an IP address, which EHLO would need as a
// literal some servers refuse; then the machine's host name.
func heloName(baseURL *url.URL) string {
	h := baseURL.Hostname()
	if net.ParseIP(h) != nil || !strings.Contains(h, ".") {
		return ""
	}
	return h
}
