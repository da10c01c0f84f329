package notify

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// Notifier turns compliance events into outbox messages, inside the
// transaction that raised them. It implements compliance.Notifier.
type Notifier struct {
	Renderer *Renderer
	Catalog  *catalog.Catalog
	// Policy is the engine's reminder policy; an overdue reminder says from
	// it when the manager will be told (EscalateAfterDays). Which reminder
	// an assignment announces is the stage its cycle records, not read here.
	Policy compliance.ReminderPolicy
	// Invite, when set (ONRAMP_INVITE_NEW_PEOPLE=on), makes a set-password
	// link inside tx for each of the given people who has no password and
	// no link that still works, and returns the links by employee ID. The
	// message NotifyAll writes for such a person carries the link above its
	// own content, so whoever created the person (an import, the API, "Add
	// person"), their first e-mail lets them sign in.
	Invite func(tx *gorm.DB, employeeIDs []string) (map[string]SetPassword, error)
}

// Notify writes the message for one event: NotifyAll with one event.
func (n *Notifier) Notify(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	return n.NotifyAll(tx, []compliance.Event{ev}, now)
}

// NotifyAll writes the messages for every event one transaction raised: one
// message per person, and one escalation digest per manager. A person with
// one event gets the same message as ever; a person with several gets a
// Digest listing them, and a course assigned (or a refresher opened) with
// its due-soon reminder in the same call is one item saying both.
//
// Every event keeps its own dedupe key (assignment, cycle, kind, step),
// written to outbox_keys with the message that carries it: an event whose
// key is already there (sent before, alone or in a digest) is left out, so
// a retried call, or the same events raised again, queue nothing twice.
// An event about a cycle the caller's transaction inserted
// (compliance.Event.NewCycle) needs no row there: the cycle's is its claim.
// Events about people who have left, or whose course is no longer in the
// catalog, write nothing.
func (n *Notifier) NotifyAll(tx *gorm.DB, evs []compliance.Event, now time.Time) error {
	if len(evs) == 0 {
		return nil
	}
	var empIDs, completedCycles []string
	for _, ev := range evs {
		if ev.Kind == compliance.EventEscalation {
			empIDs = append(empIDs, ev.ManagerID)
			for _, c := range ev.Cycles {
				empIDs = append(empIDs, c.EmployeeID)
			}
			continue
		}
		if ev.Cycle == nil {
			return fmt.Errorf("notify %s: no cycle", ev.Kind)
		}
		empIDs = append(empIDs, ev.Cycle.EmployeeID)
		if ev.Kind == compliance.EventCompleted {
			completedCycles = append(completedCycles, ev.Cycle.ID)
		}
	}
	emps, err := loadEmployees(tx, empIDs)
	if err != nil {
		return err
	}
	certs, err := loadCertificates(tx, completedCycles)
	if err != nil {
		return err
	}

	nudges := nudgeLog{}

	// One group per message: a person's own events, or a manager's
	// escalations.
	var groups []*group
	byRecipient := map[string]*group{}
	groupFor := func(id string, escalation bool) *group {
		k := id
		if escalation {
			k = "escalation:" + id
		}
		g := byRecipient[k]
		if g == nil {
			emp := emps[id]
			g = &group{
				outboxID:   db.NewID(),
				escalation: escalation,
				to:         Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email},
				firstName:  emp.FirstName,
			}
			byRecipient[k] = g
			groups = append(groups, g)
		}
		return g
	}
	for _, ev := range evs {
		if ev.Kind == compliance.EventEscalation {
			mgr, ok := emps[ev.ManagerID]
			if !ok {
				return fmt.Errorf("notify escalation: load manager: employee %s not found", ev.ManagerID)
			}
			if !mgr.Active() {
				continue
			}
			if ev.More > 0 {
				groupFor(mgr.ID, true).more += ev.More
			}
			for _, c := range ev.Cycles {
				e := emps[c.EmployeeID]
				course := n.Catalog.Course(c.CourseID)
				if e == nil || course == nil {
					continue
				}
				due := compliance.Day(c.DueAt)
				g := groupFor(mgr.ID, true)
				g.events = append(g.events, event{
					key:     Key("employee-"+mgr.ID, c.ID, KindEscalation, ""),
					cycleID: c.ID,
					claimed: ev.Claimed,
					person: &OverduePerson{
						Name: e.FullName(), JobTitle: e.JobTitle, Course: CourseRef{ID: course.ID, Title: course.Title},
						DueAt: due, DaysOverdue: int(compliance.Day(now).Sub(due).Hours() / 24),
					},
				})
			}
			continue
		}
		emp, ok := emps[ev.Cycle.EmployeeID]
		if !ok {
			return fmt.Errorf("notify %s: load employee: employee %s not found", ev.Kind, ev.Cycle.EmployeeID)
		}
		if !emp.Active() {
			continue
		}
		course := n.Catalog.Course(ev.Cycle.CourseID)
		if course == nil {
			continue
		}
		content, key, also, err := n.content(ev, emp, course, certs, nudges, now)
		if err != nil {
			return err
		}
		if content == nil {
			continue
		}
		g := groupFor(emp.ID, false)
		g.events = append(g.events, event{key: key, also: also, cycleID: ev.Cycle.ID, content: content, claimed: ev.NewCycle || ev.Claimed})
	}
	for _, g := range groups {
		g.dropCovered()
	}

	if err := nudges.record(tx); err != nil {
		return err
	}

	// Claim every event's key; only the events whose keys were free are
	// queued. An event about a cycle this transaction created is its own
	// claim (compliance.Event.NewCycle): its key is not written, which
	// spares outbox_keys a row for every course assigned and every
	// refresher opened (most of its rows). Nor are the keys it stands for
	// as well (the reminder it announces): the cycle's reminder_stage
	// records that one (see content). Nor those of an expiry, a nudge or
	// an escalation, whose own rows the engine wrote so that they happen
	// once (compliance.Event.Claimed).
	var claims []keyClaim
	seen := map[string]bool{}
	var fresh []string
	for _, g := range groups {
		for _, e := range g.events {
			if seen[e.key] {
				continue
			}
			seen[e.key] = true
			if e.claimed {
				fresh = append(fresh, e.key)
			} else {
				claims = append(claims, keyClaim{Key: e.key, OutboxID: g.outboxID})
			}
		}
	}
	if len(claims) == 0 && len(fresh) == 0 {
		return nil
	}
	claimed, err := claimKeys(tx, claims, now.UTC())
	if err != nil {
		return err
	}
	for _, k := range fresh {
		claimed[k] = true
	}
	var rows []Entry
	for _, g := range groups {
		m, ok, err := n.message(g, claimed, now)
		if err != nil {
			return err
		}
		if ok {
			if err := m.validate(); err != nil {
				return err
			}
			rows = append(rows, m.entry(g.outboxID))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := n.addSetPasswordLinks(tx, rows); err != nil {
		return err
	}
	if err := tx.CreateInBatches(rows, 100).Error; err != nil {
		return fmt.Errorf("queue %d messages: %w", len(rows), err)
	}
	return nil
}

// addSetPasswordLinks puts a set-password link in the messages to people
// who have no password and no working link (see Invite): one query and one
// insert for the whole call.
func (n *Notifier) addSetPasswordLinks(tx *gorm.DB, rows []Entry) error {
	if n.Invite == nil {
		return nil
	}
	ids := make([]string, 0, len(rows))
	for _, e := range rows {
		if e.RecipientEmployeeID != nil && e.Payload != "" {
			ids = append(ids, *e.RecipientEmployeeID)
		}
	}
	links, err := n.Invite(tx, unique(ids))
	if err != nil {
		return fmt.Errorf("notify: set-password links: %w", err)
	}
	if len(links) == 0 {
		return nil
	}
	for i := range rows {
		e := &rows[i]
		if e.RecipientEmployeeID == nil || e.Payload == "" {
			continue
		}
		sp, ok := links[*e.RecipientEmployeeID]
		if !ok {
			continue
		}
		// A person with a manager's digest and their own message in one
		// call gets the link in both: it is the same link.
		if err := withSetPassword(e, sp); err != nil {
			return err
		}
	}
	return nil
}

// group is the events of one message to be: a person's, or a manager's
// escalations.
type group struct {
	outboxID   string
	escalation bool
	to         Recipient
	firstName  string
	events     []event
	// more is what an escalation digest counts without listing.
	more int
}

// event is one event's part of a message, with its dedupe key.
type event struct {
	key string
	// also are the keys of events this one's message stands for as well: the
	// reminder an assignment within the reminders announces (left out of
	// the call by dropCovered; not claimed, see content).
	also    []string
	cycleID string
	// content is a person's message; person is a line of an escalation.
	content Content
	person  *OverduePerson
	// claimed: the event's own transaction wrote what makes it happen once
	// (a new cycle, an expiry, a nudge_log row, escalations taken), so it
	// needs no claim in outbox_keys (compliance.Event.NewCycle, Claimed).
	claimed bool
}

// dropCovered leaves out the events another event of the group already
// stands for (a reminder raised beside the assignment that announces it).
func (g *group) dropCovered() {
	covered := map[string]bool{}
	for _, e := range g.events {
		for _, k := range e.also {
			covered[k] = true
		}
	}
	if len(covered) == 0 {
		return
	}
	kept := g.events[:0]
	for _, e := range g.events {
		if !covered[e.key] {
			kept = append(kept, e)
		}
	}
	g.events = kept
}

// message builds g's message from its claimed events; ok is false when
// every event was queued before.
func (n *Notifier) message(g *group, claimed map[string]bool, now time.Time) (Message, bool, error) {
	var evs []event
	for _, e := range g.events {
		if claimed[e.key] {
			claimed[e.key] = false // a key repeated in one call is queued once
			evs = append(evs, e)
		}
	}
	if len(evs) == 0 {
		return Message{}, false, nil
	}
	if g.escalation {
		digest := Escalation{ManagerName: g.firstName, More: g.more}
		ids := make([]string, 0, len(evs))
		for _, e := range evs {
			digest.People = append(digest.People, *e.person)
			ids = append(ids, e.cycleID)
		}
		m, err := n.Renderer.queue(DigestKey(g.to.EmployeeID, KindEscalation, ids), g.to, digest, now)
		return m, err == nil, err
	}
	contents := fold(evs)
	var c Content
	if len(contents) == 1 {
		c = contents[0]
		// Named after the greeting the content carries on its own.
	} else {
		d := Digest{Name: g.firstName}
		for _, one := range contents {
			it, err := itemOf(one)
			if err != nil {
				return Message{}, false, err
			}
			d.Items = append(d.Items, it)
		}
		sortItems(d.Items)
		c = d
	}
	key := evs[0].key
	if len(evs) > 1 {
		keys := make([]string, len(evs))
		for i, e := range evs {
			keys[i] = e.key
		}
		key = DigestKey(g.to.EmployeeID, c.Kind(), keys)
	}
	m, err := n.Renderer.queue(key, g.to, c, now)
	return m, err == nil, err
}

// fold merges a course's due-soon (or due-today, or overdue) reminder into
// the assigned or window-open message of the same cycle in the same call:
// one item that says both. Everything else stays as it is, in order.
func fold(evs []event) []Content {
	opened := map[string]int{} // cycle → index in out of its assigned/window-open content
	out := make([]Content, 0, len(evs))
	for _, e := range evs {
		switch e.content.(type) {
		case Assigned, WindowOpen:
			opened[e.cycleID] = len(out)
		}
		out = append(out, e.content)
	}
	drop := map[int]bool{}
	for i, c := range out {
		days, ok := daysLeft(c)
		if !ok {
			continue
		}
		j, ok := opened[evs[i].cycleID]
		if !ok {
			continue
		}
		switch o := out[j].(type) {
		case Assigned:
			o.DueIn = &days
			out[j] = o
		case WindowOpen:
			o.DueIn = &days
			out[j] = o
		}
		drop[i] = true
	}
	kept := out[:0]
	for i, c := range out {
		if !drop[i] {
			kept = append(kept, c)
		}
	}
	return kept
}

// daysLeft is how a reminder's due date stands: days until it, 0 for
// today, negative when overdue; ok is false for other content.
func daysLeft(c Content) (days int, ok bool) {
	switch r := c.(type) {
	case DueSoon:
		return r.DaysLeft, true
	case DueToday:
		return 0, true
	case Overdue:
		return -r.DaysOverdue, true
	}
	return 0, false
}

// content is the message one event makes for emp, its dedupe key, and the
// keys of the events it stands for as well; nil when it makes none.
//
// A course assigned (or a refresher opened) when its due date is already
// within the reminders says so, and stands for the reminder of that day:
// the engine records that stage on the new cycle (Cycle.ReminderStage,
// compliance.Engine.announce), so no later pass raises it, and the same
// reminder raised in this call is left out (group.dropCovered). Its key is
// not claimed: the cycle's row is the record.
func (n *Notifier) content(ev compliance.Event, emp *people.Employee, course *catalog.Course, certs map[string]string, nudges nudgeLog, now time.Time) (Content, string, []string, error) {
	c := ev.Cycle
	ref := CourseRef{ID: course.ID, Title: course.Title}
	due := compliance.Day(c.DueAt)
	step := ""
	var content Content
	var also []string
	switch ev.Kind {
	case compliance.EventAssigned, compliance.EventWindowOpen:
		var dueIn *int
		if stage := c.ReminderStage; stage != "" {
			r, rstep, err := n.reminder(stage, emp.FirstName, ref, c, now)
			if err != nil {
				return nil, "", nil, err
			}
			days, _ := daysLeft(r)
			dueIn = &days
			also = append(also, Key(c.AssignmentID, c.ID, r.Kind(), rstep+"@"+due.Format("2006-01-02")))
		}
		if ev.Kind == compliance.EventAssigned {
			content = Assigned{Name: emp.FirstName, Course: ref, DueAt: due, Reason: c.Derivation, EstimatedMinutes: course.Minutes(c.Path == compliance.PathRefresher), DueIn: dueIn}
		} else {
			content = WindowOpen{Name: emp.FirstName, Course: ref, DueAt: due, Reason: c.Derivation, EstimatedMinutes: course.Minutes(c.Path == compliance.PathRefresher), DueIn: dueIn}
		}
	case compliance.EventExpired:
		exp := due
		if c.ExpiresAt != nil {
			exp = compliance.Day(*c.ExpiresAt)
		}
		content = Expired{Name: emp.FirstName, Course: ref, ExpiredAt: exp, Reason: c.Derivation}
	case compliance.EventCompleted:
		at := now
		if c.CompletedAt != nil {
			at = *c.CompletedAt
		}
		content = Completed{Name: emp.FirstName, Course: ref, CompletedAt: at, ExpiresAt: c.ExpiresAt, CertificateCode: certs[c.ID]}
	case compliance.EventNudge:
		if len(course.Nudges) == 0 {
			return nil, "", nil, nil
		}
		month, err := time.Parse("2006-01", ev.Stage)
		if err != nil {
			return nil, "", nil, fmt.Errorf("notify nudge: bad month %q", ev.Stage)
		}
		completed := now
		if c.CompletedAt != nil {
			completed = *c.CompletedAt
		}
		nd := course.Nudges[compliance.NudgeIndex(completed, month, len(course.Nudges))]
		content = nudgeContent(emp.FirstName, ref, nd)
		step = ev.Stage
		nudges.add(nudgeChoice{NudgeID: nd.ID, CourseID: course.ID, Month: ev.Stage}, emp.ID)
	case compliance.EventReminder:
		var err error
		content, step, err = n.reminder(ev.Stage, emp.FirstName, ref, c, now)
		if err != nil {
			return nil, "", nil, err
		}
	default:
		return nil, "", nil, fmt.Errorf("notify: unknown event %q", ev.Kind)
	}
	// Reminders name their stage and due date, so an extension (a new due
	// date) earns a fresh series while a repeat of the same one is refused.
	if step != "" && ev.Kind == compliance.EventReminder {
		step += "@" + due.Format("2006-01-02")
	}
	return content, Key(c.AssignmentID, c.ID, content.Kind(), step), also, nil
}

// nudgeChoice is which nudge of a course a month's nudge message carries.
type nudgeChoice struct{ NudgeID, CourseID, Month string }

// nudgeLog collects, per choice, the people it was made for, so that the
// nudge_log rows the engine wrote are completed with one UPDATE per choice
// rather than one per person.
type nudgeLog map[nudgeChoice][]string

func (l nudgeLog) add(c nudgeChoice, employeeID string) { l[c] = append(l[c], employeeID) }

func (l nudgeLog) record(tx *gorm.DB) error {
	for c, ids := range l {
		for start := 0; start < len(ids); start += lookupBatch {
			err := tx.Exec("UPDATE nudge_log SET nudge_id = ? WHERE course_id = ? AND month = ? AND employee_id IN ?",
				c.NudgeID, c.CourseID, c.Month, ids[start:min(start+lookupBatch, len(ids))]).Error
			if err != nil {
				return fmt.Errorf("notify nudge: %w", err)
			}
		}
	}
	return nil
}

// lookupBatch bounds the IDs in one IN list.
const lookupBatch = 500

// loadEmployees reads the people a call's events concern, a batch of IDs
// per query.
func loadEmployees(tx *gorm.DB, ids []string) (map[string]*people.Employee, error) {
	ids = unique(ids)
	out := make(map[string]*people.Employee, len(ids))
	for start := 0; start < len(ids); start += lookupBatch {
		var emps []people.Employee
		if err := tx.Where("id IN ?", ids[start:min(start+lookupBatch, len(ids))]).Find(&emps).Error; err != nil {
			return nil, fmt.Errorf("notify: load people: %w", err)
		}
		for i := range emps {
			out[emps[i].ID] = &emps[i]
		}
	}
	return out, nil
}

// loadCertificates maps each completed cycle to its certificate's code.
func loadCertificates(tx *gorm.DB, cycleIDs []string) (map[string]string, error) {
	cycleIDs = unique(cycleIDs)
	out := make(map[string]string, len(cycleIDs))
	for start := 0; start < len(cycleIDs); start += lookupBatch {
		var rows []struct{ CycleID, Code string }
		err := tx.Table("certificates").Select("cycle_id, code").
			Where("cycle_id IN ?", cycleIDs[start:min(start+lookupBatch, len(cycleIDs))]).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("notify completed: load certificates: %w", err)
		}
		for _, r := range rows {
			out[r.CycleID] = r.Code
		}
	}
	return out, nil
}

