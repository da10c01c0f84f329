package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestSSOSettings(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, map[string]string{
		"ONRAMP_OIDC_ISSUER": "https://login.example.org/tenant/v2.0", "ONRAMP_OIDC_CLIENT_ID": "onramp",
		"ONRAMP_OIDC_CLIENT_SECRET": "s3cret", "ONRAMP_OIDC_NAME": "Microsoft", "ONRAMP_PASSWORD_LOGIN": "hr-only", "ONRAMP_SSO_CREATE": "on",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.OIDC.Enabled() || c.OIDC.ClientSecret != "s3cret" || c.OIDC.Name != "Microsoft" || c.OIDC.EmployeeClaim != "employee_id" || !c.SSOCreate || c.PasswordLogin != PasswordHROnly {
		t.Fatalf("got %+v", c)
	}
	if c.PasswordAllowed(false) || !c.PasswordAllowed(true) {
		t.Fatal("hr-only must allow HR admins only")
	}
	d, err := load(t, nil, nil)
	if err != nil || d.OIDC.Enabled() || d.PasswordLogin != PasswordOn || !d.PasswordAllowed(false) {
		t.Fatalf("defaults: %+v, %v", d, err)
	}
}

func TestBadSSOSettingsNameTheSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ONRAMP_OIDC_ISSUER": "login.example.org"}, "ONRAMP_OIDC_ISSUER: "},
		{map[string]string{"ONRAMP_OIDC_ISSUER": "https://login.example.org"}, "ONRAMP_OIDC_CLIENT_ID: is needed"},
		{map[string]string{"ONRAMP_OIDC_CLIENT_ID": "onramp"}, "ONRAMP_OIDC_ISSUER: is needed"},
		{map[string]string{"ONRAMP_PASSWORD_LOGIN": "maybe"}, "ONRAMP_PASSWORD_LOGIN: \"maybe\" is not on, hr-only or off"},
		{map[string]string{"ONRAMP_PASSWORD_LOGIN": "off"}, "ONRAMP_PASSWORD_LOGIN: off needs single sign-on"},
		{map[string]string{"ONRAMP_SSO_CREATE": "sometimes"}, "ONRAMP_SSO_CREATE: "},
	} {
		_, err := load(t, nil, tc.env)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to start with %q", tc.env, err, tc.want)
		}
	}
}

func TestSAMLSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	md, key, cert := dir+"/idp.xml", dir+"/sp.key", dir+"/sp.crt"
	for _, f := range []string{md, key, cert} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := load(t, []string{"--saml-clock-skew", "30s"}, map[string]string{
		"ONRAMP_SAML_IDP_METADATA": md, "ONRAMP_SAML_EMPLOYEE_ATTRIBUTE": "employeeNumber", "ONRAMP_SAML_KEY": key,
		"ONRAMP_SAML_CERT": cert, "ONRAMP_SAML_NAME": "Okta", "ONRAMP_PASSWORD_LOGIN": "off",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.SAML.Enabled() || c.SAML.EmployeeAttribute != "employeeNumber" || c.SAML.KeyFile != key || c.SAML.CertFile != cert ||
		c.SAML.ClockSkew != 30*time.Second || c.SAML.Name != "Okta" || c.PasswordLogin != PasswordOff {
		t.Fatalf("got %+v", c.SAML)
	}
	d, err := load(t, nil, map[string]string{"ONRAMP_SAML_IDP_METADATA": "https://idp.example.org/metadata"})
	if err != nil || d.SAML.ClockSkew != 2*time.Minute || d.SAML.EmployeeAttribute != "employee_id" || d.SAML.KeyFile != "" {
		t.Fatalf("defaults: %+v, %v", d.SAML, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ONRAMP_SAML_IDP_METADATA": dir + "/missing.xml"}, "ONRAMP_SAML_IDP_METADATA: "},
		{map[string]string{"ONRAMP_SAML_IDP_METADATA": "ftp://idp.example.org/md"}, "ONRAMP_SAML_IDP_METADATA: "},
		{map[string]string{"ONRAMP_SAML_KEY": key}, "ONRAMP_SAML_CERT: is needed"},
		{map[string]string{"ONRAMP_SAML_CERT": cert}, "ONRAMP_SAML_KEY: is needed"},
		{map[string]string{"ONRAMP_SAML_KEY": dir + "/nope", "ONRAMP_SAML_CERT": cert}, "ONRAMP_SAML_KEY: "},
		{map[string]string{"ONRAMP_SAML_CLOCK_SKEW": "10m"}, "ONRAMP_SAML_CLOCK_SKEW: "},
		{map[string]string{"ONRAMP_SAML_CLOCK_SKEW": "soon"}, "ONRAMP_SAML_CLOCK_SKEW: "},
		{map[string]string{"ONRAMP_SAML_NAME": strings.Repeat("x", 61)}, "ONRAMP_SAML_NAME: "},
	} {
		_, err := load(t, nil, tc.env)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to start with %q", tc.env, err, tc.want)
		}
	}
}
