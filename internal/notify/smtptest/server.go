// Package smtptest runs a real SMTP server inside a test, on 127.0.0.1, that
// keeps every message it accepts, parsed (headers, the plain-text and HTML
// parts, attachments). It can be taken down and brought back on the same
// address, made to reject a recipient with any SMTP code, made to require
// a login, and made to misbehave in the ways real servers do (SetFault). It is for tests only: nothing in Onramp's binary imports it.
package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is an in-process SMTP server.
type Server struct {
	tb   testing.TB
	addr string

	mu       sync.Mutex
	srv      *smtp.Server
	listener net.Listener
	messages []*Message
	rejects  map[string]*smtp.SMTPError
	user     string
	pass     string
	fault    Fault
	latency  time.Duration
	conns    int
	faulty   map[net.Conn]struct{}
}

// Start listens on 127.0.0.1 on a free port and stops when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tb: tb, rejects: map[string]*smtp.SMTPError{}, faulty: map[net.Conn]struct{}{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	s.serve(l)
	tb.Cleanup(s.Down)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the ONRAMP_SMTP_URL that reaches the server (no TLS, on loopback).
func (s *Server) URL() string { return "smtp://" + s.addr + "?tls=none" }

// URLWithLogin is URL with a user name and password.
func (s *Server) URLWithLogin(user, pass string) string {
	return "smtp://" + user + ":" + pass + "@" + s.addr + "?tls=none"
}

// RequireLogin makes the server refuse mail until a client logs in with
// user and pass (AUTH PLAIN).
func (s *Server) RequireLogin(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// Reject makes the server answer RCPT TO for address with code and text,
// for example 550 "no such user" (permanent) or 451 "try later".
func (s *Server) Reject(address string, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects[strings.ToLower(address)] = &smtp.SMTPError{
		Code:         code,
		EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0},
		Message:      text,
	}
}

// SetLatency makes the server take d to accept each message (between the
// end of DATA and its 250), like a busy relay.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Accept undoes Reject for address.
func (s *Server) Accept(address string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rejects, strings.ToLower(address))
}

// Down stops the server: connections to its address are refused until Up.
func (s *Server) Down() {
	s.mu.Lock()
	srv, l := s.srv, s.listener
	s.srv, s.listener = nil, nil
	faulty := make([]net.Conn, 0, len(s.faulty))
	for c := range s.faulty {
		faulty = append(faulty, c)
	}
	s.mu.Unlock()
	for _, c := range faulty {
		_ = c.Close()
	}
	if l != nil {
		// Closed here as well: Serve may not have taken the listener yet.
		_ = l.Close()
	}
	if srv != nil {
		_ = srv.Close()
	}
}

// Up listens again on the same address after Down.
func (s *Server) Up() {
	s.tb.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return
	}
	var l net.Listener
	var err error
	// The port was ours a moment ago; give the kernel a moment if it
	// still holds it.
	for i := 0; i < 50; i++ {
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.tb.Fatalf("smtptest: listen again on %s: %v", s.addr, err)
	}
	s.serve(l)
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "smtptest.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = discardLogger{}
	s.mu.Lock()
	s.srv, s.listener = srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(countingListener{Listener: l, s: s}) }()
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.messages...)
}

// Reset forgets the messages accepted so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
}

// ByMessageID groups the accepted messages by Message-ID, to check that
// each arrived exactly once.
func (s *Server) ByMessageID() map[string][]*Message {
	out := map[string][]*Message{}
	for _, m := range s.Messages() {
		out[m.MessageID] = append(out[m.MessageID], m)
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &session{server: s, needLogin: s.user != ""}, nil
}

type session struct {
	server    *Server
	needLogin bool
	from      string
	to        []string
}

func (ss *session) AuthMechanisms() []string {
	if !ss.needLogin {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.server.mu.Lock()
		defer ss.server.mu.Unlock()
		if user != ss.server.user || pass != ss.server.pass {
			return smtp.ErrAuthFailed
		}
		ss.needLogin = false
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.needLogin {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.server.mu.Lock()
	rej := ss.server.rejects[strings.ToLower(to)]
	ss.server.mu.Unlock()
	if rej != nil {
		return rej
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.server.mu.Lock()
	wait := ss.server.latency
	ss.server.mu.Unlock()
	time.Sleep(wait)
	ss.server.keep(raw, ss.from, ss.to)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// errNoParts is returned by Parse for a message without a text part.
var errNoParts = errors.New("smtptest: message has no text/plain part")

// String summarises a message for test failures.
func (m *Message) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Message-ID %s to %v: %q", m.MessageID, m.To, m.Subject)
	return b.String()
}
