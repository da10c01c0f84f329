package httpserver

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/scim"
)

// scimServiceProviderConfig answers GET /scim/v2/ServiceProviderConfig.
func (s *Server) scimServiceProviderConfig(c echo.Context) error {
	return scimJSON(c, http.StatusOK, scim.ServiceProviderConfig(s.scimBase(c), "https://github.com/onramp-lms/onramp/blob/main/docs/sso.md#scim-provisioning"))
}

// scimResourceTypes answers GET /scim/v2/ResourceTypes.
func (s *Server) scimResourceTypes(c echo.Context) error {
	return scimJSON(c, http.StatusOK, scim.List([]map[string]any{scim.ResourceTypeUser(s.scimBase(c))}))
}

// scimResourceType answers GET /scim/v2/ResourceTypes/:id.
func (s *Server) scimResourceType(c echo.Context) error {
	if c.Param("id") != "User" {
		return &scim.Error{Status: http.StatusNotFound, Detail: "Onramp serves one resource type, User."}
	}
	return scimJSON(c, http.StatusOK, scim.ResourceTypeUser(s.scimBase(c)))
}

// scimSchemas answers GET /scim/v2/Schemas.
func (s *Server) scimSchemas(c echo.Context) error {
	return scimJSON(c, http.StatusOK, scim.List(scim.Schemas(s.scimBase(c))))
}

// scimSchema answers GET /scim/v2/Schemas/:id.
func (s *Server) scimSchema(c echo.Context) error {
	for _, sc := range scim.Schemas(s.scimBase(c)) {
		if strings.EqualFold(sc["id"].(string), c.Param("id")) {
			return scimJSON(c, http.StatusOK, sc)
		}
	}
	return &scim.Error{Status: http.StatusNotFound, Detail: "Onramp serves the schemas " + scim.SchemaUser + " and " + scim.SchemaEnterpriseUser + "."}
}
