package notify

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// KindDigest is one message carrying several things one person hears about
// at once (several courses assigned, reminders falling on the same day, a
// refresher nudge beside them). A digest whose items are all of one kind is
// stored under that kind; KindDigest is for a mixture.
const KindDigest Kind = "digest"

// Digest is everything one person hears about from one scheduler pass (one
// NotifyAll call), in one message. It has two items or more: one item is
// sent as its own kind, exactly as when it comes alone.
type Digest struct {
	// Name greets the recipient (their first name).
	Name  string `json:"name,omitempty"`
	Items []Item `json:"items"`
}

// Item is one course's news in a Digest: exactly one field is set. The
// contents' own Name fields are left empty; the digest greets once.
type Item struct {
	Assigned   *Assigned   `json:"assigned,omitempty"`
	WindowOpen *WindowOpen `json:"window_open,omitempty"`
	DueSoon    *DueSoon    `json:"due_soon,omitempty"`
	DueToday   *DueToday   `json:"due_today,omitempty"`
	Overdue    *Overdue    `json:"overdue,omitempty"`
	Expired    *Expired    `json:"expired,omitempty"`
	Completed  *Completed  `json:"completed,omitempty"`
	Nudge      *Nudge      `json:"nudge,omitempty"`
}

// Kind implements Content. A digest of items of one kind is that kind.
func (d Digest) Kind() Kind {
	if len(d.Items) == 0 {
		return KindDigest
	}
	k := d.Items[0].Kind()
	for _, it := range d.Items[1:] {
		if it.Kind() != k {
			return KindDigest
		}
	}
	return k
}

// The digest's one button opens the learner's dashboard; each item links
// to its own course.
func (Digest) link(r *Renderer) string { return r.DashboardURL() }

// itemOf wraps a person's content as a digest item, without its greeting.
func itemOf(c Content) (Item, error) {
	switch v := c.(type) {
	case Assigned:
		v.Name = ""
		return Item{Assigned: &v}, nil
	case WindowOpen:
		v.Name = ""
		return Item{WindowOpen: &v}, nil
	case DueSoon:
		v.Name = ""
		return Item{DueSoon: &v}, nil
	case DueToday:
		v.Name = ""
		return Item{DueToday: &v}, nil
	case Overdue:
		v.Name = ""
		return Item{Overdue: &v}, nil
	case Expired:
		v.Name = ""
		return Item{Expired: &v}, nil
	case Completed:
		v.Name = ""
		return Item{Completed: &v}, nil
	case Nudge:
		v.Name = ""
		return Item{Nudge: &v}, nil
	}
	return Item{}, fmt.Errorf("notify: a %s message cannot go in a digest", c.Kind())
}

// Content is the item as a message of its own.
func (it Item) Content() Content {
	switch {
	case it.Assigned != nil:
		return *it.Assigned
	case it.WindowOpen != nil:
		return *it.WindowOpen
	case it.DueSoon != nil:
		return *it.DueSoon
	case it.DueToday != nil:
		return *it.DueToday
	case it.Overdue != nil:
		return *it.Overdue
	case it.Expired != nil:
		return *it.Expired
	case it.Completed != nil:
		return *it.Completed
	case it.Nudge != nil:
		return *it.Nudge
	}
	return nil
}

// Kind is the kind of message the item would be on its own.
func (it Item) Kind() Kind {
	if c := it.Content(); c != nil {
		return c.Kind()
	}
	return ""
}

// Course is the course the item is about.
func (it Item) Course() CourseRef {
	switch c := it.Content().(type) {
	case Assigned:
		return c.Course
	case WindowOpen:
		return c.Course
	case DueSoon:
		return c.Course
	case DueToday:
		return c.Course
	case Overdue:
		return c.Course
	case Expired:
		return c.Course
	case Completed:
		return c.Course
	case Nudge:
		return c.Course
	}
	return CourseRef{}
}

// due is the date the item is ordered by: its due date, or when it
// happened.
func (it Item) due() time.Time {
	switch c := it.Content().(type) {
	case Assigned:
		return c.DueAt
	case WindowOpen:
		return c.DueAt
	case DueSoon:
		return c.DueAt
	case DueToday:
		return c.DueAt
	case Overdue:
		return c.DueAt
	case Expired:
		return c.ExpiredAt
	case Completed:
		return c.CompletedAt
	}
	return time.Time{}
}

// itemGroup orders a digest: what is new first, then what is due (most
// urgent first), then what has lapsed, then the rest.
func (it Item) group() int {
	switch it.Kind() {
	case KindAssigned, KindWindowOpen:
		return 0
	case KindOverdue, KindDueToday, KindDueSoon:
		return 1
	case KindExpired:
		return 2
	case KindCompleted:
		return 3
	}
	return 4
}

