// Package config reads Onramp's settings from command-line flags and ONRAMP_*
// environment variables, validates them once, and hands the rest of the
// program a typed Config. A flag wins over its environment variable.
package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
)

// Config holds every setting the server and the commands use.
type Config struct {
	// Addr is the address the HTTP server listens on.
	Addr string
	// DatabaseURL is a SQLite file path (optionally "sqlite://" or "file:")
	// or a postgres:// URL.
	DatabaseURL string
	// DataDir holds the SQLite file, uploads and other state.
	DataDir string
	// ContentDir overrides the embedded course content when set.
	ContentDir string
	// BaseURL is the public address used in links, e-mails and cookies.
	BaseURL *url.URL
	// SessionIdle signs a person out after this long without a request.
	SessionIdle time.Duration
	// SessionMax signs a person out this long after sign-in, whatever they do.
	SessionMax time.Duration
	// InviteTTL is how long a set-password link stays valid.
	InviteTTL time.Duration
	// ResetTTL is how long a "forgot your password" link stays valid.
	ResetTTL time.Duration
	// InviteNewPeople puts a set-password link in the first e-mail a person
	// without a password receives; off for single sign-on organisations.
	InviteNewPeople bool
	// OrgName is the organisation's name, shown on certificates, transcripts,
	// evidence packs and e-mails; empty for none.
	OrgName string
	// OrgLogo is a PNG or JPEG file shown beside OrgName; empty for none.
	OrgLogo string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// Demo is true for `onramp demo`: demo data and a banner on every page.
	Demo bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header is
	// believed for the client's IP address; empty means the direct peer's
	// address is the client's.
	TrustedProxies []*net.IPNet
	// SMTPURL is the mail server (smtp://user:pass@host:587?tls=starttls);
	// empty keeps every message in the outbox.
	SMTPURL string
	// MailFrom is the sender of Onramp's e-mails.
	MailFrom string
	// TimeZone is the organisation's time zone: quiet hours for people
	// without one of their own.
	TimeZone string
	// Nudges turns on the monthly refresher nudges between refreshers.
	Nudges bool
	// DueSoonDays are the "due in N days" reminders, largest first.
	DueSoonDays []int
	// SchedulerInterval is how often `serve` runs a scheduler pass; 0 turns
	// the in-process scheduler off (for cron-style `scheduler run-once`).
	SchedulerInterval time.Duration
	// OIDC is single sign-on through an OpenID Connect provider; an empty
	// Issuer turns it off.
	OIDC OIDC
	// SAML is single sign-on through a SAML 2.0 identity provider; an
	// empty IdPMetadata turns it off.
	SAML SAML
	// SSOCreate creates an unknown person with a valid employee_id as a
	// learner at their first single sign-on.
	SSOCreate bool
	// PasswordLogin says who may sign in with a password: PasswordOn
	// (everyone), PasswordHROnly (HR admins, as break-glass) or PasswordOff.
	PasswordLogin string
}

// OIDC holds the OpenID Connect sign-in settings.
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	// EmployeeClaim is the ID token or userinfo claim holding employee_id.
	EmployeeClaim string
	// Name is the provider's name on the sign-in button.
	Name string
}

// Enabled reports whether OIDC sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// SAML holds the SAML 2.0 service provider settings.
type SAML struct {
	// IdPMetadata is the identity provider's metadata: an http(s) URL or a
	// file path.
	IdPMetadata string
	// EmployeeAttribute is the assertion attribute holding employee_id
	// (matched by Name, then FriendlyName).
	EmployeeAttribute string
	// KeyFile and CertFile are the SP's signing key and certificate (PEM);
	// empty means <data>/saml/sp.key and sp.crt, generated when missing.
	KeyFile, CertFile string
	// ClockSkew is how far the identity provider's clock may be from
	// Onramp's when assertions' validity windows are checked.
	ClockSkew time.Duration
	// Name is the provider's name on the sign-in button.
	Name string
}

// Enabled reports whether SAML sign-in is configured.
func (s SAML) Enabled() bool { return s.IdPMetadata != "" }

// MaxSAMLClockSkew bounds ONRAMP_SAML_CLOCK_SKEW: more lets a stolen
// assertion live longer, and clocks should be synchronised by NTP.
const MaxSAMLClockSkew = 5 * time.Minute

// SSOEnabled reports whether any single sign-on is configured.
func (c Config) SSOEnabled() bool { return c.OIDC.Enabled() || c.SAML.Enabled() }

// The values of ONRAMP_PASSWORD_LOGIN.
const (
	PasswordOn     = "on"
	PasswordHROnly = "hr-only"
	PasswordOff    = "off"
)

