package httpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/sso"
	"github.com/onramp-lms/onramp/web/views"
)

// auditPageSize is how many entries one page of the trail shows.
const auditPageSize = 50

// auditActions are the actions the filter offers.
var auditActions = []string{
	audit.ActionAttest, audit.ActionComplete, audit.ActionCreate, audit.ActionDeactivate, audit.ActionExempt,
	audit.ActionExport, audit.ActionExtend, audit.ActionImport, audit.ActionInvite, audit.ActionPasswordReset,
	audit.ActionPublish, audit.ActionResetRequest, audit.ActionRevoke, audit.ActionUpdate,
	sso.ActionLink, sso.ActionRefuse,
}

// auditQuery is a parsed filter of the trail.
type auditQuery struct {
	view views.AuditFilter
	from *time.Time
	// to is the start of the day after the last day asked for.
	to *time.Time
	// before and after page by sequence number (0 for none).
	before, after int64
}

// parseAuditQuery reads the filters; a problem comes back as a sentence.
func parseAuditQuery(q url.Values) (auditQuery, string) {
	aq := auditQuery{view: views.AuditFilter{
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"),
		EntityType: strings.TrimSpace(q.Get("entity_type")), Query: strings.TrimSpace(q.Get("q")),
	}}
	for _, f := range []*string{&aq.view.Actor, &aq.view.EntityType, &aq.view.Query} {
		if len(*f) > 200 {
			*f = (*f)[:200]
		}
	}
	if aq.view.Action != "" && !slices.Contains(auditActions, aq.view.Action) {
		return aq, "Choose an action from the list."
	}
	day := func(s, what string) (*time.Time, string) {
		if s == "" {
			return nil, ""
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, "The " + what + " date is not a date; use YYYY-MM-DD, e.g. 2026-03-01."
		}
		return &t, ""
	}
	var msg string
	if aq.from, msg = day(aq.view.From, "“from”"); msg != "" {
		return aq, msg
	}
	if aq.to, msg = day(aq.view.To, "“to”"); msg != "" {
		return aq, msg
	}
	if aq.to != nil {
		next := aq.to.AddDate(0, 0, 1)
		aq.to = &next
	}
	if aq.from != nil && aq.to != nil && !aq.from.Before(*aq.to) {
		return aq, "The “from” date is after the “to” date."
	}
	aq.before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	aq.after, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	return aq, ""
}

// search is the query of the trail the filters ask for.
func (aq auditQuery) search() audit.Query {
	f := aq.view
	return audit.Query{From: aq.from, To: aq.to, Actor: f.Actor, Action: f.Action, EntityType: f.EntityType, Text: f.Query}
}

// values turns the filters back into query parameters, for paging links.
func (aq auditQuery) values() url.Values {
	v := url.Values{}
	f := aq.view
	for k, x := range map[string]string{"from": f.From, "to": f.To, "actor": f.Actor, "action": f.Action, "entity_type": f.EntityType, "q": f.Query} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// adminAudit shows the trail, newest first, a page at a time by sequence
// number, so a page stays put while new entries are written.
func (s *Server) adminAudit(c echo.Context) error {
	aq, problem := parseAuditQuery(c.QueryParams())
	v, err := s.auditView(c, aq, problem)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	return render(c, status, views.AdminAudit(s.page(c, "Audit trail", "admin"), v))
}

// adminAuditVerify checks the whole chain and shows the outcome above the
// newest entries. It changes nothing.
func (s *Server) adminAuditVerify(c echo.Context) error {
	res, err := s.Audit.Verify(c.Request().Context())
	if err != nil {
		return err
	}
	vr := &views.AuditVerifyResult{OK: res.OK(), Entries: res.Entries, Problem: res.Problem}
	if b := res.Broken; b != nil {
		vr.BrokenSeq, vr.BrokenAt, vr.BrokenSummary = b.Seq, b.At.UTC().Format(auditStamp), b.Summary
	}
	if !vr.OK {
		s.Log.Error("audit trail verification failed", "problem", res.Problem, "entry", vr.BrokenSeq)
	}
	v, err := s.auditView(c, auditQuery{}, "")
	if err != nil {
		return err
	}
	v.Verify = vr
	return render(c, http.StatusOK, views.AdminAudit(s.page(c, "Audit trail", "admin"), v))
}

const auditStamp = "2 Jan 2006 15:04:05 UTC"

func (s *Server) auditView(c echo.Context, aq auditQuery, problem string) (views.AuditView, error) {
	ctx := c.Request().Context()
	v := views.AuditView{Filter: aq.view, Actions: auditActions, Error: problem}
	var err error
	if v.EntityTypes, err = s.Audit.EntityTypes(ctx); err != nil {
		return v, err
	}
	if problem != "" {
		return v, nil
	}
	entries, more, err := s.Audit.Search(ctx, aq.search(), aq.before, aq.after, auditPageSize)
	if err != nil {
		return v, err
	}
	if len(entries) > 0 {
		newest, oldest := entries[0].Seq, entries[len(entries)-1].Seq
		if aq.after > 0 {
			// Newer entries: the oldest ones above the cursor, shown newest first.
			if more {
				v.NewerURL = auditPageURL(aq, "after", newest)
			}
			v.OlderURL = auditPageURL(aq, "before", oldest)
		} else {
			if more {
				v.OlderURL = auditPageURL(aq, "before", oldest)
			}
			if aq.before > 0 {
				v.NewerURL = auditPageURL(aq, "after", newest)
			}
		}
	}
	for _, e := range entries {
		actor := e.ActorName
		if actor == "" {
			actor = "Onramp (system)"
		}
		v.Rows = append(v.Rows, views.AuditRow{
			Seq: e.Seq, At: e.At.UTC().Format(auditStamp), Actor: actor, Action: e.Action, EntityType: e.EntityType,
			EntityID: e.EntityID, EntityURL: auditEntityURL(e), Summary: e.Summary, Details: prettyJSON(e.Details), Hash: e.Hash,
		})
	}
	return v, nil
}

func auditPageURL(aq auditQuery, key string, seq int64) string {
	v := aq.values()
	v.Set(key, strconv.FormatInt(seq, 10))
	return "/admin/audit?" + v.Encode()
}

// auditEntityURL links the entries whose entity has a page.
func auditEntityURL(e audit.Entry) string {
	if e.EntityID == "" {
		return ""
	}
	switch e.EntityType {
	case "employee":
		return "/admin/people/" + url.PathEscape(e.EntityID) + "/transcript"
	case "token":
		return "/admin/tokens"
	}
	return ""
}

// prettyJSON indents an entry's details for reading; text that is not JSON
// is shown as it is.
func prettyJSON(s string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}
