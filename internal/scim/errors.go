package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/onramp-lms/onramp/internal/apperr"
)

// The scimType values of RFC 7644 §3.12 that Onramp uses.
const (
	TypeInvalidFilter = "invalidFilter"
	TypeTooMany       = "tooMany"
	TypeUniqueness    = "uniqueness"
	TypeMutability    = "mutability"
	TypeInvalidSyntax = "invalidSyntax"
	TypeInvalidPath   = "invalidPath"
	TypeNoTarget      = "noTarget"
	TypeInvalidValue  = "invalidValue"
)

// Error is a SCIM error: an HTTP status, a scimType for 400 and 409, and a
// sentence for the identity team.
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("scim %d: %s", e.Status, e.Detail)
}

// MarshalJSON writes the error in RFC 7644 §3.12's format, the status as a
// string.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType,omitempty"`
		Detail   string   `json:"detail,omitempty"`
	}{[]string{MessageError}, strconv.Itoa(e.Status), e.ScimType, e.Detail})
}

func errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest is a 400 with a scimType.
func BadRequest(scimType, format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, scimType, format, args...)
}

// NotFound is the 404 for a resource that does not exist or was deleted.
func NotFound(id string) *Error {
	return errorf(http.StatusNotFound, "", "There is no user with id %q (or it was deleted).", id)
}

// ErrorOf turns any error into the SCIM error to answer with. An internal
// error becomes a 500 whose detail says nothing of its cause (the caller
// logs it).
func ErrorOf(err error) *Error {
	if se, ok := errors.AsType[*Error](err); ok {
		return se
	}
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return errorf(http.StatusRequestEntityTooLarge, "", "The request body is larger than %d bytes.", mbe.Limit)
	}
	if ae := apperr.As(err); ae != nil {
		switch ae.Code {
		case apperr.NotFound:
			return errorf(http.StatusNotFound, "", "%s", ae.Message)
		case apperr.Invalid:
			return errorf(http.StatusBadRequest, TypeInvalidValue, "%s", ae.Message)
		case apperr.Conflict:
			return errorf(http.StatusConflict, "", "%s", ae.Message)
		case apperr.Forbidden:
			return errorf(http.StatusForbidden, "", "%s", ae.Message)
		case apperr.Unauthorized:
			return errorf(http.StatusUnauthorized, "", "%s", ae.Message)
		case apperr.TooMany:
			return errorf(http.StatusTooManyRequests, "", "%s", ae.Message)
		}
	}
	return errorf(http.StatusInternalServerError, "", "Onramp could not finish this request; try again. If it keeps failing, Onramp's log has the cause.")
}
