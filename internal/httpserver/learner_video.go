package httpserver

import (
	"encoding/json"
	"io"
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/learning"
)

// beaconReply tells the player what the server believed and where it stands.
type beaconReply struct {
	Accepted        bool    `json:"accepted"`
	Message         string  `json:"message,omitempty"`
	CreditedSeconds float64 `json:"credited_seconds"`
	// CreditedTo is where the believed part of the claim ended: short of
	// the claim's end when real time did not allow it all yet, so the
	// player reports the rest again later.
	CreditedTo float64 `json:"credited_to"`
	// ViewingEnded: the page's viewing is over (the player was opened
	// again elsewhere); it must be reloaded to record again.
	ViewingEnded    bool    `json:"viewing_ended,omitempty"`
	WatchedSeconds  float64 `json:"watched_seconds"`
	WatchedPercent  int     `json:"watched_percent"`
	FurthestSeconds float64 `json:"furthest_seconds"`
	PositionSeconds float64 `json:"position_seconds"`
	DurationSeconds float64 `json:"duration_seconds"`
	Done            bool    `json:"done"`
	CourseCompleted bool    `json:"course_completed"`
	NextURL         string  `json:"next_url,omitempty"`
}

// learnerVideoBeacon records one progress beacon from the player: a JSON
// {viewing, from, to, position}, the viewing being the ID the page was
// given and the rest in seconds. The server decides what to credit (no more
// than real time allows since the viewing began); a refused beacon
// (skipping ahead on the first viewing) answers 422, and one of a viewing
// that is over (the player was opened again elsewhere) 409.
func (s *Server) learnerVideoBeacon(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	var b learning.Beacon
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 4<<10)).Decode(&b); err != nil {
		return c.JSON(http.StatusBadRequest, map[string]string{"error": "The progress report could not be read."})
	}
	vv, err := s.Learning.RecordBeacon(c.Request().Context(), j, m, st, b)
	if err != nil {
		return err
	}
	reply := beaconReply{
		Accepted: vv.Credit.Accepted, Message: vv.Credit.Refusal, CreditedSeconds: vv.Credit.CreditedSeconds,
		CreditedTo: vv.Credit.Segment.To, ViewingEnded: vv.ViewingEnded,
		WatchedSeconds: vv.State.WatchedSeconds(), WatchedPercent: int(math.Floor(vv.State.WatchedFraction() * 100)),
		FurthestSeconds: vv.State.FurthestSeconds, PositionSeconds: vv.State.PositionSeconds,
		DurationSeconds: vv.State.DurationSeconds, Done: vv.Done, CourseCompleted: vv.CourseCompleted,
	}
	if vv.Done {
		reply.NextURL = afterStep(j, m, st)
	}
	noStore(c)
	status := http.StatusOK
	switch {
	case vv.ViewingEnded:
		status = http.StatusConflict
	case !vv.Credit.Accepted:
		status = http.StatusUnprocessableEntity
	}
	return c.JSON(status, reply)
}
