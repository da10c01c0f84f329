package views

import "html/template"

// SessionPanel is a `session` step in the player: what the session covers,
// how long it takes and the learner's booking.
type SessionPanel struct {
	Minutes int
	// SessionsURL lists the upcoming sessions to book.
	SessionsURL string
	// Booking describes the learner's booking ("" when none).
	Booking string
	// Waitlisted is true when the booking is a place on the wait-list.
	Waitlisted bool
	// Attended says when attendance was recorded ("" when not).
	Attended string
}

// CheckoffPanel is a `checkoff` step in the player: the skills and how the
// observer marked them.
type CheckoffPanel struct {
	Skills []SkillRow
	// Signed is the observer's sign-off, nil before it.
	Signed *Signed
}

// SkillRow is one skill of a check-off and its latest mark.
type SkillRow struct {
	ID      string
	Title   string
	Observe string
	// Status is "met", "not_met" or "" (not observed yet).
	Status  string
	Comment string
	By      string
	When    string
}

// StatusWords is how a skill's status reads.
func (r SkillRow) StatusWords() string {
	switch r.Status {
	case "met":
		return "Met"
	case "not_met":
		return "Not yet met"
	}
	return "Not observed yet"
}

// unusedHTML keeps html/template imported for panels that carry HTML.
var _ template.HTML

// SessionRow is one session in a list.
type SessionRow struct {
	ID, Title, When, Where, Trainer string
	Capacity, Booked, Waiting       int
	Cancelled                       bool
	// URL is the session's page (roster) for those who may see it.
	URL string
	// Mine is the viewer's booking status ("booked", "waitlisted" or "").
	Mine string
}

// SessionsView is a learner's list of a course's upcoming sessions.
type SessionsView struct {
	CourseTitle, CourseURL string
	Sessions               []SessionRow
	// BookURL and CancelURL are prefixes: + session ID + "/book".
	Problem string
}

// SessionFormValues are HR's session form, as typed.
type SessionFormValues struct {
	Course, Module, Date, Start, End, TimeZone, Place, VideoURL, Capacity string
	TrainerEmail, TrainerName, Qualification                              string
}

// Option is a choice in a select.
type Option struct{ Value, Label string }

// SessionFormView is the schedule form (ID empty) or the change form.
type SessionFormView struct {
	ID       string
	Values   SessionFormValues
	Problems []PersonFormProblem
	Courses  []Option
	Modules  []Option
}

// AdminSessionsView is HR's list of sessions.
type AdminSessionsView struct {
	Upcoming []SessionRow
	Past     []SessionRow
}

// RosterRow is one booked person on the roster.
type RosterRow struct {
	BookingID, Name, JobTitle, Department, Email string
	Waitlisted                                   bool
	Attendance                                   string
	Late, LeftEarly                              bool
	CheckedIn                                    string
}

// RosterView is the trainer's page of a session.
type RosterView struct {
	Session   SessionRow
	Summary   template.HTML
	Trainer   string
	Qualified string
	Rows      []RosterRow
	Waiting   []RosterRow
	// MayTake is true from 15 minutes before the start.
	MayTake bool
	// IsHR shows the HR actions (book someone, change, cancel).
	IsHR    bool
	Problem string
}

// QRView is the page shown in the room.
type QRView struct {
	Title, When, Code, ImageURL, CheckInURL string
	Open                                    bool
}

// CheckInView is an attendee's check-in page.
type CheckInView struct {
	SessionID, Title, When, Code string
	Done                         bool
	Problem                      string
}

// BookPeopleView is the form HR and managers use to book someone.
type BookPeopleView struct {
	Session SessionRow
	Email   string
	Problem string
}

// RecordView is a session's attendance record as a page.
type RecordView struct {
	ID, Title, When, Where, CourseVersion, Summary, Trainer, Qualification string
	Rows                                                                   []RosterRow
}

// ObserversView is HR's list of observers.
type ObserversView struct {
	Rows     []ObserverRow
	Courses  []Option
	Problems []PersonFormProblem
	Email    string
}

// ObserverRow is one observer.
type ObserverRow struct{ ID, Name, Course, Department string }

// CheckoffsView is the observer's entry page: find a person, open their
// check-offs.
type CheckoffsView struct {
	Email   string
	Person  string
	Links   []LinkItem
	Problem string
}

// ChecklistView is a person's check-off for an observer.
type ChecklistView struct {
	Person, JobTitle, Course, Title string
	ActionURL                       string
	Skills                          []SkillRow
	MaySign, AllMet                 bool
	Statement, ExpectedName         string
	Signed                          *Signed
	NameError, Problem              string
	TypedName                       string
}

// QuestionsView is the learner's "Ask a question" page.
type QuestionsView struct {
	CourseTitle, CourseURL, Contact, Text, Problem string
	Rows                                           []QuestionRow
}

// QuestionRow is one question asked.
type QuestionRow struct{ Question, Asked, Answered string }

// AnsweredView is the contact's page to record an answer.
type AnsweredView struct{ ID, Token, Question, Answered string }

// TeamSessionsView is a manager's page of their team's sessions.
type TeamSessionsView struct {
	// Members are the team, for the booking form (value: e-mail).
	Members  []Option
	Bookings []TeamBookingRow
	// Upcoming are the sessions a team member can be booked on.
	Upcoming []SessionRow
}

// TeamBookingRow is one team member's place on a session.
type TeamBookingRow struct {
	SessionID, EmployeeID, Name, JobTitle string
	Session, When, Where, Status          string
	// Upcoming sessions can still be cancelled.
	Upcoming, Attended bool
}