// sortItems puts a digest's items in reading order: by group, then by date,
// then by course title, so the same items always read the same way.
func sortItems(items []Item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if ga, gb := a.group(), b.group(); ga != gb {
			return ga < gb
		}
		if da, db := a.due(), b.due(); !da.Equal(db) {
			return da.Before(db)
		}
		return a.Course().Title < b.Course().Title
	})
}

// digestView is what the digest templates are executed with (as .Msg).
type digestView struct {
	Name string
	// Subject is the subject line; Title heads the HTML part; Intro is the
	// sentence before the list.
	Subject, Title, Intro string
	Items                 []digestItemView
	// Calendar is the attached .ics's name; empty when none is attached.
	Calendar string
}

type digestItemView struct {
	Item
	// Number counts the items from 1.
	Number int
	// Link is the item's own link.
	Link string
}

// Kind and link make digestView a Content for the shared view.
func (digestView) Kind() Kind              { return KindDigest }
func (digestView) link(r *Renderer) string { return r.DashboardURL() }

// assigned lists the digest's assigned courses: they go in its calendar.
func (d Digest) assigned() []*Assigned {
	var out []*Assigned
	for _, it := range d.Items {
		if it.Assigned != nil {
			out = append(out, it.Assigned)
		}
	}
	return out
}

func (d Digest) countKinds() map[Kind]int {
	n := map[Kind]int{}
	for _, it := range d.Items {
		n[it.Kind()]++
	}
	return n
}

// firstDue is the earliest due date among the items of the given kinds.
func (d Digest) firstDue(kinds ...Kind) time.Time {
	var first time.Time
	for _, it := range d.Items {
		for _, k := range kinds {
			if it.Kind() == k && (first.IsZero() || it.due().Before(first)) {
				first = it.due()
			}
		}
	}
	return first
}

// view prepares a digest for its templates: the subject, title and intro
// said from what it holds, and each item's link.
func (d Digest) view(r *Renderer) digestView {
	v := digestView{Name: d.Name}
	n := d.countKinds()
	total := len(d.Items)
	courses := func(k int) string { return plural(k, "course", "courses") }
	day := templateFuncs["day"].(func(time.Time) string)
	switch {
	case n[KindAssigned] == total:
		v.Subject = fmt.Sprintf("Required training: %s, the first due %s", courses(total), day(d.firstDue(KindAssigned)))
		v.Title = "Your new required courses"
		v.Intro = fmt.Sprintf("You have been assigned %s.", courses(total))
	case n[KindWindowOpen] == total:
		v.Subject = fmt.Sprintf("Refreshers open: %s, the first due %s", courses(total), day(d.firstDue(KindWindowOpen)))
		v.Title = "Your refreshers are open"
		v.Intro = fmt.Sprintf("Your refreshers for %s are open: you can take them now.", courses(total))
	case n[KindOverdue] == total:
		v.Subject = fmt.Sprintf("Overdue: %s, the first due %s", courses(total), day(d.firstDue(KindOverdue)))
		v.Title = "Overdue training"
		v.Intro = fmt.Sprintf("%s are overdue, and you have not completed them yet.", courses(total))
	case n[KindDueSoon]+n[KindDueToday]+n[KindOverdue] == total:
		v.Subject = fmt.Sprintf("Reminder: %s to complete, the first due %s", courses(total), day(d.firstDue(KindOverdue, KindDueToday, KindDueSoon)))
		v.Title = "Training to complete"
		v.Intro = fmt.Sprintf("%s are due, and you have not completed them yet.", courses(total))
	case n[KindExpired] == total:
		v.Subject = fmt.Sprintf("Expired: your certificates for %s", courses(total))
		v.Title = "Your certificates have expired"
		v.Intro = fmt.Sprintf("Your certificates for %s have expired.", courses(total))
	default:
		var parts []string
		if k := n[KindAssigned] + n[KindWindowOpen]; k > 0 {
			parts = append(parts, plural(k, "new course", "new courses"))
		}
		if k := n[KindDueSoon] + n[KindDueToday] + n[KindOverdue]; k > 0 {
			parts = append(parts, plural(k, "reminder", "reminders"))
		}
		if k := n[KindExpired]; k > 0 {
			parts = append(parts, plural(k, "expired certificate", "expired certificates"))
		}
		if k := n[KindCompleted]; k > 0 {
			parts = append(parts, plural(k, "completion", "completions"))
		}
		if k := n[KindNudge]; k > 0 {
			parts = append(parts, plural(k, "one-minute refresher", "one-minute refreshers"))
		}
		v.Subject = "Your training: " + strings.Join(parts, ", ")
		v.Title = "Your training"
		v.Intro = "Here is what needs your attention in your training:"
	}
	for i, it := range d.Items {
		v.Items = append(v.Items, digestItemView{Item: it, Number: i + 1, Link: it.Content().link(r)})
	}
	if len(d.assigned()) > 0 {
		v.Calendar = digestCalendarName
	}
	return v
}

// digestCalendarName is the .ics a digest with assigned courses carries:
// one calendar file with an event on each due date.
const digestCalendarName = "due-dates.ics"

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