// PasswordAllowed reports whether someone may sign in with a password (and
// so be sent a set-password link): everyone when passwords are on, HR
// admins only when hr-only, nobody when off.
func (c Config) PasswordAllowed(hrAdmin bool) bool {
	switch c.PasswordLogin {
	case PasswordHROnly:
		return hrAdmin
	case PasswordOff:
		return false
	}
	return true
}

// Error is a bad setting: it names the setting and what is wrong with it.
type Error struct {
	Setting string
	Problem string
}

func (e *Error) Error() string { return e.Setting + ": " + e.Problem }

// Defaults returns the settings used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "data",
		SessionIdle:     30 * time.Minute,
		SessionMax:      12 * time.Hour,
		InviteTTL:       7 * 24 * time.Hour,
		ResetTTL:        time.Hour,
		InviteNewPeople: true,
		LogLevel:        "info",
		MailFrom:        "Onramp <onramp@localhost>",
		TimeZone:        "UTC",
		Nudges:          true,
		DueSoonDays:     []int{14, 3},

		OIDC:          OIDC{EmployeeClaim: "employee_id", Name: "single sign-on"},
		SAML:          SAML{EmployeeAttribute: "employee_id", ClockSkew: 2 * time.Minute, Name: "single sign-on"},
		PasswordLogin: PasswordOn,

		SchedulerInterval: time.Minute,
	}
}

// Setting describes one flag and its environment variable, for the README and --help.
type Setting struct {
	Flag, Env, Help string
}

// Settings lists every flag and environment variable Load understands.
var Settings = []Setting{
	{"addr", "ONRAMP_ADDR", "address to listen on (default 127.0.0.1:8080)"},
	{"db", "ONRAMP_DATABASE_URL", "SQLite file path or postgres:// URL (default: onramp.db in the data directory)"},
	{"data", "ONRAMP_DATA_DIR", "directory for the SQLite file and other state (default ./data)"},
	{"content", "ONRAMP_CONTENT_DIR", "directory of course content to use instead of the embedded content/"},
	{"base-url", "ONRAMP_BASE_URL", "public URL of the site, used in links and e-mails (default http://<addr>)"},
	{"smtp-url", "ONRAMP_SMTP_URL", "mail server, e.g. smtp://user:pass@host:587?tls=starttls (default: none; e-mails wait in the outbox)"},
	{"mail-from", "ONRAMP_MAIL_FROM", "sender of e-mails (default \"Onramp <onramp@localhost>\")"},
	{"time-zone", "ONRAMP_TIME_ZONE", "the organisation's time zone for quiet hours, e.g. Europe/London (default UTC)"},
	{"due-soon-days", "ONRAMP_DUE_SOON_DAYS", "days before the due date that reminders go out, comma-separated (default 14,3)"},
	{"nudges", "ONRAMP_NUDGES", "send the monthly refresher nudge (one guideline, one question) between refreshers: on or off (default on)"},
	{"scheduler-interval", "ONRAMP_SCHEDULER_INTERVAL", "how often serve runs the scheduler; 0 turns it off (default 1m)"},
	{"session-idle", "ONRAMP_SESSION_IDLE", "sign out after this long idle (default 30m)"},
	{"session-max", "ONRAMP_SESSION_MAX", "sign out this long after sign-in (default 12h)"},
	{"invite-ttl", "ONRAMP_INVITE_TTL", "how long a set-password link is valid (default 168h)"},
	{"reset-ttl", "ONRAMP_RESET_TTL", "how long a forgot-password link is valid (default 1h)"},
	{"invite-new-people", "ONRAMP_INVITE_NEW_PEOPLE", "put a set-password link in the first e-mail to a person without a password: on, or off for single sign-on (default on)"},
	{"org-name", "ONRAMP_ORG_NAME", "the organisation's name, on certificates, transcripts, evidence packs and e-mails"},
	{"org-logo", "ONRAMP_ORG_LOGO", "a PNG or JPEG file with the organisation's logo, shown beside its name"},
	{"log-level", "ONRAMP_LOG_LEVEL", "debug, info, warn or error (default info)"},
	{"oidc-issuer", "ONRAMP_OIDC_ISSUER", "OpenID Connect issuer URL for single sign-on, e.g. https://login.microsoftonline.com/<tenant>/v2.0 (default: none, SSO off)"},
	{"oidc-client-id", "ONRAMP_OIDC_CLIENT_ID", "OpenID Connect client ID registered for Onramp (needed with --oidc-issuer)"},
	{"oidc-client-secret", "ONRAMP_OIDC_CLIENT_SECRET", "OpenID Connect client secret (default: none, a public client with PKCE)"},
	{"oidc-employee-claim", "ONRAMP_OIDC_EMPLOYEE_CLAIM", "claim that carries the employee_id (default employee_id)"},
	{"oidc-name", "ONRAMP_OIDC_NAME", "provider name on the sign-in button, \"Sign in with <name>\" (default \"single sign-on\")"},
	{"saml-idp-metadata", "ONRAMP_SAML_IDP_METADATA", "SAML 2.0 identity provider metadata: an https:// URL or a file (default: none, SAML off); Onramp's own metadata is at <base-url>/saml/metadata"},
	{"saml-employee-attribute", "ONRAMP_SAML_EMPLOYEE_ATTRIBUTE", "SAML attribute that carries the employee_id (default employee_id)"},
	{"saml-key", "ONRAMP_SAML_KEY", "PEM file with Onramp's SAML signing key (default: <data>/saml/sp.key, generated when missing)"},
	{"saml-cert", "ONRAMP_SAML_CERT", "PEM file with Onramp's SAML certificate (default: <data>/saml/sp.crt, generated when missing)"},
	{"saml-clock-skew", "ONRAMP_SAML_CLOCK_SKEW", "how far the identity provider's clock may differ from Onramp's when assertions are checked, at most 5m (default 2m)"},
	{"saml-name", "ONRAMP_SAML_NAME", "SAML identity provider name on the sign-in button, \"Sign in with <name>\" (default \"single sign-on\")"},
	{"sso-create", "ONRAMP_SSO_CREATE", "create an unknown person with a valid employee_id as a learner at their first single sign-on: on or off (default off)"},
	{"password-login", "ONRAMP_PASSWORD_LOGIN", "who may sign in with a password: on, hr-only (HR admins, as break-glass) or off (default on)"},
	{"trusted-proxies", "ONRAMP_TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none, the direct peer is the client)"},
}

