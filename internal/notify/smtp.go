package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	gomail "github.com/wneessen/go-mail"
)

// SMTPURLSetting names the setting an SMTP URL comes from, in its errors.
const SMTPURLSetting = "ONRAMP_SMTP_URL"

// TLSMode is how the connection to the mail server is encrypted.
type TLSMode string

// The TLS modes an SMTP URL can ask for.
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS, and refuses a
	// server that does not offer it. The default; port 587.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (smtps). Port 465.
	TLSImplicit TLSMode = "tls"
	// TLSNone sends in the clear: for a relay on the same machine. Port 25.
	TLSNone TLSMode = "none"
)

// SMTPSettings is a parsed SMTP URL.
type SMTPSettings struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string
	Password string
}

// String formats the settings as a URL with the password hidden, for logs.
func (s SMTPSettings) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), RawQuery: "tls=" + string(s.TLS)}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, "xxxxx")
	}
	return u.String()
}

// ParseSMTPURL reads smtp://[user:pass@]host[:port][?tls=starttls|tls|none]
// (smtps:// means tls=tls). A user name or password with reserved characters
// must be percent-encoded. Errors are one line, name ONRAMP_SMTP_URL, say
// what is wrong, and never repeat the password.
func ParseSMTPURL(raw string) (SMTPSettings, error) {
	bad := func(format string, args ...any) (SMTPSettings, error) {
		return SMTPSettings{}, fmt.Errorf(SMTPURLSetting+": "+format, args...)
	}
	const want = "want smtp://[user:pass@]host[:port]?tls=starttls|tls|none"
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse's message quotes the whole URL, password included.
		return bad("not a valid URL (%s; percent-encode special characters in the user name and password)", want)
	}
	var s SMTPSettings
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		s.TLS = TLSStartTLS
	case "smtps":
		s.TLS = TLSImplicit
	case "":
		return bad("no scheme (%s)", want)
	default:
		return bad("scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("no host (%s)", want)
	}
	if u.Path != "" && u.Path != "/" {
		return bad("unexpected path %q after the host", u.Path)
	}
	if u.Fragment != "" {
		return bad("unexpected fragment %q", u.Fragment)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return bad("no host (%s)", want)
	}
	q := u.Query()
	for name := range q {
		if name != "tls" {
			return bad("unknown parameter %q (only tls=starttls|tls|none is understood)", name)
		}
	}
	if v := q.Get("tls"); q.Has("tls") {
		switch TLSMode(strings.ToLower(v)) {
		case TLSStartTLS:
			s.TLS = TLSStartTLS
		case TLSImplicit:
			s.TLS = TLSImplicit
		case TLSNone:
			s.TLS = TLSNone
		default:
			return bad("tls=%q: want starttls, tls or none", v)
		}
	}
	switch s.TLS {
	case TLSImplicit:
		s.Port = 465
	case TLSNone:
		s.Port = 25
	default:
		s.Port = 587
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("port %q is not a number from 1 to 65535", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return bad("a password is given without a user name")
		}
		if s.Password == "" {
			return bad("user %q is given without a password", s.Username)
		}
		if s.TLS == TLSNone && !isLoopback(s.Host) {
			return bad("tls=none would send the password unencrypted to %s; use tls=starttls or tls=tls", s.Host)
		}
	}
	return s, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SMTPTimeout bounds connecting and each SMTP command.
const SMTPTimeout = 20 * time.Second

// SMTPMailer sends over SMTP with go-mail, one connection per message.
type SMTPMailer struct {
	settings SMTPSettings
	helo     string
	timeout  time.Duration
}

// NewSMTPMailer returns a Mailer for s. helo is the name Onramp gives itself
// in EHLO (the host of ONRAMP_BASE_URL); empty for the machine's host name.
func NewSMTPMailer(s SMTPSettings, helo string) *SMTPMailer {
	return &SMTPMailer{settings: s, helo: helo, timeout: SMTPTimeout}
}

// WithTimeout sets how long connecting and each SMTP command may take
// (SMTPTimeout by default), and returns m.
func (m *SMTPMailer) WithTimeout(d time.Duration) *SMTPMailer {
	m.timeout = d
	return m
}

// String describes the mailer for logs, without the password.
func (m *SMTPMailer) String() string { return m.settings.String() }

