package learning

import (
	"fmt"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// Errors the HTTP layer turns into pages a learner can act on.
var (
	// ErrNotAssigned: the learner has no current cycle for the course.
	ErrNotAssigned = apperr.New(apperr.NotFound, "This course isn't assigned to you. Your training page lists everything you need to do.")
	// ErrNotFound: no such module, step, attempt or certificate.
	ErrNotFound = apperr.New(apperr.NotFound, "There is nothing at this address. Check the link, or go back to your training.")
	// ErrWrongStepType: the action does not fit the step (e.g. a beacon for a page).
	ErrWrongStepType = apperr.New(apperr.Malformed, "That action doesn't fit this step. Go back to the step and use its buttons.")
	// ErrNoAttemptsLeft: every allowed quiz attempt of the cycle was used.
	ErrNoAttemptsLeft = apperr.New(apperr.Conflict, "You have used all your attempts at this quiz. Contact your manager or your HR team: they can arrange another try.")
	// ErrAlreadyPassed: the quiz was passed; no new attempt is needed.
	ErrAlreadyPassed = apperr.New(apperr.Conflict, "You have already passed this quiz, so there is no need to take it again.")
	// ErrAttemptSubmitted: the attempt was already submitted and graded.
	ErrAttemptSubmitted = apperr.New(apperr.Conflict, "This attempt has already been submitted and graded; its answers can't be changed. Start a new attempt if you have one left.")
	// ErrNotAgreed: the acknowledgement's checkbox was not ticked.
	ErrNotAgreed = apperr.New(apperr.Invalid, "tick the box to confirm you have read and understood the policy")
	// ErrStepLocked: the step does not open until others are done (the
	// signature comes last, the final quiz after the content; see
	// Journey.Locked).
	ErrStepLocked = apperr.New(apperr.Conflict, "This step isn't open yet: do the other steps of the course first. The step's page lists what is left.")
	// ErrCycleClosed: the cycle no longer takes new records.
	ErrCycleClosed = apperr.New(apperr.Conflict, "Nothing more can be recorded for this course right now (it is closed, exempt or expired). Your training page shows what is required.")
)

// errNoCertificate is ErrNotFound for a certificate code.
var errNoCertificate = ErrNotFound.Because("There is no certificate with this code. Check the link.")

// NameMismatchError says the typed signature does not match the account.
type NameMismatchError struct {
	// Expected is the name on the account.
	Expected string
}

func (e *NameMismatchError) Error() string {
	return fmt.Sprintf("the name you typed doesn't match the name on your account (%s)", e.Expected)
}

// AppError makes a NameMismatchError an Invalid apperr.Error about the
// typed signature.
func (e *NameMismatchError) AppError() *apperr.Error { return apperr.Field("signature", e.Error()) }
