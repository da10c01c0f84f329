package apptest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/helpers"
)

// apiDocument is the OpenAPI 3.1 description the server publishes at
// /api/v1/openapi.yaml.
func apiDocument() string {
	return filepath.Join(RepoRoot(), "internal", "httpserver", "openapi.yaml")
}

// apiValidator is built once per test binary from apiDocument.
var apiValidator = sync.OnceValues(func() (validator.Validator, error) {
	spec, err := os.ReadFile(apiDocument())
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		var msgs []string
		for _, e := range verrs {
			msgs = append(msgs, e.Message+": "+e.Reason)
		}
		return nil, &specError{msgs}
	}
	return v, nil
})

type specError struct{ msgs []string }

func (e *specError) Error() string { return "openapi.yaml is not valid: " + strings.Join(e.msgs, "; ") }

// validateAPIResponses wraps the app's handler so that every response under
// /api/v1/ that a test receives is checked against openapi.yaml (its
// status, content type and body, with the document's schemas); a response
// the document does not describe fails the test. Calls to paths the
// document does not have (404 for no such call) are not checked.
func validateAPIResponses(tb testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		v, err := apiValidator()
		if err != nil {
			tb.Errorf("API response check: %v", err)
			return
		}
		res := &http.Response{
			StatusCode: rec.status, Header: rec.Header().Clone(), Request: r,
			Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())), ContentLength: int64(rec.body.Len()),
		}
		if ok, errs := v.ValidateHttpResponse(r, res); !ok {
			var msgs []string
			for _, e := range errs {
				if e.ValidationType == helpers.PathValidation && (e.ValidationSubType == helpers.ValidationMissing || e.ValidationSubType == helpers.ValidationMissingOperation) {
					continue
				}
				m := e.Message + ": " + e.Reason
				for _, se := range e.SchemaValidationErrors {
					m += "\n\t\t" + se.FieldPath + ": " + se.Reason
				}
				msgs = append(msgs, m)
			}
			if len(msgs) > 0 {
				tb.Errorf("%s %s answered %d (%s) not as openapi.yaml describes:\n\t%s\nbody: %.600s",
					r.Method, r.URL.RequestURI(), rec.status, rec.Header().Get("Content-Type"), strings.Join(msgs, "\n\t"), rec.body.String())
			}
		}
	})
}

// recorder passes a response through while keeping a copy of it.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
