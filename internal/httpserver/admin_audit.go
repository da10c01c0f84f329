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
	"gorm.io/gorm"

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

// auditLikePattern makes s a LIKE pattern matching it anywhere, with LIKE's own
// wildcards in s taken literally (escaped with a backslash).
func auditLikePattern(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s))
	return "%" + s + "%"
}

// apply adds the filters (not the paging) to a query of audit_log.
func (aq auditQuery) apply(q *gorm.DB) *gorm.DB {
	f := aq.view
	if aq.from != nil {
		q = q.Where("at >= ?", *aq.from)
	}
	if aq.to != nil {
		q = q.Where("at < ?", *aq.to)
	}
	if f.Actor != "" {
		q = q.Where(`(actor_id = ? OR LOWER(actor_name) LIKE ? ESCAPE '\')`, f.Actor, auditLikePattern(f.Actor))
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.Query != "" {
		q = q.Where(`(entity_id = ? OR LOWER(summary) LIKE ? ESCAPE '\')`, f.Query, auditLikePattern(f.Query))
	}
	return q
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
	res, err := audit.Verify(c.Request().Context(), s.DB)
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
	if err := s.DB.WithContext(ctx).Model(&audit.Entry{}).Distinct("entity_type").Order("entity_type").
		Pluck("entity_type", &v.EntityTypes).Error; err != nil {
		return v, err
	}
	if problem != "" {
		return v, nil
	}
	q := aq.apply(s.DB.WithContext(ctx).Model(&audit.Entry{}))
	var entries []audit.Entry
	var err error
	switch {
	case aq.after > 0:
		// Newer entries: the oldest ones above the cursor, shown newest first.
		err = q.Where("seq > ?", aq.after).Order("seq").Limit(auditPageSize + 1).Find(&entries).Error
		more := len(entries) > auditPageSize
		if more {
			entries = entries[:auditPageSize]
		}
		for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
			entries[i], entries[j] = entries[j], entries[i]
		}
		if len(entries) > 0 {
			if more {
				v.NewerURL = auditPageURL(aq, "after", entries[0].Seq)
			}
			v.OlderURL = auditPageURL(aq, "before", entries[len(entries)-1].Seq)
		}
	default:
		if aq.before > 0 {
			q = q.Where("seq < ?", aq.before)
		}
		err = q.Order("seq DESC").Limit(auditPageSize + 1).Find(&entries).Error
		more := len(entries) > auditPageSize
		if more {
			entries = entries[:auditPageSize]
		}
		if len(entries) > 0 {
			if more {
				v.OlderURL = auditPageURL(aq, "before", entries[len(entries)-1].Seq)
			}
			if aq.before > 0 {
				v.NewerURL = auditPageURL(aq, "after", entries[0].Seq)
			}
		}
	}
	if err != nil {
		return v, err
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