// Register adds the settings' flags to fs, returning a function that builds
// the validated Config after fs has been parsed.
func Register(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	d := Defaults()
	vals := map[string]*string{}
	for _, s := range Settings {
		vals[s.Flag] = fs.String(s.Flag, "", s.Help+" [$"+s.Env+"]")
	}
	return func() (Config, error) {
		get := func(name string) (string, string) {
			for _, s := range Settings {
				if s.Flag != name {
					continue
				}
				if v := *vals[name]; v != "" {
					return v, "--" + name
				}
				return getenv(s.Env), s.Env
			}
			panic("config: unknown setting " + name)
		}
		c := d
		if v, _ := get("addr"); v != "" {
			c.Addr = v
		}
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			_, name := get("addr")
			return c, &Error{name, fmt.Sprintf("%q is not host:port (for example 127.0.0.1:8080)", c.Addr)}
		}
		if v, _ := get("data"); v != "" {
			c.DataDir = v
		}
		if v, _ := get("db"); v != "" {
			c.DatabaseURL = v
		} else {
			c.DatabaseURL = filepath.Join(c.DataDir, "onramp.db")
		}
		if strings.Contains(c.DatabaseURL, "://") {
			u, err := url.Parse(c.DatabaseURL)
			_, name := get("db")
			if err != nil {
				return c, &Error{name, "is not a valid URL"}
			}
			switch u.Scheme {
			case "sqlite", "file", "postgres", "postgresql":
			default:
				return c, &Error{name, fmt.Sprintf("scheme %q is not supported: use a file path, sqlite:// or postgres://", u.Scheme)}
			}
		}
		if v, name := get("content"); v != "" {
			st, err := os.Stat(v)
			if err != nil || !st.IsDir() {
				return c, &Error{name, fmt.Sprintf("%q is not a directory", v)}
			}
			c.ContentDir = v
		}
		base, name := get("base-url")
		if base == "" {
			base = "http://" + c.Addr
			name = "ONRAMP_BASE_URL (derived from the listen address)"
		}
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &Error{name, fmt.Sprintf("%q is not an http:// or https:// URL", base)}
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		c.BaseURL = u
		for _, dur := range []struct {
			name string
			dst  *time.Duration
		}{{"session-idle", &c.SessionIdle}, {"session-max", &c.SessionMax}, {"invite-ttl", &c.InviteTTL}, {"reset-ttl", &c.ResetTTL}} {
			v, name := get(dur.name)
			if v == "" {
				continue
			}
			p, err := time.ParseDuration(v)
			if err != nil || p <= 0 {
				return c, &Error{name, fmt.Sprintf("%q is not a positive duration (for example 30m or 12h)", v)}
			}
			*dur.dst = p
		}
		if v, name := get("log-level"); v != "" {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
			default:
				return c, &Error{name, fmt.Sprintf("%q is not one of debug, info, warn, error", v)}
			}
		}
		if v, name := get("smtp-url"); v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
				return c, &Error{name, "is not an smtp:// URL (for example smtp://user:pass@mail.example.org:587?tls=starttls)"}
			}
			c.SMTPURL = v
		}
		if v, name := get("mail-from"); v != "" {
			if _, err := mail.ParseAddress(v); err != nil {
				return c, &Error{name, fmt.Sprintf("%q is not an e-mail address (for example \"Training <training@hospital.example>\")", v)}
			}
			c.MailFrom = v
		}
		if v, name := get("time-zone"); v != "" {
			if _, err := time.LoadLocation(v); err != nil {
				return c, &Error{name, fmt.Sprintf("%q is not a time zone name (for example Europe/London or America/New_York)", v)}
			}
			c.TimeZone = v
		}
		if v, name := get("due-soon-days"); v != "" {
			var days []int
			for _, part := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil || n < 1 || n > 90 {
					return c, &Error{name, fmt.Sprintf("%q is not a list of days between 1 and 90 (for example 14,3)", v)}
				}
				days = append(days, n)
			}
			sort.Sort(sort.Reverse(sort.IntSlice(days)))
			c.DueSoonDays = days
		}
		if v, name := get("nudges"); v != "" {
			switch strings.ToLower(v) {
			case "on", "true", "yes", "1":
				c.Nudges = true
			case "off", "false", "no", "0":
				c.Nudges = false
			default:
				return c, &Error{name, fmt.Sprintf("%q is not on or off", v)}
			}
		}
		if v, name := get("invite-new-people"); v != "" {
			on, ok := parseOnOff(v)
			if !ok {
				return c, &Error{name, fmt.Sprintf("%q is not on or off", v)}
			}
			c.InviteNewPeople = on
		}
		if v, name := get("org-name"); v != "" {
			v = strings.Join(strings.Fields(v), " ")
			if len(v) > 200 {
				return c, &Error{name, "is longer than 200 characters"}
			}
			c.OrgName = v
		}
		if v, name := get("org-logo"); v != "" {
			if err := checkLogo(v); err != nil {
				return c, &Error{name, err.Error()}
			}
			c.OrgLogo = v
		}
		if v, name := get("scheduler-interval"); v != "" {
			p, err := time.ParseDuration(v)
			if err != nil || p < 0 || (p > 0 && p < time.Second) {
				return c, &Error{name, fmt.Sprintf("%q is not a duration of at least 1s, or 0 to turn the scheduler off", v)}
			}
			c.SchedulerInterval = p
		}
		if v, name := get("trusted-proxies"); v != "" {
			nets, err := parseCIDRs(v)
			if err != nil {
				return c, &Error{name, err.Error()}
			}
			c.TrustedProxies = nets
		}
		if err := loadSSO(&c, get); err != nil {
			return c, err
		}
		return c, nil
	}
}

