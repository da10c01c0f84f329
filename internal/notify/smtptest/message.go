package smtptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Message is one message the server accepted.
type Message struct {
	// From and To are the envelope (MAIL FROM, RCPT TO).
	From string
	To   []string
	// Raw is the message as received.
	Raw    []byte
	Header mail.Header
	// Subject is decoded (RFC 2047).
	Subject   string
	MessageID string
	// Text and HTML are the decoded bodies of the text/plain and text/html
	// parts.
	Text        string
	HTML        string
	Attachments []Attachment
	// ParseErr is set when the message could not be taken apart.
	ParseErr error
}

// Attachment is a part with a file name.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Parse takes a message apart: headers, the text and HTML bodies, and the
// attachments, decoding transfer encodings.
func Parse(raw []byte) (*Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("smtptest: read message: %w", err)
	}
	m := &Message{Raw: raw, Header: msg.Header, MessageID: msg.Header.Get("Message-ID")}
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, fmt.Errorf("smtptest: subject: %w", err)
	}
	if err := m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Header.Get("Content-Disposition"), msg.Body); err != nil {
		return m, err
	}
	if m.Text == "" {
		return m, errNoParts
	}
	return m, nil
}

func (m *Message) walk(contentType, encoding, disposition string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("smtptest: content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("smtptest: %s part: %w", mediaType, err)
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p); err != nil {
				return err
			}
		}
	}
	data, err := decode(encoding, body)
	if err != nil {
		return fmt.Errorf("smtptest: %s body: %w", mediaType, err)
	}
	filename := ""
	if disposition != "" {
		if _, dp, err := mime.ParseMediaType(disposition); err == nil {
			filename = dp["filename"]
		}
	}
	if filename == "" {
		filename = params["name"]
	}
	switch {
	case filename != "":
		m.Attachments = append(m.Attachments, Attachment{Filename: filename, ContentType: contentType, Data: data})
	case mediaType == "text/plain" && m.Text == "":
		m.Text = string(data)
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = string(data)
	default:
		m.Attachments = append(m.Attachments, Attachment{ContentType: contentType, Data: data})
	}
	return nil
}

func decode(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return io.ReadAll(base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: body}))
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	default:
		return io.ReadAll(body)
	}
}

// stripNewlines drops CR and LF, which base64 bodies are wrapped with.
type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
