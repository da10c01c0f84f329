package sso

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
)

// ActionCollapse is the audit action of the entries that stand for many
// refused sign-ins from one address (see RefusalAudit).
const ActionCollapse = "collapse_refusals"

// Defaults of RefusalAudit.
const (
	DefaultRefusalsPerAddress = 10
	DefaultRefusalsTotal      = 200
	DefaultRefusalWindow      = 10 * time.Minute
	// maxAddresses bounds the memory a flood from many addresses takes;
	// past it, new addresses share one window, "many addresses".
	maxAddresses = 10000
)

// RefusalAudit records refused single sign-ons in the audit trail, one
// entry each, until an address (an IPv4 address, or an IPv6 /64) has had
// PerAddress refusals within Window, or all addresses together Total.
// Further refusals in that window are then collapsed: one entry says that
// collapsing began, and one more, when the window ends, how many refusals
// (by reason) it stood for. The server log still has every refusal. So a
// flood of forged callbacks cannot bury the audit trail, while a real
// person's refusal is recorded even during one (Total is spread over many
// addresses). The counts are per instance.
type RefusalAudit struct {
	DB    *db.DB
	Clock clock.Clock
	Log   *slog.Logger
	// PerAddress, Total and Window: 0 means the defaults.
	PerAddress, Total int
	Window            time.Duration

	mu      sync.Mutex
	windows map[string]*refusalWindow
	total   refusalWindow
}

type refusalWindow struct {
	start     time.Time
	count     int
	collapsed int
	reasons   map[string]int
	protocol  string
}

func (a *RefusalAudit) limits() (perAddress, total int, window time.Duration) {
	perAddress, total, window = a.PerAddress, a.Total, a.Window
	if perAddress <= 0 {
		perAddress = DefaultRefusalsPerAddress
	}
	if total <= 0 {
		total = DefaultRefusalsTotal
	}
	if window <= 0 {
		window = DefaultRefusalWindow
	}
	return
}

// addressKey groups the addresses one attacker easily has many of: an
// IPv6 /64 is one key.
func addressKey(ip string) string {
	p := net.ParseIP(ip)
	if p == nil {
		if ip == "" {
			return "unknown"
		}
		return ip
	}
	if p.To4() != nil {
		return p.String()
	}
	return (&net.IPNet{IP: p.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// Record audits refusal r of a sign-in from client address ip over
// protocol ("OpenID Connect" or "SAML") with the provider issuer, or
// counts it in a collapsed window.
func (a *RefusalAudit) Record(ctx context.Context, ip, protocol, issuer string, r *Refusal) error {
	now := a.Clock.Now()
	perAddress, total, window := a.limits()
	key := addressKey(ip)
	var events []audit.Event

	a.mu.Lock()
	events = append(events, a.sweep(now, window)...)
	if a.windows == nil {
		a.windows = map[string]*refusalWindow{}
	}
	w := a.windows[key]
	if w == nil && len(a.windows) >= maxAddresses {
		key = "many addresses"
		w = a.windows[key]
	}
	if w == nil {
		w = &refusalWindow{start: now, reasons: map[string]int{}}
		a.windows[key] = w
	}
	if !now.Before(a.total.start.Add(window)) {
		a.total = refusalWindow{start: now}
	}
	w.count++
	a.total.count++
	collapse := w.count > perAddress || a.total.count > total
	if collapse {
		w.collapsed++
		w.reasons[r.Reason]++
		w.protocol = protocol
		if w.collapsed == 1 {
			why := fmt.Sprintf("more than %d from %s", perAddress, key)
			if w.count <= perAddress {
				why = fmt.Sprintf("more than %d from all addresses", total)
			}
			events = append(events, audit.Event{
				At: now, Action: ActionCollapse, EntityType: EntitySignIn,
				Summary: fmt.Sprintf("Too many refused single sign-ons within %s (%s): further refusals from %s until %s are counted, not recorded one by one.",
					window, why, key, w.start.Add(window).UTC().Format("15:04 MST")),
				Details: map[string]any{"address": key, "protocol": protocol, "from": w.start, "until": w.start.Add(window)},
			})
		}
	}
	a.mu.Unlock()

	if a.Log != nil {
		a.Log.Warn("single sign-on refused", "protocol", protocol, "reason", r.Reason, "address", ip, "detail", r.Detail, "collapsed", collapse)
	}
	if !collapse {
		events = append(events, audit.Event{
			At: now, Action: ActionRefuse, EntityType: EntitySignIn, EntityID: r.EmployeeID,
			Summary: "Refused a single sign-on (" + protocol + "): " + r.Detail + ".",
			Details: map[string]any{"reason": r.Reason, "issuer": issuer, "protocol": protocol, "address": ip},
		})
	}
	return a.write(ctx, events)
}

// Flush records the summaries of collapsed windows that have ended; the
// scheduler's pass calls it (Record also does).
func (a *RefusalAudit) Flush(ctx context.Context) error {
	_, _, window := a.limits()
	a.mu.Lock()
	events := a.sweep(a.Clock.Now(), window)
	a.mu.Unlock()
	return a.write(ctx, events)
}

// sweep ends the windows that are over, returning the summaries of those
// that collapsed refusals. a.mu is held.
func (a *RefusalAudit) sweep(now time.Time, window time.Duration) []audit.Event {
	var events []audit.Event
	for key, w := range a.windows {
		if now.Before(w.start.Add(window)) {
			continue
		}
		delete(a.windows, key)
		if w.collapsed == 0 {
			continue
		}
		reasons := make([]string, 0, len(w.reasons))
		for r := range w.reasons {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		byReason := ""
		for i, r := range reasons {
			if i > 0 {
				byReason += ", "
			}
			byReason += fmt.Sprintf("%s %d", r, w.reasons[r])
		}
		events = append(events, audit.Event{
			At: now, Action: ActionCollapse, EntityType: EntitySignIn,
			Summary: fmt.Sprintf("%d refused single sign-ons (%s) from %s between %s and %s were counted, not recorded one by one (%s).",
				w.collapsed, w.protocol, key, w.start.UTC().Format("2006-01-02 15:04"), w.start.Add(window).UTC().Format("15:04 MST"), byReason),
			Details: map[string]any{"address": key, "protocol": w.protocol, "count": w.collapsed, "reasons": w.reasons, "from": w.start, "until": w.start.Add(window)},
		})
	}
	return events
}

func (a *RefusalAudit) write(ctx context.Context, events []audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	return a.DB.Tx(ctx, func(tx *gorm.DB) error {
		for _, e := range events {
			if err := audit.Record(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}