func (m *SMTPMailer) client() (*gomail.Client, error) {
	s := m.settings
	opts := []gomail.Option{
		gomail.WithPort(s.Port),
		gomail.WithTimeout(m.timeout),
	}
	switch s.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.helo != "" {
		opts = append(opts, gomail.WithHELO(m.helo))
	}
	if s.Username != "" {
		// The strongest mechanism the server offers from a list every common
		// provider supports. PLAIN and LOGIN refuse to run unencrypted except
		// to a loopback relay, which ParseSMTPURL also insists on.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5),
			gomail.WithUsername(s.Username),
			gomail.WithPassword(s.Password),
		)
	}
	return gomail.NewClient(s.Host, opts...)
}

// Send delivers e. An error from connecting, TLS or logging in is marked
// Unreachable; a 5xx reply to the recipient or the content is marked
// Permanent; anything else (4xx, a dropped connection) is temporary.
func (m *SMTPMailer) Send(ctx context.Context, e *Email) error {
	msg, err := buildMsg(e)
	if err != nil {
		return Permanent(fmt.Errorf("build message: %w", err))
	}
	c, err := m.client()
	if err != nil {
		return Unreachable(fmt.Errorf("smtp client for %s: %w", m, err))
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return Unreachable(fmt.Errorf("connect to %s:%d: %w", m.settings.Host, m.settings.Port, err))
	}
	sendErr := c.SendWithSMTPClient(conn, msg)
	closeErr := c.CloseWithSMTPClient(conn)
	if msg.IsDelivered() {
		// The server answered 250 to the end of DATA: the message is its
		// own now. What fails afterwards (the RSET go-mail sends, QUIT, the
		// connection dropping) does not undo that, and must not make us
		// send it again.
		if err := errors.Join(sendErr, closeErr); err != nil {
			return Delivered(fmt.Errorf("after the server accepted the message: %w", err))
		}
		return nil
	}
	if sendErr == nil {
		// Not reported delivered, yet no error: never expected from go-mail,
		// but not to be taken for a delivery.
		return errors.New("the mail server did not confirm the message")
	}
	return classifySendError(sendErr)
}

func classifySendError(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err
	}
	code := se.ErrorCode()
	if code < 500 || code > 599 {
		return err
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose, gomail.ErrWriteContent:
		return Permanent(err)
	}
	// A 5xx to MAIL FROM is about the sender (ONRAMP_MAIL_FROM, the relay's
	// rules), not this message: every message would fail the same way, so
	// it is retried like an outage rather than killing each message.
	return err
}

// mailAddress builds a header address with net/mail, which quotes and
// encodes any display name correctly: quotes, angle brackets, commas,
// backslashes and non-Latin letters all survive, so a person's name can
// never make a message undeliverable. Only an invalid e-mail address is an
// error. Control characters (a header cannot hold them) become spaces.
func mailAddress(a Address) (*mail.Address, error) {
	parsed, err := mail.ParseAddress(a.Address)
	if err != nil || parsed.Address != strings.TrimSpace(a.Address) {
		return nil, fmt.Errorf("%q is not an e-mail address", a.Address)
	}
	return &mail.Address{Name: cleanName(a.Name), Address: parsed.Address}, nil
}

// cleanName makes a display name fit for a header: valid UTF-8, no control
// characters, single spaces, no leading or trailing space.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	if strings.Contains(name, `\`) && !isASCII(name) {
		// net/mail writes a non-ASCII name as a Q-encoded word and leaves a
		// backslash in it as it is, which makes the header unreadable
		// (net/mail itself cannot parse it back). The fullwidth reverse
		// solidus looks the same and is encoded.
		name = strings.ReplaceAll(name, `\`, "\uFF3C")
	}
	return name
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func buildMsg(e *Email) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from, err := mailAddress(e.From)
	if err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	msg.FromMailAddress(from)
	to, err := mailAddress(e.To)
	if err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	msg.AddToMailAddress(to)
	msg.Subject(e.Subject)
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(e.MessageID, "<"), ">"))
	msg.SetDateWithValue(e.Date)
	msg.SetUserAgent("Onramp")
	// RFC 3834: an automatic message; out-of-office replies should not answer.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	for _, a := range e.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("attachment %s: %w", a.Name, err)
		}
	}
	return msg, nil
}
