package apptest

import (
	"net/http"
	"testing"
)

// checkAPIResponses wraps the app's handler in tests. Built with
// -tags openapicheck (openapi.go), it checks every /api/v1/ response
// against openapi.yaml; otherwise it passes the handler through.
var checkAPIResponses = func(_ testing.TB, next http.Handler) http.Handler { return next }
