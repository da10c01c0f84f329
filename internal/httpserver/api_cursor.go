package httpserver

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
)

// API lists are paged with an opaque cursor: the position (time, ID) of the
// last item of the page before. Items are ordered by that pair, which never
// changes for an item, so walking the pages gives every item once, with no
// gaps and no repeats, even while new items are added.
const (
	apiDefaultLimit = 100
	apiMaxLimit     = 1000
)

// apiCursor is the position after which the next page starts.
type apiCursor struct {
	At time.Time `json:"t"`
	ID string    `json:"id"`
}

func (c apiCursor) encode() string {
	b, _ := json.Marshal(apiCursor{At: c.At.UTC(), ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// apiPage is the paging of one list call.
type apiPage struct {
	after *apiCursor
	limit int
}

// apiPaging reads ?cursor= and ?limit=; a bad value is answered with 400.
func apiPaging(c echo.Context) (apiPage, error) {
	p := apiPage{limit: apiDefaultLimit}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > apiMaxLimit {
			return p, apperr.New(apperr.Malformed, "limit must be a whole number from 1 to "+strconv.Itoa(apiMaxLimit)+".")
		}
		p.limit = n
	}
	if s := c.QueryParam("cursor"); s != "" {
		var cur apiCursor
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
		if err == nil {
			err = json.Unmarshal(b, &cur)
		}
		if err != nil || cur.ID == "" || cur.At.IsZero() {
			return p, apperr.New(apperr.Malformed, "The cursor is not one this API gave out; start again without it.")
		}
		p.after = &cur
	}
	return p, nil
}

// apiListPage starts a list call: it refuses a query parameter the list
// does not take (limit and cursor, and takes) and a course Onramp never
// had, and reads the page.
func (s *Server) apiListPage(c echo.Context, takes ...string) (apiPage, error) {
	if err := apiCheckQuery(c, append([]string{"limit", "cursor"}, takes...)...); err != nil {
		return apiPage{}, err
	}
	if err := s.apiCheckCourse(c); err != nil {
		return apiPage{}, err
	}
	return apiPaging(c)
}

// keyset is the page as the domain lists take it.
func (p apiPage) keyset() compliance.Keyset {
	k := compliance.Keyset{Limit: p.limit}
	if p.after != nil {
		k.AfterAt, k.AfterID = p.after.At, p.after.ID
	}
	return k
}

// apiList is the body of every list: the items, and the cursor of the next
// page (null on the last).
type apiList[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
	HasMore    bool    `json:"has_more"`
}

// apiListOf cuts the extra item off and sets the next cursor from the last
// item kept.
func apiListOf[T any](items []T, limit int, position func(T) apiCursor) apiList[T] {
	out := apiList[T]{Data: items}
	if out.Data == nil {
		out.Data = []T{}
	}
	if len(items) > limit {
		out.Data = items[:limit]
		next := position(out.Data[limit-1]).encode()
		out.NextCursor, out.HasMore = &next, true
	}
	return out
}
