package config

import (
	"strings"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, map[string]string{"ONRAMP_TRUSTED_PROXIES": " 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8,"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range c.TrustedProxies {
		got = append(got, n.String())
	}
	if want := "10.0.0.0/8 127.0.0.1/32 ::1/128 fd00::/8"; strings.Join(got, " ") != want {
		t.Fatalf("trusted proxies %v, want %s", got, want)
	}
	c, err = load(t, nil, nil)
	if err != nil || len(c.TrustedProxies) != 0 {
		t.Fatalf("default trusted proxies %v, %v; want none", c.TrustedProxies, err)
	}
}

func TestTrustedProxiesBadRange(t *testing.T) {
	t.Parallel()
	_, err := load(t, []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, nil)
	if err == nil || !IsSetting(err) || strings.Contains(err.Error(), "\n") ||
		!strings.HasPrefix(err.Error(), "--trusted-proxies:") || !strings.Contains(err.Error(), `"proxy.local"`) {
		t.Fatalf("error %v, want one line naming --trusted-proxies and the bad entry", err)
	}
}
