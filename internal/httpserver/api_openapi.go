package httpserver

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPISpec is the API's OpenAPI 3.1 description, kept beside the handlers
// it describes.
//
//go:embed openapi.yaml
var openAPISpec []byte

// apiOpenAPI serves the description. It is public: it holds no data, and
// tools fetch it before they have a token.
func (s *Server) apiOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", openAPISpec)
}
