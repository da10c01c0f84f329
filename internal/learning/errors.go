package learning

import (
	"errors"
	"fmt"
)

// Errors the HTTP layer turns into pages a learner can act on.
var (
	// ErrNotAssigned: the learner has no current cycle for the course.
	ErrNotAssigned = errors.New("this course isn't assigned to you")
	// ErrNotFound: no such module, step, attempt or certificate.
	ErrNotFound = errors.New("not found")
	// ErrWrongStepType: the action does not fit the step (e.g. a beacon for a page).
	ErrWrongStepType = errors.New("this action does not fit this step")
	// ErrNoAttemptsLeft: every allowed quiz attempt of the cycle was used.
	ErrNoAttemptsLeft = errors.New("no quiz attempts left")
	// ErrAlreadyPassed: the quiz was passed; no new attempt is needed.
	ErrAlreadyPassed = errors.New("this quiz has already been passed")
	// ErrAttemptSubmitted: the attempt was already submitted and graded.
	ErrAttemptSubmitted = errors.New("this attempt has already been submitted")
	// ErrNotAgreed: the acknowledgement's checkbox was not ticked.
	ErrNotAgreed = errors.New("tick the box to confirm you have read and understood the policy")
	// ErrStepLocked: the step does not open until others are done (the
	// signature comes last, the final quiz after the content; see
	// Journey.Locked).
	ErrStepLocked = errors.New("this step opens once the steps before it are done")
	// ErrCycleClosed: the cycle no longer takes new records.
	ErrCycleClosed = errors.New("this course's current period is closed")
)

// NameMismatchError says the typed signature does not match the account.
type NameMismatchError struct {
	// Expected is the name on the account.
	Expected string
}

func (e *NameMismatchError) Error() string {
	return fmt.Sprintf("the name you typed doesn't match the name on your account (%s)", e.Expected)
}
