package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	build := Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return build()
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "data" || c.DatabaseURL != "data/onramp.db" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.BaseURL.String() != "http://127.0.0.1:8080" || c.Secure() {
		t.Fatalf("base URL %s secure=%v", c.BaseURL, c.Secure())
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{"ONRAMP_ADDR": "0.0.0.0:9000", "ONRAMP_DATA_DIR": "/var/lib/onramp", "ONRAMP_BASE_URL": "https://training.example.org/"}
	c, err := load(t, []string{"--addr", "127.0.0.1:7000"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("addr %s", c.Addr)
	}
	if c.DatabaseURL != "/var/lib/onramp/onramp.db" {
		t.Errorf("database %s", c.DatabaseURL)
	}
	if c.BaseURL.String() != "https://training.example.org" || !c.Secure() {
		t.Errorf("base %s", c.BaseURL)
	}
}

func TestBadSettingsNameTheSetting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"ONRAMP_ADDR": "8080"}, "ONRAMP_ADDR:"},
		{[]string{"--addr", "nonsense"}, nil, "--addr:"},
		{nil, map[string]string{"ONRAMP_BASE_URL": "training.example.org"}, "ONRAMP_BASE_URL:"},
		{nil, map[string]string{"ONRAMP_DATABASE_URL": "mysql://x"}, "ONRAMP_DATABASE_URL:"},
		{nil, map[string]string{"ONRAMP_CONTENT_DIR": "/does/not/exist"}, "ONRAMP_CONTENT_DIR:"},
		{nil, map[string]string{"ONRAMP_SESSION_IDLE": "soon"}, "ONRAMP_SESSION_IDLE:"},
		{[]string{"--log-level", "loud"}, nil, "--log-level:"},
		{nil, map[string]string{"ONRAMP_SMTP_URL": "http://mail.example.org"}, "ONRAMP_SMTP_URL:"},
		{nil, map[string]string{"ONRAMP_MAIL_FROM": "not an address"}, "ONRAMP_MAIL_FROM:"},
		{nil, map[string]string{"ONRAMP_TIME_ZONE": "Mars/Olympus_Mons"}, "ONRAMP_TIME_ZONE:"},
		{nil, map[string]string{"ONRAMP_SCHEDULER_INTERVAL": "5ms"}, "ONRAMP_SCHEDULER_INTERVAL:"},
		{nil, map[string]string{"ONRAMP_DUE_SOON_DAYS": "14,soon"}, "ONRAMP_DUE_SOON_DAYS:"},
	}
	for _, tc := range cases {
		_, err := load(t, tc.args, tc.env)
		if err == nil {
			t.Errorf("%v %v: no error", tc.args, tc.env)
			continue
		}
		if !IsSetting(err) || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %v: error %q, want one line starting %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, map[string]string{"ONRAMP_SESSION_IDLE": "15m", "ONRAMP_INVITE_TTL": "72h"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionIdle != 15*time.Minute || c.InviteTTL != 72*time.Hour || c.SessionMax != 12*time.Hour {
		t.Fatalf("%+v", c)
	}
}

func TestDueSoonDays(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, map[string]string{"ONRAMP_DUE_SOON_DAYS": "7, 30,1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DueSoonDays) != 3 || c.DueSoonDays[0] != 30 || c.DueSoonDays[2] != 1 {
		t.Fatalf("due-soon days %v, want [30 7 1]", c.DueSoonDays)
	}
}