// parseOnOff reads an on/off setting.
func parseOnOff(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1":
		return true, true
	case "off", "false", "no", "0":
		return false, true
	}
	return false, false
}

// MaxLogoBytes bounds the logo file: it is read into memory and embedded in
// pages and PDFs.
const MaxLogoBytes = 512 << 10

// checkLogo makes sure the logo file exists, is small and is a PNG or JPEG.
func checkLogo(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read %q: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return fmt.Errorf("%q is not a file", path)
	}
	if st.Size() > MaxLogoBytes {
		return fmt.Errorf("%q is %d KB; use a PNG or JPEG of at most %d KB", path, st.Size()>>10, MaxLogoBytes>>10)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	if LogoType(head[:n]) == "" {
		return fmt.Errorf("%q is not a PNG or JPEG image", path)
	}
	return nil
}

// loadSSO reads the single sign-on and password sign-in settings.
func loadSSO(c *Config, get func(string) (string, string)) error {
	if v, name := get("oidc-issuer"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return &Error{name, fmt.Sprintf("%q is not an issuer URL (for example https://login.microsoftonline.com/<tenant-id>/v2.0)", v)}
		}
		c.OIDC.Issuer = v
	}
	c.OIDC.ClientID, _ = get("oidc-client-id")
	c.OIDC.ClientSecret, _ = get("oidc-client-secret")
	if v, _ := get("oidc-employee-claim"); v != "" {
		c.OIDC.EmployeeClaim = v
	}
	if v, name := get("oidc-name"); v != "" {
		if len(v) > 60 {
			return &Error{name, "is longer than 60 characters; use the provider's short name (for example Microsoft or Okta)"}
		}
		c.OIDC.Name = v
	}
	if c.OIDC.Enabled() && c.OIDC.ClientID == "" {
		_, name := get("oidc-client-id")
		return &Error{name, "is needed with ONRAMP_OIDC_ISSUER: register Onramp with the identity provider and set its client ID"}
	}
	if !c.OIDC.Enabled() && c.OIDC.ClientID != "" {
		_, name := get("oidc-issuer")
		return &Error{name, "is needed with ONRAMP_OIDC_CLIENT_ID: set the provider's issuer URL"}
	}
	if err := loadSAML(c, get); err != nil {
		return err
	}
	if v, name := get("sso-create"); v != "" {
		switch strings.ToLower(v) {
		case "on", "true", "yes", "1":
			c.SSOCreate = true
		case "off", "false", "no", "0":
			c.SSOCreate = false
		default:
			return &Error{name, fmt.Sprintf("%q is not on or off", v)}
		}
	}
	if v, name := get("password-login"); v != "" {
		switch strings.ToLower(v) {
		case PasswordOn, PasswordHROnly, PasswordOff:
			c.PasswordLogin = strings.ToLower(v)
		default:
			return &Error{name, fmt.Sprintf("%q is not on, hr-only or off", v)}
		}
	}
	if c.PasswordLogin == PasswordOff && !c.SSOEnabled() {
		_, name := get("password-login")
		return &Error{name, "off needs single sign-on: set ONRAMP_OIDC_ISSUER and ONRAMP_OIDC_CLIENT_ID, or ONRAMP_SAML_IDP_METADATA, or use hr-only to keep HR admins' passwords"}
	}
	return nil
}

