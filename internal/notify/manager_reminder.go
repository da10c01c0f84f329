package notify

import "time"

// KindManagerReminder is a reminder a manager sent a person about one
// course from the team page ("Send a reminder"). Like the attempts
// messages it is not a reminder of the policy, so it is not in Kinds;
// learning composes it (Renderer.Compose) in the transaction that records
// it.
const KindManagerReminder Kind = "manager_reminder"

// ManagerReminder asks a person to finish a course, on their manager's
// behalf.
type ManagerReminder struct {
	// Name greets the recipient (their first name).
	Name   string    `json:"name,omitempty"`
	Course CourseRef `json:"course"`
	// Manager names who sent it.
	Manager string `json:"manager"`
	// DueAt is the course's due date; Overdue says it has passed.
	DueAt   time.Time `json:"due"`
	Overdue bool      `json:"overdue,omitempty"`
	// Done and Required count the steps (done of required).
	Done     int `json:"done"`
	Required int `json:"required"`
}

// Kind implements Content.
func (ManagerReminder) Kind() Kind { return KindManagerReminder }

func (c ManagerReminder) link(r *Renderer) string { return r.CourseURL(c.Course.ID) }
