package notify

import "time"

// Content is the typed data of one kind of message. Each kind has its own
// struct below; Render turns it into a subject, a plain-text and an HTML body.
type Content interface {
	// Kind is the kind of message the content makes.
	Kind() Kind
	// link is the one link the message carries.
	link(r *Renderer) string
}

// CourseRef names a course and where it lives on the site.
type CourseRef struct {
	ID    string
	Title string
}

// Assigned tells a person a course was assigned to them and by when it is
// due. The message carries an .ics with an all-day event on the due date.
type Assigned struct {
	// Name greets the recipient (their first name).
	Name   string
	Course CourseRef
	DueAt  time.Time
	// Reason says why they must take it (for example "Everyone in Nursing
	// completes it every 12 months."); empty for a general sentence.
	Reason string
	// EstimatedMinutes is how long the course takes; 0 leaves it unsaid.
	EstimatedMinutes int
}

// WindowOpen tells a person their refresher can be taken now, before their
// certificate expires on DueAt.
type WindowOpen struct {
	Name   string
	Course CourseRef
	// DueAt is when the refresher is due: the current certificate's expiry.
	DueAt            time.Time
	Reason           string
	EstimatedMinutes int
}

// DueSoon reminds a person a course is due in DaysLeft days.
type DueSoon struct {
	Name     string
	Course   CourseRef
	DueAt    time.Time
	DaysLeft int
	Reason   string
}

// DueToday reminds a person a course is due today.
type DueToday struct {
	Name   string
	Course CourseRef
	DueAt  time.Time
	Reason string
}

// Overdue tells a person a course is DaysOverdue days overdue.
type Overdue struct {
	Name        string
	Course      CourseRef
	DueAt       time.Time
	DaysOverdue int
	// ManagerToldOn is when their manager will be told if it is still not
	// done; nil when that is not going to happen (or already has).
	ManagerToldOn *time.Time
	Reason        string
}

// Escalation is the digest a manager gets: everyone on their team who is
// overdue long enough to escalate, in one message.
type Escalation struct {
	ManagerName string
	People      []OverduePerson
}

// OverduePerson is one line of an Escalation.
type OverduePerson struct {
	Name        string
	JobTitle    string
	Course      CourseRef
	DueAt       time.Time
	DaysOverdue int
}

// Expired tells a person their certificate has expired and the course must
// be taken again.
type Expired struct {
	Name      string
	Course    CourseRef
	ExpiredAt time.Time
	Reason    string
}

// Completed confirms a completion and links to the certificate.
type Completed struct {
	Name        string
	Course      CourseRef
	CompletedAt time.Time
	// ExpiresAt is when the certificate runs out; nil for never.
	ExpiresAt       *time.Time
	CertificateCode string
}

// Nudge is the monthly refresher nudge: one guideline and one question from
// a course the person has completed.
type Nudge struct {
	Name      string
	Course    CourseRef
	Guideline Guideline
	Question  NudgeQuestion
}

// Guideline is one rule from a course, in a sentence or two.
type Guideline struct {
	Title string
	Text  string
}

// NudgeQuestion is one question from a course's quiz, shown without its
// answer: the link leads to where it can be answered.
type NudgeQuestion struct {
	Prompt  string
	Options []string
}

// Kind implements Content.
func (Assigned) Kind() Kind { return KindAssigned }

// Kind implements Content.
func (WindowOpen) Kind() Kind { return KindWindowOpen }

// Kind implements Content.
func (DueSoon) Kind() Kind { return KindDueSoon }

// Kind implements Content.
func (DueToday) Kind() Kind { return KindDueToday }

// Kind implements Content.
func (Overdue) Kind() Kind { return KindOverdue }

// Kind implements Content.
func (Escalation) Kind() Kind { return KindEscalation }

// Kind implements Content.
func (Expired) Kind() Kind { return KindExpired }

// Kind implements Content.
func (Completed) Kind() Kind { return KindCompleted }

// Kind implements Content.
func (Nudge) Kind() Kind { return KindNudge }

func (c Assigned) link(r *Renderer) string   { return r.CourseURL(c.Course.ID) }
func (c WindowOpen) link(r *Renderer) string { return r.CourseURL(c.Course.ID) }
func (c DueSoon) link(r *Renderer) string    { return r.CourseURL(c.Course.ID) }
func (c DueToday) link(r *Renderer) string   { return r.CourseURL(c.Course.ID) }
func (c Overdue) link(r *Renderer) string    { return r.CourseURL(c.Course.ID) }
func (Escalation) link(r *Renderer) string   { return r.TeamURL() }
func (c Expired) link(r *Renderer) string    { return r.CourseURL(c.Course.ID) }
func (c Completed) link(r *Renderer) string  { return r.CertificateURL(c.CertificateCode) }

// The answer page for a nudge comes with the site part of the nudges; until
// then the link opens the course.
func (c Nudge) link(r *Renderer) string { return r.CourseURL(c.Course.ID) }
