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
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Assigned tells a person a course was assigned to them and by when it is
// due. The message carries an .ics with an all-day event on the due date.
type Assigned struct {
	// Name greets the recipient (their first name).
	Name   string    `json:"name,omitempty"`
	Course CourseRef `json:"course"`
	DueAt  time.Time `json:"due"`
	// Reason says why they must take it (for example "Everyone in Nursing
	// completes it every 12 months."); empty for a general sentence.
	Reason string `json:"why,omitempty"`
	// EstimatedMinutes is how long the course takes; 0 leaves it unsaid.
	EstimatedMinutes int `json:"minutes,omitempty"`
	// DueIn is set when the course is already within its due-soon
	// reminders as it is assigned: the days left until DueAt (0 for today,
	// negative when it is already overdue). The message then says both, and
	// stands for that reminder too.
	DueIn *int `json:"due_in,omitempty"`
}

// WindowOpen tells a person their refresher can be taken now, before their
// certificate expires on DueAt.
type WindowOpen struct {
	Name   string    `json:"name,omitempty"`
	Course CourseRef `json:"course"`
	// DueAt is when the refresher is due: the current certificate's expiry.
	DueAt            time.Time `json:"due"`
	Reason           string    `json:"why,omitempty"`
	EstimatedMinutes int       `json:"minutes,omitempty"`
	// DueIn is as in Assigned: set when a due-soon reminder falls on the
	// day the window opens.
	DueIn *int `json:"due_in,omitempty"`
}

// DueSoon reminds a person a course is due in DaysLeft days.
type DueSoon struct {
	Name     string    `json:"name,omitempty"`
	Course   CourseRef `json:"course"`
	DueAt    time.Time `json:"due"`
	DaysLeft int       `json:"days_left"`
	Reason   string    `json:"why,omitempty"`
}

// DueToday reminds a person a course is due today.
type DueToday struct {
	Name   string    `json:"name,omitempty"`
	Course CourseRef `json:"course"`
	DueAt  time.Time `json:"due"`
	Reason string    `json:"why,omitempty"`
}

// Overdue tells a person a course is DaysOverdue days overdue.
type Overdue struct {
	Name        string    `json:"name,omitempty"`
	Course      CourseRef `json:"course"`
	DueAt       time.Time `json:"due"`
	DaysOverdue int       `json:"days_overdue"`
	// ManagerToldOn is when their manager will be told if it is still not
	// done; nil when that is not going to happen (or already has).
	ManagerToldOn *time.Time `json:"manager_told_on,omitempty"`
	Reason        string     `json:"why,omitempty"`
}

// Escalation is the digest a manager gets: everyone on their team who is
// overdue long enough to escalate, in one message.
type Escalation struct {
	ManagerName string          `json:"name,omitempty"`
	People      []OverduePerson `json:"people"`
	// More counts the overdue courses on the team this message stands for
	// without listing them (compliance.EscalationListed are listed at most);
	// the team page shows them all.
	More int `json:"more,omitempty"`
}

// Total is how many overdue courses the message stands for, listed or not.
func (e Escalation) Total() int { return len(e.People) + e.More }

// OverduePerson is one line of an Escalation.
type OverduePerson struct {
	Name        string    `json:"name"`
	JobTitle    string    `json:"job_title,omitempty"`
	Course      CourseRef `json:"course"`
	DueAt       time.Time `json:"due"`
	DaysOverdue int       `json:"days_overdue"`
}

// Expired tells a person their certificate has expired and the course must
// be taken again.
type Expired struct {
	Name      string    `json:"name,omitempty"`
	Course    CourseRef `json:"course"`
	ExpiredAt time.Time `json:"expired"`
	Reason    string    `json:"why,omitempty"`
}

// Completed confirms a completion and links to the certificate.
type Completed struct {
	Name        string    `json:"name,omitempty"`
	Course      CourseRef `json:"course"`
	CompletedAt time.Time `json:"completed"`
	// ExpiresAt is when the certificate runs out; nil for never.
	ExpiresAt       *time.Time `json:"expires,omitempty"`
	CertificateCode string     `json:"certificate,omitempty"`
}

// Nudge is the monthly refresher nudge: one guideline and one question from
// a course the person has completed.
type Nudge struct {
	Name      string        `json:"name,omitempty"`
	Course    CourseRef     `json:"course"`
	Guideline Guideline     `json:"guideline"`
	Question  NudgeQuestion `json:"question"`
}

// Guideline is one rule from a course, in a sentence or two.
type Guideline struct {
	Title string `json:"title"`
	Text  string `json:"text,omitempty"`
}

// NudgeQuestion is one question from a course's quiz, shown without its
// answer: the link leads to where it can be answered.
type NudgeQuestion struct {
	Prompt  string   `json:"prompt,omitempty"`
	Options []string `json:"options,omitempty"`
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
