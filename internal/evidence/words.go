package evidence

import (
	"fmt"
	"strconv"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// The words a transcript uses, shared by its page, its PDF and the
// completions CSV, so all three say the same thing.

// Moment formats an instant in UTC to the minute: "2 March 2026, 09:00 UTC".
func Moment(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

// MomentPtr is Moment, or "" for nil.
func MomentPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return Moment(*t)
}

// Day formats a calendar day: "2 March 2026".
func Day(t time.Time) string { return compliance.FormatDay(t) }

// DayPtr is Day, or "" for nil.
func DayPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return Day(*t)
}

// StatusLabel says a cycle status in words.
func StatusLabel(s compliance.CycleStatus) string { return compliance.StatusLabel(s) }

// PathLabel says which path a cycle follows.
func PathLabel(p compliance.Path) string {
	if p == compliance.PathRefresher {
		return "refresher"
	}
	return "full course"
}

// VersionLabel shows a content version as its short hash and row ID.
func VersionLabel(v *Version) string {
	if v == nil {
		return ""
	}
	return v.Short() + " (" + v.ID + ")"
}

// AttemptScore says an attempt's grade: "80% (4/5)".
func AttemptScore(a AttemptRecord) string {
	if a.Attempt.SubmittedAt == nil {
		return "not submitted"
	}
	return fmt.Sprintf("%d%% (%d/%d)", a.Attempt.ScorePercent, a.Attempt.CorrectCount, a.Attempt.QuestionCount)
}

// AttemptResult says whether an attempt passed.
func AttemptResult(a AttemptRecord) string {
	switch {
	case a.Attempt.SubmittedAt == nil:
		return "Open"
	case a.Attempt.Passed:
		return "Passed"
	}
	return "Not passed"
}

// VideoWatched says how much of a video was watched: "100% (20.0 of 20.0 s)".
func VideoWatched(v VideoRecord) string {
	return fmt.Sprintf("%d%% (%s of %s seconds)", v.WatchedPercent(),
		strconv.FormatFloat(v.Progress.WatchedSeconds, 'f', 1, 64), strconv.FormatFloat(v.Progress.DurationSeconds, 'f', 1, 64))
}

// ChangeLabel says what an extension or exemption did.
func ChangeLabel(ch *compliance.CycleChange) string {
	switch ch.Kind {
	case "extension":
		return fmt.Sprintf("Extended from %s to %s", DayPtr(ch.OldDueAt), DayPtr(ch.NewDueAt))
	case "exemption":
		if ch.EndsAt != nil {
			return "Exempt until " + Day(*ch.EndsAt)
		}
		return "Exempt"
	}
	return ch.Kind
}

// EmployeeNumber is the HR system's ID of the person, or "" for none.
func (t *Transcript) EmployeeNumber() string {
	if t.Employee.EmployeeNumber == nil {
		return ""
	}
	return *t.Employee.EmployeeNumber
}

// SkillObserver is who marked a skill, with their comment.
func SkillObserver(s SkillRecord) string {
	if s.Mark == nil {
		return ""
	}
	if s.Mark.Comment != "" {
		return s.Mark.ObserverName + ": " + s.Mark.Comment
	}
	return s.Mark.ObserverName
}

// SkillMarkedAt is when a skill was last marked, or "".
func SkillMarkedAt(s SkillRecord) string {
	if s.Mark == nil {
		return ""
	}
	return Moment(s.Mark.MarkedAt)
}

// QuestionAnswered is when the contact recorded their answer, or "Not yet".
func QuestionAnswered(q *QuestionRecord) string {
	if q.AnsweredAt == nil {
		return "Not yet"
	}
	return Moment(*q.AnsweredAt)
}
