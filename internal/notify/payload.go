package notify

import (
	"encoding/json"
	"fmt"
	"strings"
)

// payload is what an outbox row keeps instead of its rendered bodies: the
// message's typed content as JSON, tagged with its type. Rendering it with
// the row's dedupe key and created time gives the same message every time.
type payload struct {
	// Type is the content's kind, or KindDigest for a Digest (which may be
	// stored under one kind when its items share it).
	Type    Kind            `json:"t"`
	Content json.RawMessage `json:"c"`
	// SetPassword is the set-password link the message carries for a
	// person without a password (see Notifier.Invite); nil for none.
	SetPassword *SetPassword `json:"p,omitempty"`
}

// withSetPassword adds a set-password link to e's payload. An entry made
// by this process keeps its content's JSON (payloadBody), and the payload
// is put together again around it; otherwise the payload is decoded and
// encoded again. Either way the result is what encoding the payload with
// the link gives.
func withSetPassword(e *Entry, sp SetPassword) error {
	if e.payloadBody != nil {
		out, err := payloadJSON(e.payloadType, e.payloadBody, &sp)
		if err != nil {
			return err
		}
		e.Payload = out
		return nil
	}
	out, err := decodeWithSetPassword(e.Payload, sp)
	if err != nil {
		return err
	}
	e.Payload = out
	return nil
}

// decodeWithSetPassword adds a set-password link to an encoded payload.
func decodeWithSetPassword(s string, sp SetPassword) (string, error) {
	var p payload
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return "", fmt.Errorf("read message payload: %w", err)
	}
	p.SetPassword = &sp
	out, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encode message payload: %w", err)
	}
	return string(out), nil
}

// encodePayload encodes c as a payload, and also returns its type and the
// content's own JSON, from which payloadJSON puts the same payload together
// again with a set-password link.
func encodePayload(c Content) (string, Kind, []byte, error) {
	typ := c.Kind()
	if _, ok := c.(Digest); ok {
		typ = KindDigest
	}
	if _, err := contentFor(typ); err != nil {
		return "", "", nil, err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", "", nil, fmt.Errorf("encode %s message: %w", typ, err)
	}
	out, err := payloadJSON(typ, body, nil)
	if err != nil {
		return "", "", nil, err
	}
	return out, typ, body, nil
}

// payloadJSON is json.Marshal(payload{typ, body, sp}) without scanning
// body again: body is json.Marshal's own output, already compact and
// escaped as Marshal escapes a RawMessage (a digest's is kilobytes, and an
// import encodes a hundred thousand).
func payloadJSON(typ Kind, body []byte, sp *SetPassword) (string, error) {
	t, err := json.Marshal(typ)
	if err != nil {
		return "", fmt.Errorf("encode %s message: %w", typ, err)
	}
	var b strings.Builder
	b.Grow(len(body) + len(t) + 16)
	b.WriteString(`{"t":`)
	b.Write(t)
	b.WriteString(`,"c":`)
	b.Write(body)
	if sp != nil {
		link, err := json.Marshal(sp)
		if err != nil {
			return "", fmt.Errorf("encode %s message: %w", typ, err)
		}
		b.WriteString(`,"p":`)
		b.Write(link)
	}
	b.WriteString("}")
	return b.String(), nil
}

// decodePayload reads a row's payload back into its content.
func decodePayload(s string) (Content, error) {
	c, _, err := decodePayloadLink(s)
	return c, err
}

// decodePayloadLink reads a row's payload back into its content and the
// set-password link it carries, if any.
func decodePayloadLink(s string) (Content, *SetPassword, error) {
	var p payload
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, nil, fmt.Errorf("read message payload: %w", err)
	}
	c, err := contentOf(p)
	return c, p.SetPassword, err
}

func contentOf(p payload) (Content, error) {
	c, err := contentFor(p.Type)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(p.Content, c); err != nil {
		return nil, fmt.Errorf("read %s message payload: %w", p.Type, err)
	}
	// contentFor returns a pointer for Unmarshal; the renderer takes values.
	switch v := c.(type) {
	case *Assigned:
		return *v, nil
	case *WindowOpen:
		return *v, nil
	case *DueSoon:
		return *v, nil
	case *DueToday:
		return *v, nil
	case *Overdue:
		return *v, nil
	case *Escalation:
		return *v, nil
	case *Expired:
		return *v, nil
	case *Completed:
		return *v, nil
	case *Nudge:
		return *v, nil
	case *Digest:
		return *v, nil
	case *AttemptsGranted:
		return *v, nil
	case *AttemptsUsedUp:
		return *v, nil
	case *ManagerReminder:
		return *v, nil
	}
	return nil, fmt.Errorf("read message payload: unknown type %q", p.Type)
}

// contentFor returns a pointer to a zero content of type k, for decoding.
func contentFor(k Kind) (Content, error) {
	switch k {
	case KindAssigned:
		return &Assigned{}, nil
	case KindWindowOpen:
		return &WindowOpen{}, nil
	case KindDueSoon:
		return &DueSoon{}, nil
	case KindDueToday:
		return &DueToday{}, nil
	case KindOverdue:
		return &Overdue{}, nil
	case KindEscalation:
		return &Escalation{}, nil
	case KindExpired:
		return &Expired{}, nil
	case KindCompleted:
		return &Completed{}, nil
	case KindNudge:
		return &Nudge{}, nil
	case KindDigest:
		return &Digest{}, nil
	case KindAttemptsGranted:
		return &AttemptsGranted{}, nil
	case KindAttemptsUsedUp:
		return &AttemptsUsedUp{}, nil
	case KindManagerReminder:
		return &ManagerReminder{}, nil
	}
	return nil, fmt.Errorf("a %q message cannot be kept as a payload", k)
}

// RenderEntry fills e's subject, bodies and attachments from its payload,
// as they are sent: rendered with the row's dedupe key and created time,
// never the delivery time, so every try (and HR's view of it) is the same
// message. A row written before payloads existed (empty payload) keeps the
// bodies it was stored with.
func (r *Renderer) RenderEntry(e *Entry) error {
	if e.Payload == "" {
		return nil
	}
	c, sp, err := decodePayloadLink(e.Payload)
	if err != nil {
		return fmt.Errorf("outbox message %s: %w", e.ID, err)
	}
	out, err := r.renderWith(e.DedupeKey, c, e.CreatedAt.UTC(), sp)
	if err != nil {
		return fmt.Errorf("outbox message %s: %w", e.ID, err)
	}
	e.Subject, e.TextBody, e.HTMLBody, e.Attachments = out.Subject, out.Text, out.HTML, out.Attachments
	if e.Attachments == nil {
		e.Attachments = []Attachment{}
	}
	return nil
}

// render is delivery's one step for payload rows: the message is rendered
// here, just before it is sent. A payload that cannot be rendered never
// will be, so the error is final.
func (d *Deliverer) render(e *Entry) error {
	if e.Payload == "" {
		return nil
	}
	if d.Renderer == nil {
		return fmt.Errorf("outbox message %s: no renderer for its payload", e.ID)
	}
	if err := d.Renderer.RenderEntry(e); err != nil {
		return fmt.Errorf("could not be rendered: %w", err)
	}
	return nil
}
