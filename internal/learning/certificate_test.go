package learning

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestCertificateCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c := NewCode()
		if len(c) != CodeLength {
			t.Fatalf("code %q has length %d", c, len(c))
		}
		for _, r := range c {
			if !strings.ContainsRune(codeAlphabet, r) {
				t.Fatalf("code %q has %q outside the alphabet", c, r)
			}
		}
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true
	}
	if got := FormatCode("ABCDEFGH23"); got != "ABCD-EFGH-23" {
		t.Errorf("FormatCode = %q", got)
	}
	for in, want := range map[string]string{
		"abcd-efgh-23":   "ABCDEFGH23",
		" ABCD EFGH 23 ": "ABCDEFGH23",
		"ABCD/EFGH":      "",
		"ABCDOEFGH2":     "", // O is never in a code
	} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.ContainsAny(codeAlphabet, "01OIL") {
		t.Error("the alphabet must leave out characters that are easily confused")
	}
}

func TestWriteCertificatePDF(t *testing.T) {
	t.Parallel()
	score, pass := 100, 80
	exp := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	c := &Certificate{
		Code: "ABCDEFGH23", EmployeeName: "Maximiliane Alexandra Konstantinopoulou-Wolfeschlegelsteinhausen",
		JobTitle: "Registered Nurse", Department: "Ward 3", CourseTitle: "Social Media Guidelines for Employees",
		CompletedAt: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC), ExpiresAt: &exp, ScorePercent: &score, PassMark: &pass,
		IssuedAt: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC),
	}
	var buf bytes.Buffer
	if err := WriteCertificatePDF(&buf, c, "https://onramp.example.org/verify/ABCD-EFGH-23"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) || buf.Len() < 1000 {
		t.Errorf("not a PDF: %d bytes starting %q", buf.Len(), buf.Bytes()[:min(8, buf.Len())])
	}
}
