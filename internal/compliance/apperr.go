package compliance

import (
	"maps"
	"slices"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// AppError makes a RuleError an Invalid apperr.Error, a problem per field.
func (e *RuleError) AppError() *apperr.Error {
	problems := make([]apperr.Problem, len(e.Problems))
	for i, p := range e.Problems {
		problems[i] = apperr.Problem{Field: p.Field, Message: p.Message}
	}
	return &apperr.Error{Code: apperr.Invalid, Message: e.Error(), Problems: problems, Err: e}
}

// AppError makes a SelectionError an Invalid apperr.Error: the form's
// fields (Field the form field), then one problem per cycle (Key its ID,
// Message why it cannot be changed, as CycleProblem.Message says it; the
// person and course are the cycle's own).
func (e *SelectionError) AppError() *apperr.Error {
	var problems []apperr.Problem
	for _, k := range slices.Sorted(maps.Keys(e.Field)) {
		problems = append(problems, apperr.Problem{Field: k, Message: e.Field[k]})
	}
	for _, c := range e.Cycles {
		problems = append(problems, apperr.Problem{Key: c.CycleID, Message: c.Message})
	}
	return &apperr.Error{Code: apperr.Invalid, Message: e.Error(), Problems: problems, Err: e}
}
