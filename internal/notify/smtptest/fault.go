package smtptest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"time"
)

// Fault is a way the server misbehaves, for testing what a client records
// in each case. FaultNone is a well-behaved server.
type Fault int

// The faults a Server can be given with SetFault.
const (
	FaultNone Fault = iota
	// FaultGreeting421 answers the connection with 421 and closes it.
	FaultGreeting421
	// FaultRcpt451 answers RCPT TO with 451 (try again later).
	FaultRcpt451
	// FaultRcpt550 answers RCPT TO with 550 (no such user).
	FaultRcpt550
	// FaultDropMidData closes the connection while the message is being
	// sent, before the final dot.
	FaultDropMidData
	// FaultData451 answers the end of DATA with 451: not accepted.
	FaultData451
	// FaultData554 answers the end of DATA with 554: rejected for good.
	FaultData554
	// FaultDropAfter250 accepts the message (250 to the end of DATA) and
	// closes the connection at once.
	FaultDropAfter250
	// FaultRset502 accepts the message, then answers RSET with 502.
	FaultRset502
	// FaultSilent accepts connections and never says a word.
	FaultSilent
)

var faultNames = map[Fault]string{
	FaultNone: "none", FaultGreeting421: "421 at greeting", FaultRcpt451: "451 at RCPT",
	FaultRcpt550: "550 at RCPT", FaultDropMidData: "drop mid-DATA", FaultData451: "451 after DATA",
	FaultData554: "554 after DATA", FaultDropAfter250: "drop right after 250", FaultRset502: "502 to RSET",
	FaultSilent: "never answers",
}

func (f Fault) String() string { return faultNames[f] }

// SetFault makes the server misbehave as f from the next connection on
// (FaultNone for the normal server). A faulty server speaks a minimal SMTP
// without login or TLS; a message it accepts (250 to the end of DATA) is kept
// like any other.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Connections is how many connections the server has accepted so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// countingListener counts connections and hands the faulty ones to
// serveFault instead of go-smtp.
type countingListener struct {
	net.Listener
	s *Server
}

func (l countingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.s.mu.Lock()
		l.s.conns++
		f := l.s.fault
		if f != FaultNone {
			l.s.faulty[c] = struct{}{}
		}
		l.s.mu.Unlock()
		if f == FaultNone {
			return c, nil
		}
		go l.s.serveFault(c, f)
	}
}

func (s *Server) serveFault(c net.Conn, f Fault) {
	defer func() {
		_ = c.Close()
		s.mu.Lock()
		delete(s.faulty, c)
		s.mu.Unlock()
	}()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) bool {
		_, err := io.WriteString(c, line+"\r\n")
		return err == nil
	}
	switch f {
	case FaultGreeting421:
		say("421 4.3.2 smtptest.localhost Service not available, closing")
		return
	case FaultSilent:
		// Read until the client gives up or the server goes down.
		_, _ = io.Copy(io.Discard, r)
		return
	}
	if !say("220 smtptest.localhost ESMTP") {
		return
	}
	var from string
	var to []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			say("250-smtptest.localhost\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES")
		case "HELO", "NOOP":
			say("250 2.0.0 OK")
		case "MAIL":
			from = addrArg(arg)
			say("250 2.1.0 OK")
		case "RCPT":
			switch f {
			case FaultRcpt451:
				say("451 4.3.0 Try again later")
			case FaultRcpt550:
				say("550 5.1.1 No such user here")
			default:
				to = append(to, addrArg(arg))
				say("250 2.1.5 OK")
			}
		case "DATA":
			if !say("354 End data with <CR><LF>.<CR><LF>") {
				return
			}
			var raw bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if f == FaultDropMidData {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				raw.WriteString(strings.TrimPrefix(l, "."))
			}
			switch f {
			case FaultData451:
				say("451 4.3.0 Temporary failure, try again")
				continue
			case FaultData554:
				say("554 5.6.0 Message rejected")
				continue
			}
			s.keep(raw.Bytes(), from, to)
			say("250 2.0.0 OK queued")
			if f == FaultDropAfter250 {
				return
			}
		case "RSET":
			from, to = "", nil
			if f == FaultRset502 {
				say("502 5.5.1 Command not implemented")
			} else {
				say("250 2.0.0 OK")
			}
		case "QUIT":
			say("221 2.0.0 Bye")
			return
		default:
			say("500 5.5.2 Command not recognised")
		}
	}
}

// addrArg takes the address out of "FROM:<a@b> SIZE=1".
func addrArg(arg string) string {
	_, a, _ := strings.Cut(arg, "<")
	a, _, _ = strings.Cut(a, ">")
	return a
}

// keep stores an accepted message.
func (s *Server) keep(raw []byte, from string, to []string) {
	raw = append([]byte(nil), raw...)
	m, err := Parse(raw)
	if m == nil {
		m = &Message{Raw: raw}
	}
	m.ParseErr = err
	m.From = from
	m.To = append([]string(nil), to...)
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
}
