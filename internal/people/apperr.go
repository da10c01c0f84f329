package people

import "github.com/onramp-lms/onramp/internal/apperr"

// AppError makes a DetailsError an Invalid apperr.Error with one problem
// per field, in the form's order.
func (e *DetailsError) AppError() *apperr.Error {
	var problems []apperr.Problem
	for _, f := range DetailsFields {
		if m, ok := e.Fields[f]; ok {
			problems = append(problems, apperr.Problem{Field: f, Message: m})
		}
	}
	return &apperr.Error{Code: apperr.Invalid, Message: e.Error(), Problems: problems, Err: e}
}
