package httpserver

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/web/views"
)

const outboxPageSize = 50

// adminOutbox is HR's delivery log: every queued message, its state,
// attempts and last error.
func (s *Server) adminOutbox(c echo.Context) error {
	ctx := c.Request().Context()
	state := notify.State(c.QueryParam("state"))
	valid := state == ""
	var states []string
	for _, st := range notify.States {
		states = append(states, string(st))
		valid = valid || st == state
	}
	if !valid {
		return apperr.New(apperr.Malformed, "Unknown state: choose one from the list.")
	}
	// A page is read from a position (?before= for older messages,
	// ?after= for newer), so it costs the same however long the log is.
	paging := notify.Paging{Limit: outboxPageSize}
	var err error
	if paging.After, paging.Before, err = pagePosition(c, notify.ParsePosition); err != nil {
		return err
	}
	entries, more, err := s.Outbox.List(ctx, notify.Filter{State: state}, paging)
	if err != nil {
		return err
	}
	counts, err := s.Outbox.CountByState(ctx)
	if err != nil {
		return err
	}
	v := views.OutboxView{State: string(state), States: states, Counts: map[string]int{}, SMTP: s.SMTPConfigured}
	for st, n := range counts {
		v.Counts[string(st)] = n
	}
	if len(entries) > 0 {
		link := func(dir string, e notify.Entry) string {
			q := url.Values{}
			if state != "" {
				q.Set("state", string(state))
			}
			q.Set(dir, e.Position().String())
			return "/admin/outbox?" + q.Encode()
		}
		newest, oldest := entries[0], entries[len(entries)-1]
		if paging.After != nil {
			// Newer messages: the oldest ones above the position, shown
			// newest first.
			if more {
				v.NewerURL = link("after", newest)
			}
			v.OlderURL = link("before", oldest)
		} else {
			if more {
				v.OlderURL = link("before", oldest)
			}
			if paging.Before != nil {
				v.NewerURL = link("after", newest)
			}
		}
	}
	for _, e := range entries {
		v.Rows = append(v.Rows, outboxRow(e))
	}
	return render(c, http.StatusOK, views.AdminOutbox(s.page(c, "E-mail delivery log", "admin"), v))
}

func outboxRow(e notify.Entry) views.OutboxRow {
	const stamp = "2 Jan 2006 15:04 UTC"
	row := views.OutboxRow{
		ID: e.ID, Kind: string(e.Kind), To: e.ToAddress, Subject: e.Subject, State: string(e.State),
		Attempts: e.Attempts, LastError: e.LastError, Created: e.CreatedAt.UTC().Format(stamp), Dead: e.State == notify.StateDead,
	}
	if e.SentAt != nil {
		row.Sent = e.SentAt.UTC().Format(stamp)
	}
	if !e.NextAttemptAt.IsZero() {
		row.NextTry = e.NextAttemptAt.UTC().Format(stamp)
	}
	return row
}

// adminOutboxMessage shows one message as it is sent: a row kept as a
// payload is rendered here exactly as delivery renders it.
func (s *Server) adminOutboxMessage(c echo.Context) error {
	e, err := s.Outbox.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v := views.OutboxMessageView{Row: outboxRow(e), ToName: e.ToName, Text: e.TextBody}
	for _, a := range e.Attachments {
		v.Attachments = append(v.Attachments, a.Name)
	}
	return render(c, http.StatusOK, views.AdminOutboxMessage(s.page(c, e.Subject, "admin"), v))
}

// adminOutboxRetry puts a dead message back in the queue.
func (s *Server) adminOutboxRetry(c echo.Context) error {
	err := s.Outbox.Retry(c.Request().Context(), c.Param("id"), s.Clock.Now())
	if err != nil {
		return err
	}
	return redirectSeeOther(c, "/admin/outbox?state=pending")
}