func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (n *Notifier) reminder(stage, name string, ref CourseRef, c *compliance.Cycle, now time.Time) (Content, string, error) {
	due := compliance.Day(c.DueAt)
	switch {
	case stage == "due_today":
		return DueToday{Name: name, Course: ref, DueAt: due, Reason: c.Derivation}, "today", nil
	case strings.HasPrefix(stage, "due_"):
		days := int(due.Sub(compliance.Day(now)).Hours() / 24)
		return DueSoon{Name: name, Course: ref, DueAt: due, DaysLeft: days, Reason: c.Derivation}, strings.TrimPrefix(stage, "due_"), nil
	case strings.HasPrefix(stage, "overdue_"):
		k, err := strconv.Atoi(strings.TrimPrefix(stage, "overdue_"))
		if err != nil {
			return nil, "", fmt.Errorf("notify: bad reminder stage %q", stage)
		}
		days := int(compliance.Day(now).Sub(due).Hours() / 24)
		o := Overdue{Name: name, Course: ref, DueAt: due, DaysOverdue: days, Reason: c.Derivation}
		if esc := due.AddDate(0, 0, n.Policy.EscalateAfterDays); n.Policy.EscalateAfterDays > 0 && esc.After(compliance.Day(now)) {
			o.ManagerToldOn = &esc
		}
		return o, strconv.Itoa(k), nil
	}
	return nil, "", fmt.Errorf("notify: unknown reminder stage %q", stage)
}

// nudgeContent turns a course's nudge into the message: the guideline, and
// the question without its answer (the link leads to the course).
func nudgeContent(name string, ref CourseRef, nd *catalog.Nudge) Nudge {
	title, text := nd.Guideline, ""
	if i := strings.Index(nd.Guideline, ". "); i > 0 {
		title, text = nd.Guideline[:i+1], strings.TrimSpace(nd.Guideline[i+1:])
	}
	q := NudgeQuestion{}
	if nd.Question != nil {
		q.Prompt = nd.Question.Text
		for _, o := range nd.Question.Options {
			q.Options = append(q.Options, o.Text)
		}
	}
	return Nudge{Name: name, Course: ref, Guideline: Guideline{Title: title, Text: text}, Question: q}
}
