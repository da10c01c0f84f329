package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDayOneSettings(t *testing.T) {
	t.Parallel()
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.InviteNewPeople || c.ResetTTL != time.Hour || c.OrgName != "" || c.OrgLogo != "" {
		t.Fatalf("defaults: invite %v, reset %v, org %q, logo %q", c.InviteNewPeople, c.ResetTTL, c.OrgName, c.OrgLogo)
	}
	c, err = load(t, []string{"--invite-new-people", "off", "--org-name", "  St. Brigid's   Hospital "}, map[string]string{"ONRAMP_RESET_TTL": "30m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.InviteNewPeople || c.OrgName != "St. Brigid's Hospital" || c.ResetTTL != 30*time.Minute {
		t.Fatalf("set: invite %v, org %q, reset %v", c.InviteNewPeople, c.OrgName, c.ResetTTL)
	}
	_, err = load(t, nil, map[string]string{"ONRAMP_INVITE_NEW_PEOPLE": "maybe"})
	if err == nil || !strings.Contains(err.Error(), "ONRAMP_INVITE_NEW_PEOPLE") {
		t.Errorf("bad on/off: %v", err)
	}

	dir := t.TempDir()
	png := filepath.Join(dir, "logo.png")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n rest of a picture"), 0o600)
	txt := filepath.Join(dir, "logo.txt")
	os.WriteFile(txt, []byte("not a picture"), 0o600)
	if c, err := load(t, nil, map[string]string{"ONRAMP_ORG_LOGO": png}); err != nil || c.OrgLogo != png {
		t.Errorf("a PNG logo: %v", err)
	}
	for _, bad := range []string{txt, filepath.Join(dir, "missing.png"), dir} {
		_, err := load(t, nil, map[string]string{"ONRAMP_ORG_LOGO": bad})
		if err == nil || !strings.HasPrefix(err.Error(), "ONRAMP_ORG_LOGO: ") {
			t.Errorf("%s: %v, want an ONRAMP_ORG_LOGO error", bad, err)
		}
	}
}
