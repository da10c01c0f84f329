package notify

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
)

// KindInvitation is the e-mail with a set-password link that HR sends a
// person so they can sign in for the first time (or again). It is not a
// reminder of the policy, so it is not in Kinds: ComposeInvitation makes it.
const KindInvitation Kind = "invitation"

// InvitePath is where a set-password link leads; the token follows it.
const InvitePath = "/invite"

// Invitation invites a person to set their password and sign in.
type Invitation struct {
	// Name greets the recipient (their first name).
	Name string
	// Email is the address they will sign in with.
	Email string
	// Token is the single-use token the link carries.
	Token string
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time
	// InvitedBy names the HR admin who sent it; empty for nobody in particular.
	InvitedBy string
}

// Kind implements Content.
func (Invitation) Kind() Kind { return KindInvitation }

func (c Invitation) link(r *Renderer) string {
	return r.pageURL(strings.TrimPrefix(InvitePath, "/"), c.Token)
}

// invitationTemplates are parsed once, on first use, with the same layouts
// and functions as every other message.
var invitationTemplates = sync.OnceValues(func() (*invitationPair, error) { return linkTemplates("invitation") })

// resetTemplates are the password-reset message's.
var resetTemplates = sync.OnceValues(func() (*invitationPair, error) { return linkTemplates("password_reset") })

func linkTemplates(name string) (*invitationPair, error) {
	funcs := map[string]any{
		// until says when a link stops working, to the minute, in UTC.
		"until": func(t time.Time) string { return t.UTC().Format("Monday 2 January 2006 at 15:04 UTC") },
	}
	t, err := texttemplate.New("").Funcs(templateFuncs).Funcs(funcs).ParseFS(templateFS, "templates/layout.txt.tmpl", "templates/"+name+".txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("notify: %s text template: %w", name, err)
	}
	h, err := htmltemplate.New("").Funcs(templateFuncs).Funcs(htmlFuncs).Funcs(funcs).ParseFS(templateFS, "templates/layout.html.tmpl", "templates/"+name+".html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("notify: %s HTML template: %w", name, err)
	}
	return &invitationPair{text: t, html: h}, nil
}

type invitationPair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// ComposeInvitation renders an invitation for to and returns the message to
// Enqueue. key is its dedupe key: one per invitation made (for example
// Key("employee-"+id, "", KindInvitation, invitationID)), so sending a new
// link sends a new message.
//
// The message holds the link, and so the token, in the outbox until it is
// delivered and after: the token is single-use, replaced by any newer one,
// and expires, which bounds what a copy of the outbox can do.
func (r *Renderer) ComposeInvitation(key string, to Recipient, c Invitation, at time.Time) (Message, error) {
	if c.Token == "" {
		return Message{}, errors.New("compose invitation: no token")
	}
	tpl, err := invitationTemplates()
	if err != nil {
		return Message{}, err
	}
	return r.composeLink(tpl, key, KindInvitation, to, c, at)
}

// KindPasswordReset is the e-mail with a "forgot your password" link.
const KindPasswordReset Kind = "password_reset"

// ResetPath is where a password-reset link leads; the token follows it.
const ResetPath = "/reset"

// PasswordReset is a "forgot your password" link.
type PasswordReset struct {
	// Name greets the recipient (their first name).
	Name string
	// Email is the address they sign in with.
	Email string
	// Token is the single-use token the link carries.
	Token string
	// ExpiresAt is when the link stops working.
	ExpiresAt time.Time
}

// Kind implements Content.
func (PasswordReset) Kind() Kind { return KindPasswordReset }

func (c PasswordReset) link(r *Renderer) string {
	return r.pageURL(strings.TrimPrefix(ResetPath, "/"), c.Token)
}

// ComposeReset renders a password-reset message for to, like
// ComposeInvitation: the outbox keeps its bodies, link included, and the
// token stays usable only until it is used, replaced or expires (an hour by
// default).
func (r *Renderer) ComposeReset(key string, to Recipient, c PasswordReset, at time.Time) (Message, error) {
	if c.Token == "" {
		return Message{}, errors.New("compose password reset: no token")
	}
	tpl, err := resetTemplates()
	if err != nil {
		return Message{}, err
	}
	return r.composeLink(tpl, key, KindPasswordReset, to, c, at)
}

func (r *Renderer) composeLink(tpl *invitationPair, key string, kind Kind, to Recipient, c Content, at time.Time) (Message, error) {
	v := view{Link: c.link(r), Site: r.baseURL.Host, Org: r.Org, Msg: c}
	var b bytes.Buffer
	if err := tpl.text.ExecuteTemplate(&b, "subject", v); err != nil {
		return Message{}, fmt.Errorf("render %s subject: %w", kind, err)
	}
	v.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := tpl.text.ExecuteTemplate(&b, "layout", v); err != nil {
		return Message{}, fmt.Errorf("render %s text: %w", kind, err)
	}
	text := tidyText(b.String())
	b.Reset()
	if err := tpl.html.ExecuteTemplate(&b, "layout", v); err != nil {
		return Message{}, fmt.Errorf("render %s HTML: %w", kind, err)
	}
	return Message{
		DedupeKey: key, Kind: kind, RecipientEmployeeID: to.EmployeeID,
		ToAddress: to.Address, ToName: to.Name, Subject: v.Subject, Text: text, HTML: b.String(), At: at,
	}, nil
}
