package notify

import (
	"encoding/json"
	"testing"
	"time"
)

// TestPayloadIsWhatMarshalGives: the payload put together around the
// content's JSON (payloadJSON, and withSetPassword on an entry the Notifier
// made) is byte for byte what json.Marshal of the payload gives, with and
// without a set-password link, for content that needs escaping; and the
// set-password link added the quick way reads back like the one added by
// decoding.
func TestPayloadIsWhatMarshalGives(t *testing.T) {
	due := time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)
	c := Digest{Name: "Zoë <Ann> & \u2028co", Items: []Item{
		{Assigned: &Assigned{Course: CourseRef{ID: "fire", Title: "Fire <Safety> & \"you\""}, DueAt: due, Reason: "due 4 January 2027: 30 days after\u2029", EstimatedMinutes: 60}},
		{DueSoon: &DueSoon{Course: CourseRef{ID: "hand", Title: "Hand Hygiene"}, DueAt: due}},
	}}
	sp := SetPassword{Token: "tok<en>&", ExpiresAt: due}

	got, typ, body, err := encodePayload(c)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(payload{Type: KindDigest, Content: body})
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
	wantLink, err := json.Marshal(payload{Type: KindDigest, Content: body, SetPassword: &sp})
	if err != nil {
		t.Fatal(err)
	}

	quick := Entry{Payload: got, payloadType: typ, payloadBody: body}
	if err := withSetPassword(&quick, sp); err != nil {
		t.Fatal(err)
	}
	if quick.Payload != string(wantLink) {
		t.Errorf("payload with a link\n got %s\nwant %s", quick.Payload, wantLink)
	}
	// An entry read back from the outbox has only its Payload.
	slow := Entry{Payload: got}
	if err := withSetPassword(&slow, sp); err != nil {
		t.Fatal(err)
	}
	if slow.Payload != quick.Payload {
		t.Errorf("link added by decoding\n got %s\nwant %s", slow.Payload, quick.Payload)
	}
	back, link, err := decodePayloadLink(quick.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := back.(Digest); !ok || d.Name != c.Name || len(d.Items) != 2 || d.Items[0].Assigned.Course.Title != c.Items[0].Assigned.Course.Title {
		t.Errorf("read back %#v, want the digest", back)
	}
	if link == nil || link.Token != sp.Token || !link.ExpiresAt.Equal(sp.ExpiresAt) {
		t.Errorf("read back link %+v, want %+v", link, sp)
	}
}
