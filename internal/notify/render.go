package notify

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// TeamPath is the manager's team view, where an escalation digest links.
const TeamPath = "/team"

// Rendered is a message's subject, bodies and attachments.
type Rendered struct {
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Renderer turns typed Content into e-mail, with links on the site at
// BaseURL. Templates live in templates/: <kind>.txt.tmpl defines "subject"
// and "body", <kind>.html.tmpl defines "body", and the layouts wrap them.
type Renderer struct {
	// Org is the organisation's name (ONRAMP_ORG_NAME), which the footer of
	// every message names; empty says "your organisation".
	Org     string
	baseURL *url.URL
	text    map[Kind]*texttemplate.Template
	html    map[Kind]*htmltemplate.Template
}

// NewRenderer parses the embedded templates for every kind.
func NewRenderer(baseURL *url.URL) (*Renderer, error) {
	if baseURL == nil || baseURL.Host == "" {
		return nil, errors.New("notify: the base URL (ONRAMP_BASE_URL) is needed to build links in e-mails")
	}
	r := &Renderer{
		baseURL: baseURL,
		text:    make(map[Kind]*texttemplate.Template, len(Kinds)),
		html:    make(map[Kind]*htmltemplate.Template, len(Kinds)),
	}
	for _, k := range append(append(Kinds[:len(Kinds):len(Kinds)], KindDigest), attemptKinds...) {
		t, err := texttemplate.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.txt.tmpl", "templates/"+string(k)+".txt.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: %s text template: %w", k, err)
		}
		h, err := htmltemplate.New("").Funcs(templateFuncs).Funcs(htmlFuncs).ParseFS(templateFS, "templates/layout.html.tmpl", "templates/"+string(k)+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: %s HTML template: %w", k, err)
		}
		r.text[k], r.html[k] = t, h
	}
	return r, nil
}

// view is what every template is executed with: the typed content in Msg
// and what the renderer adds.
type view struct {
	Subject string
	// Link is the message's one link.
	Link string
	// Site is the site's host name.
	Site string
	// Org is the organisation's name for the footer; empty for none.
	Org string
	// SetPassword, when set, is the set-password link the message carries
	// above its own content: the person has no password yet.
	SetPassword *setPasswordView
	Msg         Content
}

// setPasswordView is the set-password block of a message.
type setPasswordView struct {
	Link  string
	Until string
}

// SetPassword is a set-password link an outbox row carries for a person
// who has no password yet (see Notifier.Invite).
type SetPassword struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (r *Renderer) setPasswordView(sp *SetPassword) *setPasswordView {
	if sp == nil || sp.Token == "" {
		return nil
	}
	return &setPasswordView{
		Link:  r.pageURL(strings.TrimPrefix(InvitePath, "/"), sp.Token),
		Until: sp.ExpiresAt.UTC().Format("Monday 2 January 2006 at 15:04 UTC"),
	}
}

// Render makes the subject, the plain-text and HTML bodies and any
// attachments for c. key is the message's dedupe key and at when it is
// made; the assigned message's calendar event takes its UID and stamp from
// them.
func (r *Renderer) Render(key string, c Content, at time.Time) (Rendered, error) {
	return r.renderWith(key, c, at, nil)
}

// renderWith is Render with the set-password link the message carries, if
// any.
func (r *Renderer) renderWith(key string, c Content, at time.Time, sp *SetPassword) (Rendered, error) {
	if c == nil {
		return Rendered{}, errors.New("render: no content")
	}
	if d, ok := c.(Digest); ok {
		return r.renderDigest(key, d, at, sp)
	}
	return r.render(c, sp, func(out *Rendered) {
		if a, ok := c.(Assigned); ok {
			out.Attachments = append(out.Attachments, r.dueDateCalendar(key, a, at))
		}
	})
}

// renderDigest renders a person's digest: the list of items, and one
// calendar file with an event for each assigned course.
func (r *Renderer) renderDigest(key string, d Digest, at time.Time, sp *SetPassword) (Rendered, error) {
	if len(d.Items) == 0 {
		return Rendered{}, errors.New("render digest: no items")
	}
	return r.render(d.view(r), sp, func(out *Rendered) {
		var events []DueDateEvent
		for _, a := range d.assigned() {
			// Each event's UID is the digest's key with the course and the
			// day: stable across tries, distinct within the file.
			events = append(events, r.dueDateEvent(key+"\n"+a.Course.ID+"\n"+a.DueAt.UTC().Format("2006-01-02"), *a, at))
		}
		if len(events) > 0 {
			out.Attachments = append(out.Attachments, Attachment{Name: digestCalendarName, ContentType: CalendarContentType, Data: Calendar(events...)})
		}
	})
}

