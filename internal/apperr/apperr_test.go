package apperr_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/onramp-lms/onramp/internal/apperr"
)

var errMissing = apperr.New(apperr.NotFound, "employee not found")

func TestSentinelsSurviveWrapping(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("load 7: %w", errMissing)
	if !errors.Is(err, errMissing) {
		t.Fatal("errors.Is lost the sentinel through fmt.Errorf")
	}
	if got := apperr.CodeOf(err); got != apperr.NotFound {
		t.Fatalf("code = %v, want not_found", got)
	}
	if got := apperr.MessageOf(err); got != "employee not found" {
		t.Fatalf("message = %q", got)
	}
	w := errMissing.Wrap(io.ErrUnexpectedEOF)
	if !errors.Is(w, errMissing) || !errors.Is(w, io.ErrUnexpectedEOF) {
		t.Fatal("Wrap must keep both the sentinel and the cause")
	}
	if apperr.CodeOf(w) != apperr.NotFound {
		t.Fatal("Wrap lost the code")
	}
}

func TestPlainErrorsAreInternalAndSilent(t *testing.T) {
	t.Parallel()
	err := errors.New("sql: connection refused at 10.0.0.3")
	if apperr.CodeOf(err) != apperr.Internal {
		t.Fatal("a plain error must be internal")
	}
	if apperr.MessageOf(err) != "" {
		t.Fatal("an internal error's text must not be shown")
	}
	if apperr.CodeOf(nil) != apperr.Internal || apperr.As(nil) != nil {
		t.Fatal("nil has no code")
	}
}

func TestFieldProblems(t *testing.T) {
	t.Parallel()
	err := apperr.Field("email", "enter an e-mail address")
	if err.Code != apperr.Invalid || len(err.Problems) != 1 || err.Problems[0].Field != "email" {
		t.Fatalf("got %+v", err)
	}
	if apperr.Code(42).String() != "code(42)" || apperr.TooMany.String() != "too_many" {
		t.Fatal("code names")
	}
}

func TestBecauseKeepsTheSentinel(t *testing.T) {
	t.Parallel()
	cert := errMissing.Because("There is no certificate with this code. Check the link.")
	err := fmt.Errorf("certificate: %w", cert)
	if !errors.Is(err, errMissing) || !errors.Is(err, cert) {
		t.Fatal("errors.Is lost the sentinel an occasion was made from")
	}
	if errors.Is(err, apperr.New(apperr.NotFound, "employee not found")) {
		t.Fatal("another sentinel with the same text must not match")
	}
	if apperr.CodeOf(err) != apperr.NotFound || apperr.MessageOf(err) != "There is no certificate with this code. Check the link." {
		t.Fatalf("code %v, message %q", apperr.CodeOf(err), apperr.MessageOf(err))
	}
}

type rowsError struct{ n int }

func (e *rowsError) Error() string { return fmt.Sprintf("%d rows are wrong", e.n) }
func (e *rowsError) AppError() *apperr.Error {
	return apperr.InvalidInput(e.Error(), apperr.Problem{Row: 2, Field: "email", Message: "is not an e-mail address"})
}

func TestCodedErrorsAreRead(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("import: %w", &rowsError{n: 1})
	ae := apperr.As(err)
	if ae == nil || ae.Code != apperr.Invalid || len(ae.Problems) != 1 || ae.Problems[0].Row != 2 {
		t.Fatalf("As read %+v", ae)
	}
	if apperr.MessageOf(err) != "1 rows are wrong" {
		t.Fatalf("message %q", apperr.MessageOf(err))
	}
}
