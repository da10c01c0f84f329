package config

import (
	"strings"
	"testing"
)

func TestSSOSettings(t *testing.T) {
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
