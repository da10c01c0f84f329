package db

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// Position is an item's place in a list ordered by a time and then an ID
// (a pair that does not change for the item), as a page link carries it:
// the next page starts after it, the previous one before it (keyset
// pagination, so a page costs the same however deep in the list it is).
type Position struct {
	At time.Time
	ID string
}

// ErrBadPosition is a position that Position.String did not write (a page
// link edited by hand, or cut short).
var ErrBadPosition = errors.New("not a page position")

// String is p as a page link carries it (URL-safe); ParsePosition reads it
// back.
func (p Position) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(p.At.UTC().Format(time.RFC3339Nano) + " " + p.ID))
}

// ParsePosition reads a Position written by Position.String; anything
// else is ErrBadPosition.
func ParsePosition(s string) (Position, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Position{}, ErrBadPosition
	}
	at, id, ok := strings.Cut(string(b), " ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return Position{}, ErrBadPosition
	}
	return Position{At: t.UTC(), ID: id}, nil
}
