package httpserver_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
)

func TestTranscriptPageAndPDF(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	lead, leadClient := newLearner(t, env, "lead@example.org", "Team", "Lead", people.RoleManager)
	ada, adaClient := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	_, otherClient := newLearner(t, env, "bob@example.org", "Bob", "Other", people.RoleLearner)
	_, hr := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", ada.ID).Update("manager_id", lead.ID).Error; err != nil {
		t.Fatal(err)
	}
	assignBasic(t, env, ada)
	auditJourney(t, env, adaClient, "Ada Lovelace")
	page := "/admin/people/" + ada.ID + "/transcript"

	res := hr.Get(page)
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	if got := doc.Find("[data-testid=transcript-name]").Text(); got != "Ada Lovelace" {
		t.Errorf("name = %q", got)
	}
	cycle := doc.Find("[data-testid=transcript-cycle]")
	if cycle.Length() != 1 || !strings.Contains(cycle.Find("h3").Text(), "Completed") {
		t.Fatalf("cycles: %d, %q", cycle.Length(), cycle.Find("h3").Text())
	}
	if got := cycle.Find("[data-testid=printed-name]").Text(); got != "Ada Lovelace" {
		t.Errorf("printed name = %q", got)
	}
	if got := cycle.Find("[data-testid=meaning]").Text(); got != "I have read this policy and I will follow it." {
		t.Errorf("meaning = %q", got)
	}
	if !regexp.MustCompile(`^[0-9a-f]{12} \(.+\)$`).MatchString(cycle.Find("[data-testid=course-version]").Text()) {
		t.Errorf("course version = %q", cycle.Find("[data-testid=course-version]").Text())
	}
	attempts := cycle.Find("[data-testid=transcript-attempts] tbody tr")
	if attempts.Length() != 2 || !strings.Contains(attempts.Eq(0).Text(), "Not passed") || !strings.Contains(attempts.Eq(1).Text(), "Passed") ||
		!strings.Contains(attempts.Eq(1).Text(), "100%") {
		t.Errorf("attempts = %q", attempts.Text())
	}
	if steps := cycle.Find("[data-testid=transcript-steps] tbody tr").Length(); steps != 5 {
		t.Errorf("%d steps, want 5", steps)
	}
	if !strings.Contains(cycle.Find("[data-testid=transcript-videos]").Text(), "watched 100%") {
		t.Errorf("videos = %q", cycle.Find("[data-testid=transcript-videos]").Text())
	}
	if strings.Contains(res.Body, "correct\":true") {
		t.Error("the transcript leaks the quiz's answer key")
	}

	pdf := hr.Get(page + ".pdf")
	mustStatus(t, pdf, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Errorf("PDF: %q %.8q", pdf.Header.Get("Content-Type"), pdf.Body)
	}
	if !bytes.Contains([]byte(pdf.Body), []byte("/Title <FEFF"+utf16HexOf("Training transcript: Ada Lovelace")+">")) {
		t.Error("the PDF's title does not name the person")
	}
	if n := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAllString(pdf.Body, -1)); n < 1 || n > 3 {
		t.Errorf("the PDF has %d pages", n)
	}

	// The manager sees their report's; the person sees their own, also at
	// /me/transcript; anyone else is refused.
	mustStatus(t, leadClient.Get(page), http.StatusOK)
	mustStatus(t, leadClient.Get(page+".pdf"), http.StatusOK)
	res = adaClient.Get("/me/transcript")
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(learnerDoc(t, res).Find("h1").Text(), "Your training transcript") {
		t.Errorf("own transcript heading = %q", learnerDoc(t, res).Find("h1").Text())
	}
	if href, _ := learnerDoc(t, res).Find("[data-testid=transcript-pdf]").Attr("href"); href != "/me/transcript.pdf" {
		t.Errorf("own PDF link = %q", href)
	}
	mustStatus(t, adaClient.Get("/me/transcript.pdf"), http.StatusOK)
	mustStatus(t, otherClient.Get(page), http.StatusForbidden)
	mustStatus(t, otherClient.Get(page+".pdf"), http.StatusForbidden)
	mustStatus(t, adaClient.Get("/admin/people/"+lead.ID+"/transcript"), http.StatusForbidden)
	mustStatus(t, hr.Get("/admin/people/nobody/transcript"), http.StatusNotFound)
	if res := env.Client().Get(page); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	// Someone with nothing assigned has an empty transcript, not an error.
	res = otherClient.Get("/me/transcript")
	mustStatus(t, res, http.StatusOK)
	if learnerDoc(t, res).Find("[data-testid=transcript-empty]").Length() != 1 {
		t.Error("an empty transcript does not say so")
	}
}

// utf16HexOf is how gopdf writes a string in the PDF's info dictionary.
func utf16HexOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}
