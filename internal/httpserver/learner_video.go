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
// {from, to, position} in seconds. The server decides what to credit; a
// refused beacon (skipping ahead on the first viewing) answers 422.
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
		return learnerError(err)
	}
	reply := beaconReply{
		Accepted: vv.Credit.Accepted, Message: vv.Credit.Refusal, CreditedSeconds: vv.Credit.CreditedSeconds,
		WatchedSeconds: vv.State.WatchedSeconds(), WatchedPercent: int(math.Floor(vv.State.WatchedFraction() * 100)),
		FurthestSeconds: vv.State.FurthestSeconds, PositionSeconds: vv.State.PositionSeconds,
		DurationSeconds: vv.State.DurationSeconds, Done: vv.Done, CourseCompleted: vv.CourseCompleted,
	}
	if vv.Done {
		reply.NextURL = afterStep(j, m, st)
	}
	noStore(c)
	status := http.StatusOK
	if !vv.Credit.Accepted {
		status = http.StatusUnprocessableEntity
	}
	return c.JSON(status, reply)
}
