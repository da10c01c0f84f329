package notify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// Notifier turns compliance events into outbox messages, inside the
// transaction that raised them. It implements compliance.Notifier.
type Notifier struct {
	Renderer *Renderer
	Catalog  *catalog.Catalog
	Policy   compliance.ReminderPolicy
}

// NotifyAll writes the messages for every event one transaction raised.
func (n *Notifier) NotifyAll(tx *gorm.DB, evs []compliance.Event, now time.Time) error {
	for _, ev := range evs {
		if err := n.Notify(tx, ev, now); err != nil {
			return err
		}
	}
	return nil
}

// Notify writes the message for ev. Events about people who have left, or
// whose course is no longer in the catalog, write nothing.
func (n *Notifier) Notify(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	if ev.Kind == compliance.EventEscalation {
		return n.escalation(tx, ev, now)
	}
	c := ev.Cycle
	var emp people.Employee
	if err := tx.Where("id = ?", c.EmployeeID).Take(&emp).Error; err != nil {
		return fmt.Errorf("notify %s: load employee: %w", ev.Kind, err)
	}
	if !emp.Active() {
		return nil
	}
	course := n.Catalog.Course(c.CourseID)
	if course == nil {
		return nil
	}
	ref := CourseRef{ID: course.ID, Title: course.Title}
	to := Recipient{EmployeeID: emp.ID, Name: emp.FullName(), Address: emp.Email}
	due := compliance.Day(c.DueAt)
	step := ""
	var content Content
	switch ev.Kind {
	case compliance.EventAssigned:
		content = Assigned{Name: emp.FirstName, Course: ref, DueAt: due, Reason: c.Derivation, EstimatedMinutes: course.EstimatedMinutes}
	case compliance.EventWindowOpen:
		content = WindowOpen{Name: emp.FirstName, Course: ref, DueAt: due, Reason: c.Derivation, EstimatedMinutes: course.EstimatedMinutes}
	case compliance.EventExpired:
		exp := due
		if c.ExpiresAt != nil {
			exp = compliance.Day(*c.ExpiresAt)
		}
		content = Expired{Name: emp.FirstName, Course: ref, ExpiredAt: exp, Reason: c.Derivation}
	case compliance.EventCompleted:
		var cert struct{ Code string }
		err := tx.Table("certificates").Select("code").Where("cycle_id = ?", c.ID).Take(&cert).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("notify completed: load certificate: %w", err)
		}
		at := now
		if c.CompletedAt != nil {
			at = *c.CompletedAt
		}
		content = Completed{Name: emp.FirstName, Course: ref, CompletedAt: at, ExpiresAt: c.ExpiresAt, CertificateCode: cert.Code}
	case compliance.EventNudge:
		if len(course.Nudges) == 0 {
			return nil
		}
		month, err := time.Parse("2006-01", ev.Stage)
		if err != nil {
			return fmt.Errorf("notify nudge: bad month %q", ev.Stage)
		}
		completed := now
		if c.CompletedAt != nil {
			completed = *c.CompletedAt
		}
		nd := course.Nudges[compliance.NudgeIndex(completed, month, len(course.Nudges))]
		content = nudgeContent(emp.FirstName, ref, nd)
		step = ev.Stage
		if err := tx.Exec("UPDATE nudge_log SET nudge_id = ? WHERE employee_id = ? AND course_id = ? AND month = ?", nd.ID, emp.ID, course.ID, ev.Stage).Error; err != nil {
			return fmt.Errorf("notify nudge: %w", err)
		}
	case compliance.EventReminder:
		var err error
		content, step, err = n.reminder(ev.Stage, emp.FirstName, ref, c, now)
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("notify: unknown event %q", ev.Kind)
	}
	// Reminders name their stage and due date, so an extension (a new due
	// date) earns a fresh series while a repeat of the same one is refused.
	if step != "" && ev.Kind == compliance.EventReminder {
		step += "@" + due.Format("2006-01-02")
	}
	m, err := n.Renderer.Compose(Key(c.AssignmentID, c.ID, content.Kind(), step), to, content, now)
	if err != nil {
		return err
	}
	_, err = Enqueue(tx, m)
	return err
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

// escalation writes one digest to a manager listing every overdue person
// the event carries.
func (n *Notifier) escalation(tx *gorm.DB, ev compliance.Event, now time.Time) error {
	var mgr people.Employee
	if err := tx.Where("id = ?", ev.ManagerID).Take(&mgr).Error; err != nil {
		return fmt.Errorf("notify escalation: load manager: %w", err)
	}
	if !mgr.Active() {
		return nil
	}
	ids := make([]string, 0, len(ev.Cycles))
	empIDs := make([]string, 0, len(ev.Cycles))
	for _, c := range ev.Cycles {
		ids = append(ids, c.ID)
		empIDs = append(empIDs, c.EmployeeID)
	}
	var emps []people.Employee
	if err := tx.Where("id IN ?", empIDs).Find(&emps).Error; err != nil {
		return fmt.Errorf("notify escalation: load people: %w", err)
	}
	byID := map[string]*people.Employee{}
	for i := range emps {
		byID[emps[i].ID] = &emps[i]
	}
	digest := Escalation{ManagerName: mgr.FirstName}
	for _, c := range ev.Cycles {
		e := byID[c.EmployeeID]
		course := n.Catalog.Course(c.CourseID)
		if e == nil || course == nil {
			continue
		}
		due := compliance.Day(c.DueAt)
		digest.People = append(digest.People, OverduePerson{
			Name: e.FullName(), JobTitle: e.JobTitle, Course: CourseRef{ID: course.ID, Title: course.Title},
			DueAt: due, DaysOverdue: int(compliance.Day(now).Sub(due).Hours() / 24),
		})
	}
	if len(digest.People) == 0 {
		return nil
	}
	to := Recipient{EmployeeID: mgr.ID, Name: mgr.FullName(), Address: mgr.Email}
	m, err := n.Renderer.Compose(DigestKey(mgr.ID, KindEscalation, ids), to, digest, now)
	if err != nil {
		return err
	}
	_, err = Enqueue(tx, m)
	return err
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
