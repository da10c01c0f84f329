package notify

import "strings"

// The messages about quiz attempts. They are not reminders of the policy,
// so they are not in Kinds; learning composes them (Renderer.Compose) and
// queues them in the transaction that causes them.
const (
	// KindAttemptsGranted tells a person HR or their manager granted them
	// more attempts at a quiz, and why.
	KindAttemptsGranted Kind = "attempts_granted"
	// KindAttemptsUsedUp tells an HR admin a person failed every allowed
	// attempt at a quiz and waits for another.
	KindAttemptsUsedUp Kind = "attempts_used_up"
)

// attemptKinds are parsed with the others (NewRenderer).
var attemptKinds = []Kind{KindAttemptsGranted, KindAttemptsUsedUp, KindManagerReminder}

// PeoplePath is HR's page of people; a person's page is PeoplePath/<id>.
const PeoplePath = "/admin/people"

// AttemptsGranted tells a person they may try a quiz again.
type AttemptsGranted struct {
	// Name greets the recipient (their first name).
	Name   string    `json:"name,omitempty"`
	Course CourseRef `json:"course"`
	// Module names the quiz's module ("Final assessment").
	Module string `json:"module"`
	// Extra is how many more attempts were granted.
	Extra int `json:"extra"`
	// Reason is what the person who granted them wrote.
	Reason string `json:"why,omitempty"`
	// GrantedBy names who granted them.
	GrantedBy string `json:"by,omitempty"`
}

// Kind implements Content.
func (AttemptsGranted) Kind() Kind { return KindAttemptsGranted }

func (c AttemptsGranted) link(r *Renderer) string { return r.CourseURL(c.Course.ID) }

// AttemptsUsedUp tells an HR admin a person is stuck on a quiz.
type AttemptsUsedUp struct {
	// Name greets the HR admin (their first name).
	Name string `json:"name,omitempty"`
	// Person is the full name of who is stuck; PersonID their employee ID.
	Person   string    `json:"person"`
	PersonID string    `json:"person_id"`
	Course   CourseRef `json:"course"`
	Module   string    `json:"module"`
	// Attempts is how many attempts they used.
	Attempts int `json:"attempts"`
}

// Kind implements Content.
func (AttemptsUsedUp) Kind() Kind { return KindAttemptsUsedUp }

func (c AttemptsUsedUp) link(r *Renderer) string {
	return r.pageURL(append(strings.Split(strings.TrimPrefix(PeoplePath, "/"), "/"), c.PersonID)...)
}
