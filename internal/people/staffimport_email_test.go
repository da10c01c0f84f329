package people

import (
	"net/mail"
	"testing"
)

// FuzzBareEmail checks that the quick path for ordinary addresses never
// accepts what net/mail would refuse.
func FuzzBareEmail(f *testing.F) {
	for _, s := range []string{
		"ana@example.org", "a.b+c@mail.example.org", "o'brien@example.ie", "x@localhost", "a..b@example.org",
		".a@example.org", "a@example..org", "a@-example.org", `"a b"@example.org`, "Ana <a@example.org>", "a@b.c@d.e",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !bareEmail(s) {
			return
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s {
			t.Fatalf("bareEmail(%q) = true, but net/mail says %v, %+v", s, err, a)
		}
	})
}

func TestBareEmail(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"ana@example.org":        true,
		"a.b+tag@mail.example.o": true,
		"o'brien@example.ie":     true,
		"x@localhost":            false, // no dotted domain: a typo far more often than an address
		"a..b@example.org":       false,
		"a@example.":             false,
		"Ana <a@example.org>":    false,
		"a@b.c@d.e":              false,
		"ana@exa mple.org":       false,
	} {
		if got := bareEmail(s); got != want {
			t.Errorf("bareEmail(%q) = %v, want %v", s, got, want)
		}
	}
}
