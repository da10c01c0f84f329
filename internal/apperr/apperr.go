// Package apperr is Onramp's one coded error type.
//
// Domain packages say what went wrong with a Code (not found, invalid,
// conflict, …) and a message a person can act on; the HTTP layer turns the
// code into a status in exactly one place, for pages and for JSON, and the
// CLI into an exit code. Sentinel errors are values of *Error, so errors.Is
// keeps working through wrapping:
//
//	var ErrNotFound = apperr.New(apperr.NotFound, "employee not found")
//	…
//	return fmt.Errorf("load %d: %w", id, ErrNotFound)
//
// An Invalid error may carry Problems: one per field or per row, so a form
// can show each next to its field and an import can list every bad row.
package apperr

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an error is, independent of transport.
type Code int

const (
	// Internal is a failure the person cannot fix (a bug, a lost database).
	// It is the code of every error that is not an *Error.
	Internal Code = iota
	// NotFound: the thing asked for does not exist (or is not visible).
	NotFound
	// Invalid: the input was read but is wrong; Problems says where.
	Invalid
	// Conflict: the input is fine but the current state does not allow it
	// (already done, changed meanwhile, would break an invariant).
	Conflict
	// Forbidden: the person is known but may not do this.
	Forbidden
	// Unauthorized: the person is not (or no longer) signed in.
	Unauthorized
	// TooMany: throttled; try again later.
	TooMany
	// Gone: the thing existed but has expired or been used up (a link).
	Gone
	// Unavailable: something Onramp depends on cannot be reached.
	Unavailable
	// Malformed: the request itself cannot be read or is not one Onramp
	// takes (a body that is not JSON, an unknown query parameter, a bad
	// cursor), as opposed to Invalid content in a well-formed request.
	Malformed
)

var codeNames = [...]string{"internal", "not_found", "invalid", "conflict", "forbidden", "unauthorized", "too_many", "gone", "unavailable", "malformed"}

// String is the code's stable name, as used in logs and JSON.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Problem is one thing wrong with the input: a field of a form or API body
// (Field), or a cell of an imported file (Row counted from 1 as the person
// sees it, Field the column header). Row 0 means the whole input.
type Problem struct {
	Row int `json:"row,omitempty"`
	// Index is the item's position in a list sent in one request (from 0),
	// when the input was a list; nil otherwise.
	Index *int `json:"index,omitempty"`
	// Key is the record's own identifier as the sender knows it (an
	// employee_id), when it has one.
	Key     string `json:"key,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// Error is a coded error with a message that is safe to show to the person
// who caused it.
type Error struct {
	Code     Code
	Message  string
	Problems []Problem
	// More counts the problems found beyond Problems, when a long list was
	// cut (an import lists at most 200).
	More int
	// Err is the underlying cause, for logs; never shown.
	Err error
	// kind is the sentinel this error is an occasion of (see Because).
	kind *Error
}

// Coded is implemented by error types of their own that know which *Error
// they are, such as an import's error listing every bad row; As, CodeOf and
// MessageOf read it.
type Coded interface {
	error
	AppError() *Error
}

// New returns an error with the code and message; use it for sentinels.
func New(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Errorf is New with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidInput returns an Invalid error listing problems.
func InvalidInput(message string, problems ...Problem) *Error {
	return &Error{Code: Invalid, Message: message, Problems: problems}
}

// Field returns an Invalid error about one field.
func Field(field, message string) *Error {
	return &Error{Code: Invalid, Message: message, Problems: []Problem{{Field: field, Message: message}}}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Because returns an error with e's code and a message for this occasion
// (e.g. "There is no certificate with this code." for a NotFound sentinel);
// errors.Is(result, e) holds.
func (e *Error) Because(message string) *Error {
	return &Error{Code: e.Code, Message: message, kind: e}
}

// Becausef is Because with a formatted message.
func (e *Error) Becausef(format string, args ...any) *Error {
	return e.Because(fmt.Sprintf(format, args...))
}

// Is reports whether target is the sentinel e was made from with Because
// (or that sentinel's own sentinel).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	for k := e.kind; k != nil; k = k.kind {
		if k == t {
			return true
		}
	}
	return false
}

// Wrap returns a copy of e with cause attached, so errors.Is(result, e)
// still holds while the log keeps the cause.
func (e *Error) Wrap(cause error) error { return &wrapped{sentinel: e, cause: cause} }

type wrapped struct {
	sentinel *Error
	cause    error
}

func (w *wrapped) Error() string   { return w.sentinel.Message + ": " + w.cause.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.sentinel, w.cause} }

// As returns the first *Error in err's chain (or the *Error of the first
// Coded error), or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var c Coded
	if errors.As(err, &c) {
		return c.AppError()
	}
	return nil
}

// CodeOf returns the code of the first *Error in err's chain; Internal for
// nil-free errors that carry none.
func CodeOf(err error) Code {
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// MessageOf returns the message that may be shown for err: the first
// *Error's message, or "" for an internal error (whose text may hold
// details that belong in the log only).
func MessageOf(err error) string {
	if e := As(err); e != nil && e.Code != Internal {
		return e.Message
	}
	return ""
}