// render executes c's templates; attach adds its attachments.
func (r *Renderer) render(c Content, sp *SetPassword, attach func(*Rendered)) (Rendered, error) {
	k := c.Kind()
	tt, ok := r.text[k]
	if !ok {
		return Rendered{}, fmt.Errorf("render: no templates for kind %q", k)
	}
	v := view{Link: c.link(r), Site: r.baseURL.Host, Org: r.Org, SetPassword: r.setPasswordView(sp), Msg: c}
	var b bytes.Buffer
	if err := tt.ExecuteTemplate(&b, "subject", v); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", k, err)
	}
	v.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := tt.ExecuteTemplate(&b, "layout", v); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", k, err)
	}
	text := tidyText(b.String())
	b.Reset()
	if err := r.html[k].ExecuteTemplate(&b, "layout", v); err != nil {
		return Rendered{}, fmt.Errorf("render %s HTML: %w", k, err)
	}
	out := Rendered{Subject: v.Subject, Text: text, HTML: b.String()}
	if attach != nil {
		attach(&out)
	}
	return out, nil
}

// Compose renders c for to and returns the message to Enqueue: the
// rendered parts show what will be sent, and the payload is what the
// outbox keeps, to render again when the message is delivered.
func (r *Renderer) Compose(key string, to Recipient, c Content, at time.Time) (Message, error) {
	rendered, err := r.Render(key, c, at)
	if err != nil {
		return Message{}, err
	}
	payload, _, _, err := encodePayload(c)
	if err != nil {
		return Message{}, err
	}
	return Message{
		DedupeKey:           key,
		Kind:                c.Kind(),
		RecipientEmployeeID: to.EmployeeID,
		ToAddress:           to.Address,
		ToName:              to.Name,
		Subject:             rendered.Subject,
		Text:                rendered.Text,
		HTML:                rendered.HTML,
		Attachments:         rendered.Attachments,
		Payload:             payload,
		At:                  at,
	}, nil
}

// queue builds the message the Notifier queues: its subject (for HR's
// delivery log) and its payload, without rendering the bodies, which
// delivery does.
func (r *Renderer) queue(key string, to Recipient, c Content, at time.Time) (Message, error) {
	subject, err := r.Subject(c)
	if err != nil {
		return Message{}, err
	}
	payload, typ, body, err := encodePayload(c)
	if err != nil {
		return Message{}, err
	}
	return Message{
		DedupeKey: key, Kind: c.Kind(), RecipientEmployeeID: to.EmployeeID,
		ToAddress: to.Address, ToName: to.Name, Subject: subject, Payload: payload, At: at,
		payloadType: typ, payloadBody: body,
	}, nil
}

// Subject renders c's subject line alone.
func (r *Renderer) Subject(c Content) (string, error) {
	if d, ok := c.(Digest); ok {
		if len(d.Items) == 0 {
			return "", errors.New("render digest: no items")
		}
		return d.view(r).Subject, nil
	}
	tt, ok := r.text[c.Kind()]
	if !ok {
		return "", fmt.Errorf("render: no templates for kind %q", c.Kind())
	}
	var b bytes.Buffer
	if err := tt.ExecuteTemplate(&b, "subject", view{Link: c.link(r), Site: r.baseURL.Host, Org: r.Org, Msg: c}); err != nil {
		return "", fmt.Errorf("render %s subject: %w", c.Kind(), err)
	}
	return strings.Join(strings.Fields(b.String()), " "), nil
}

func (r *Renderer) dueDateCalendar(key string, a Assigned, at time.Time) Attachment {
	return Attachment{Name: "due-date.ics", ContentType: CalendarContentType, Data: r.dueDateEvent(key, a, at).ICS()}
}

