package scheduler_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestAnnouncedReminderIsNotRaisedAgain: a course assigned by the staff
// import, or a refresher the history import opens, when its due date is
// already within the reminders says so in its own message ("in 10 days",
// "overdue"), and that message is the reminder of the day. The new cycle
// records the stage it announced, so the passes after it raise nothing
// until the next stage (and outbox_keys gets no row for it: at 100,000
// people the imports wrote 650,000), then the series goes on as usual.
func TestAnnouncedReminderIsNotRaisedAgain(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	env, mail := withMail(t, start)
	ctx := context.Background()
	d := env.App.DB

	// Nina joined on 10 February: Basic Training (due 30 days after
	// hire) is due on 12 March, 10 days away. Omar and Pia joined in 2024:
	// theirs is due 30 days from now until their history is imported.
	staff := []people.StaffRecord{
		{EmployeeID: "E1", Email: "nina@hospital.test", FirstName: "Nina", LastName: "Patel", Department: "Nursing", JobTitle: "Nurse", Location: "Main", HireDate: "2026-02-10"},
		{EmployeeID: "E2", Email: "omar@hospital.test", FirstName: "Omar", LastName: "Haddad", Department: "Nursing", JobTitle: "Nurse", Location: "Main", HireDate: "2024-01-15"},
		{EmployeeID: "E3", Email: "pia@hospital.test", FirstName: "Pia", LastName: "Berg", Department: "Nursing", JobTitle: "Nurse", Location: "Main", HireDate: "2024-01-15"},
	}
	if _, err := env.App.Staff.Upsert(ctx, staff, people.ImportSource{File: "staff.csv", Via: people.ViaCommandLine}, start); err != nil {
		t.Fatal(err)
	}
	stages := func() map[string]string {
		t.Helper()
		var rows []struct{ Number, Stage string }
		if err := d.Raw(`SELECT e.employee_number AS number, c.reminder_stage AS stage FROM cycles c
			JOIN employees e ON e.id = c.employee_id
			WHERE c.number = (SELECT MAX(number) FROM cycles l WHERE l.assignment_id = c.assignment_id)`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, r := range rows {
			m[r.Number] = r.Stage
		}
		return m
	}
	// reminderKeys counts the reminders' claims (not the expiry of Pia's
	// completion, which the first pass announces).
	reminderKeys := func() int64 {
		t.Helper()
		var n int64
		if err := d.Table("outbox_keys").Where("dedupe_key LIKE '%:due_soon:%' OR dedupe_key LIKE '%:due_today:%' OR dedupe_key LIKE '%:overdue:%'").
			Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got, want := stages(), map[string]string{"E1": "due_14", "E2": "", "E3": ""}; !maps.Equal(got, want) {
		t.Errorf("after the staff import, the stages the new cycles record: %v, want %v", got, want)
	}

	// Omar completed it on 12 March 2025: it expires on 12 March 2026, and
	// the refresher (due then, 10 days away) opens with the import. Pia's
	// completion of 1 March 2025 expired yesterday: her refresher opens
	// overdue.
	history := "employee_id,course,completed_at\nE2,basic,2025-03-12\nE3,basic,2025-03-01\n"
	if _, err := compliance.ImportCompletions(ctx, d, strings.NewReader(history), compliance.CompletionsImportOptions{
		SourceFile: "history.csv", Now: start, Engine: env.App.Engine,
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := stages(), map[string]string{"E1": "due_14", "E2": "due_14", "E3": "overdue_1"}; !maps.Equal(got, want) {
		t.Errorf("after the history import: %v, want %v", got, want)
	}
	if n := reminderKeys(); n != 0 {
		t.Errorf("the imports wrote %d reminder keys to outbox_keys, want none: each new cycle's row records what its message announced", n)
	}
	var subjects []string
	if err := d.Raw(`SELECT to_address || ' ' || kind || ' ' || subject FROM outbox ORDER BY to_address, created_at`).Scan(&subjects).Error; err != nil {
		t.Fatal(err)
	}
	want := []string{
		"nina@hospital.test assigned Required training: Basic Training, due Thursday 12 March 2026 (in 10 days)",
		"omar@hospital.test assigned ",
		"omar@hospital.test window_open ",
		"pia@hospital.test assigned ",
		"pia@hospital.test window_open ",
	}
	if len(subjects) != len(want) {
		t.Fatalf("messages queued by the imports:\n%s", strings.Join(subjects, "\n"))
	}
	for i, s := range subjects {
		if !strings.HasPrefix(s, want[i]) {
			t.Errorf("message %d: %q, want it to begin %q", i, s, want[i])
		}
	}
	if !strings.Contains(subjects[2], "(in 10 days)") || !strings.Contains(strings.ToLower(subjects[4]), "overdue") {
		t.Errorf("the refreshers' messages do not say when they are due: %q, %q", subjects[2], subjects[4])
	}

	// A pass a day until 9 March: nothing is raised again; on the 9th the
	// 3-day reminders and Pia's second overdue reminder go out.
	var raised []string
	for day := start; !day.After(start.AddDate(0, 0, 7)); day = day.AddDate(0, 0, 1) {
		env.Clock.Set(day)
		rep, err := env.App.Scheduler.RunOnce(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Reminders > 0 {
			raised = append(raised, day.Format("01-02")+" "+strconv.Itoa(rep.Reminders))
		}
	}
	if want := []string{"03-09 3"}; !slices.Equal(raised, want) {
		t.Errorf("reminders raised by the daily passes: %q, want %q (only the next stage)", raised, want)
	}
	if n := reminderKeys(); n != 3 {
		t.Errorf("outbox_keys holds %d reminder keys, want the three reminders sent on the 9th", n)
	}
	got := map[string]string{}
	for _, m := range mail.Messages() {
		if strings.Contains(m.Subject, "in 3 days") || strings.Contains(strings.ToLower(m.Subject), "overdue") {
			got[m.To[0]] = kindOf(t, env, m.MessageID)
		}
	}
	if want := map[string]string{"nina@hospital.test": "due_soon", "omar@hospital.test": "due_soon", "pia@hospital.test": "overdue"}; !maps.Equal(got, want) {
		t.Errorf("reminders delivered: %v, want %v", got, want)
	}
	for id, ms := range mail.ByMessageID() {
		if len(ms) != 1 {
			t.Errorf("message %s arrived %d times", id, len(ms))
		}
	}
}
