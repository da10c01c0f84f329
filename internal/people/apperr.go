package people

import (
	"fmt"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// AppError makes an ImportError an Invalid apperr.Error: one problem per
// row problem (Row, Field the column), and a last "… and N more" when
// some were only counted.
func (e *ImportError) AppError() *apperr.Error {
	problems := make([]apperr.Problem, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		problems = append(problems, apperr.Problem{Row: p.Row, Field: p.Column, Value: p.Value, Message: p.Message})
	}
	switch {
	case e.More == 1:
		problems = append(problems, apperr.Problem{Message: "… and 1 more problem"})
	case e.More > 1:
		problems = append(problems, apperr.Problem{Message: fmt.Sprintf("… and %d more problems", e.More)})
	}
	return &apperr.Error{Code: apperr.Invalid, Message: e.Error(), Problems: problems, Err: e}
}

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