// dueDateEvent is the calendar event of an assigned course; its UID comes
// from seed (the message's dedupe key, and the course for a digest).
func (r *Renderer) dueDateEvent(seed string, a Assigned, at time.Time) DueDateEvent {
	sum := sha256.Sum256([]byte(seed))
	link := r.CourseURL(a.Course.ID)
	return DueDateEvent{
		UID:         hex.EncodeToString(sum[:16]) + "@" + r.Host(),
		Stamp:       at,
		Day:         a.DueAt,
		Summary:     "Due: " + a.Course.Title,
		Description: "Complete the required training \"" + a.Course.Title + "\" by the end of this day.\n" + link,
		URL:         link,
	}
}

// Host is the site's host name, used in Message-IDs and calendar UIDs; an
// IPv6 address is bracketed, as a Message-ID's right-hand side needs.
func (r *Renderer) Host() string {
	h := r.baseURL.Hostname()
	if ip := net.ParseIP(h); ip != nil && ip.To4() == nil {
		return "[" + h + "]"
	}
	return h
}

// DashboardURL is the learner's dashboard, where a digest's button leads.
func (r *Renderer) DashboardURL() string { return r.pageURL() + "/" }

// CourseURL is the course's page.
func (r *Renderer) CourseURL(courseID string) string { return r.pageURL("courses", courseID) }

// CertificateURL is the certificate's page.
func (r *Renderer) CertificateURL(code string) string { return r.pageURL("certificates", code) }

// TeamURL is the manager's team view.
func (r *Renderer) TeamURL() string { return r.pageURL(strings.TrimPrefix(TeamPath, "/")) }

// pageURL joins path segments to the base URL, each escaped as one segment,
// so an ID can never walk to another page.
func (r *Renderer) pageURL(segments ...string) string {
	u := *r.baseURL
	raw := strings.TrimSuffix(u.EscapedPath(), "/")
	for _, s := range segments {
		raw += "/" + url.PathEscape(s)
	}
	path, err := url.PathUnescape(raw)
	if err != nil {
		path = raw
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = path, raw, "", ""
	return u.String()
}

var templateFuncs = map[string]any{
	// day formats a cycle date; cycle dates are UTC calendar days.
	"day": func(t time.Time) string { return t.UTC().Format("Monday 2 January 2006") },
	// count says "1 day", "3 days".
	"count": func(n int, one, many string) string {
		if n == 1 || n == -1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	// letter numbers a question's options: A, B, C...
	"letter": func(i int) string { return string(rune('A' + i)) },
	// dueNote is the sentence an assigned message adds when its course is
	// already within the due-soon reminders: nil says nothing.
	"dueNote": func(days *int) string {
		switch {
		case days == nil:
			return ""
		case *days > 1:
			return fmt.Sprintf("It is due soon: in %d days.", *days)
		case *days == 1:
			return "It is due soon: in 1 day."
		case *days == 0:
			return "It is due today."
		case *days == -1:
			return "Its due date has passed: it is 1 day overdue."
		}
		return fmt.Sprintf("Its due date has passed: it is %d days overdue.", -*days)
	},
	// dueShort is the same, for a subject line: "in 3 days", "today".
	"dueShort": func(days *int) string {
		switch {
		case days == nil:
			return ""
		case *days > 1:
			return fmt.Sprintf("in %d days", *days)
		case *days == 1:
			return "in 1 day"
		case *days == 0:
			return "today"
		case *days == -1:
			return "1 day overdue"
		}
		return fmt.Sprintf("%d days overdue", -*days)
	},
}

var htmlFuncs = map[string]any{
	// button is the message's one link, drawn as a button. The link is built
	// from the base URL, so it is http or https; it is escaped all the same.
	"button": func(link, label string) htmltemplate.HTML {
		if u, err := url.Parse(link); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			link = "#"
		}
		return htmltemplate.HTML(`<p style="margin:24px 0;"><a href="` + htmltemplate.HTMLEscapeString(link) +
			`" style="display:inline-block;background-color:#0a58ca;color:#ffffff;text-decoration:none;font-weight:bold;padding:12px 20px;border-radius:6px;">` +
			htmltemplate.HTMLEscapeString(label) + `</a></p>` + "\n" +
			`<p style="font-size:14px;color:#57606a;word-break:break-all;">Or copy this address into your browser: ` + htmltemplate.HTMLEscapeString(link) + `</p>`)
	},
}

// tidyText trims trailing spaces and runs of blank lines that template
// actions leave behind.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