// loadSAML reads the SAML 2.0 settings. The metadata itself is read when
// the app starts (internal/sso), not here.
func loadSAML(c *Config, get func(string) (string, string)) error {
	if v, name := get("saml-idp-metadata"); v != "" {
		if strings.Contains(v, "://") {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return &Error{name, fmt.Sprintf("%q is neither an http(s) URL nor a file (for example https://login.microsoftonline.com/<tenant-id>/federationmetadata/2007-06/federationmetadata.xml)", v)}
			}
		} else if st, err := os.Stat(v); err != nil || st.IsDir() {
			return &Error{name, fmt.Sprintf("%q is not a readable file; give the identity provider's metadata file or its https:// URL", v)}
		}
		c.SAML.IdPMetadata = v
	}
	if v, _ := get("saml-employee-attribute"); v != "" {
		c.SAML.EmployeeAttribute = v
	}
	keyFile, keyName := get("saml-key")
	certFile, certName := get("saml-cert")
	if (keyFile == "") != (certFile == "") {
		if keyFile == "" {
			return &Error{keyName, "is needed with ONRAMP_SAML_CERT: give both the key and its certificate, or neither to have them generated"}
		}
		return &Error{certName, "is needed with ONRAMP_SAML_KEY: give both the key and its certificate, or neither to have them generated"}
	}
	for _, f := range []struct{ path, name string }{{keyFile, keyName}, {certFile, certName}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(f.path); err != nil || st.IsDir() {
			return &Error{f.name, fmt.Sprintf("%q is not a readable PEM file", f.path)}
		}
	}
	c.SAML.KeyFile, c.SAML.CertFile = keyFile, certFile
	if v, name := get("saml-clock-skew"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > MaxSAMLClockSkew {
			return &Error{name, fmt.Sprintf("%q is not a duration between 0s and %s (for example 2m)", v, MaxSAMLClockSkew)}
		}
		c.SAML.ClockSkew = d
	}
	if v, name := get("saml-name"); v != "" {
		if len(v) > 60 {
			return &Error{name, "is longer than 60 characters; use the provider's short name (for example Microsoft or Okta)"}
		}
		c.SAML.Name = v
	}
	return nil
}

// LogoType is the media type of a logo's bytes, image/png or image/jpeg, or
// "" for anything else.
func LogoType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	}
	return ""
}

// parseCIDRs reads a comma-separated list of CIDR ranges; a bare address
// stands for itself alone (/32 or /128).
func parseCIDRs(list string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if ip := net.ParseIP(part); ip != nil {
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR range (for example 10.0.0.0/8 or 127.0.0.1/32)", part)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// Secure reports whether the site is served over HTTPS, which decides the
// Secure flag and __Host- prefix of cookies.
func (c Config) Secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// IsSetting reports whether err is a bad setting.
func IsSetting(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
