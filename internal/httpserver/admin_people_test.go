package httpserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// peopleHR starts an app with an HR admin signed in.
func peopleHR(t *testing.T) (*apptest.Env, *people.Employee, *apptest.Client) {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	hr, c := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	return env, hr, c
}

// peopleAdd adds employees in one transaction, filling in what is empty.
func peopleAdd(t *testing.T, env *apptest.Env, emps ...*people.Employee) {
	t.Helper()
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		for _, e := range emps {
			if e.FirstName == "" {
				e.FirstName = "Pat"
			}
			if e.LastName == "" {
				e.LastName = "Doe"
			}
			if err := people.Create(tx, e, env.Clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add employees: %v", err)
	}
}

func strPtr(s string) *string { return &s }

// peopleWantAccessible checks a page's forms: every input has a label,
// every form that posts carries the CSRF token and a search (GET) form does
// not (it would put the token in the address), and nothing is inline.
func peopleWantAccessible(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("input, select").Each(func(_ int, in *goquery.Selection) {
		typ, _ := in.Attr("type")
		if typ == "hidden" {
			return
		}
		id, _ := in.Attr("id")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			name, _ := in.Attr("name")
			t.Errorf("input %q has no label", name)
		}
	})
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		method, _ := f.Attr("method")
		tokens := f.Find(`input[type=hidden][name=csrf_token]`).Length()
		switch {
		case strings.EqualFold(method, "post") && tokens != 1:
			t.Error("a form that posts has no csrf_token field")
		case !strings.EqualFold(method, "post") && tokens != 0:
			t.Error("a search form would put the CSRF token in the address")
		}
	})
	if doc.Find("[style]").Length() > 0 || doc.Find("style").Length() > 0 {
		t.Error("inline style on the page (the CSP forbids it)")
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Error("inline script on the page (the CSP forbids it)")
		}
	})
	if doc.Find("h1").Length() != 1 {
		t.Errorf("the page has %d h1 headings, want 1", doc.Find("h1").Length())
	}
}

// peopleNames lists the names in the people table, in order.
func peopleNames(t *testing.T, res *apptest.Response) []string {
	t.Helper()
	mustStatus(t, res, http.StatusOK)
	var names []string
	learnerDoc(t, res).Find(`[data-testid=person-row] th a`).Each(func(_ int, a *goquery.Selection) {
		names = append(names, a.Text())
	})
	return names
}

func peopleCountText(t *testing.T, res *apptest.Response) string {
	t.Helper()
	return strings.TrimSpace(learnerDoc(t, res).Find(`[data-testid=people-count]`).Text())
}

// peopleAudit returns the audit entries about employees with the action.
func peopleAudit(t *testing.T, env *apptest.Env, action string) []audit.Entry {
	t.Helper()
	var entries []audit.Entry
	if err := env.App.DB.Where("action = ? AND entity_type = ?", action, "employee").Order("seq").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	return entries
}

func peopleReload(t *testing.T, env *apptest.Env, id string) *people.Employee {
	t.Helper()
	var e people.Employee
	if err := env.App.DB.Where("id = ?", id).Take(&e).Error; err != nil {
		t.Fatalf("reload employee: %v", err)
	}
	return &e
}

func TestAdminPeopleListSearchFilterAndPages(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	var emps []*people.Employee
	for i := 1; i <= 120; i++ {
		dept, job := "Nursing", "Registered Nurse"
		if i%3 == 0 {
			dept, job = "Pharmacy", "Pharmacist"
		}
		emps = append(emps, &people.Employee{
			Email: fmt.Sprintf("worker%03d@example.org", i), FirstName: "Worker", LastName: fmt.Sprintf("Number%03d", i),
			Department: dept, JobTitle: job, EmployeeNumber: strPtr(fmt.Sprintf("W%03d", i)),
		})
	}
	emps = append(emps,
		&people.Employee{Email: "zoe.o'brien@example.org", FirstName: "Zoë", LastName: "O'Brien", Department: "Radiology", JobTitle: "Radiographer", EmployeeNumber: strPtr("R-100")},
		&people.Employee{Email: "percent@example.org", FirstName: "Per", LastName: "Cent_Sign", Department: "Radiology", JobTitle: "Radiographer"},
		&people.Employee{Email: "left@example.org", FirstName: "Lee", LastName: "Leaver", Department: "Radiology", JobTitle: "Porter", Status: people.StatusInactive},
	)
	peopleAdd(t, env, emps...)

	// Everyone active, 50 a page, in last-name order; the pages link on.
	res := c.Get("/admin/people")
	if got := peopleCountText(t, res); got != "123 people, page 1 of 3" {
		t.Errorf("count = %q", got)
	}
	names := peopleNames(t, res)
	if len(names) != 50 || names[0] != "Per Cent_Sign" || names[1] != "Worker Number001" {
		t.Fatalf("page 1: %d names, first %q", len(names), names[0])
	}
	doc := learnerDoc(t, res)
	next, _ := doc.Find(`a[rel=next]`).Attr("href")
	if next != "/admin/people?page=2&status=active" {
		t.Errorf("next page link = %q", next)
	}
	if doc.Find(`#department option[value="Pharmacy"]`).Length() != 1 || doc.Find(`#job_title option[value="Porter"]`).Length() != 1 {
		t.Error("the filters do not offer the departments and job titles in use")
	}
	peopleWantAccessible(t, doc)
	last := peopleNames(t, c.Get("/admin/people?page=3&status=active"))
	if len(last) != 23 || last[len(last)-2] != "Zoë O'Brien" || last[len(last)-1] != "Hana Resources" {
		t.Errorf("page 3: %d names, last %v", len(last), last[len(last)-1:])
	}
	if got := peopleNames(t, c.Get("/admin/people?page=99")); len(got) != 23 {
		t.Errorf("a page past the end shows the last page; got %d names", len(got))
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"q=number00", []string{"Worker Number001", "Worker Number002", "Worker Number003", "Worker Number004", "Worker Number005", "Worker Number006", "Worker Number007", "Worker Number008", "Worker Number009"}},
		{"q=NUMBER12", []string{"Worker Number120"}},
		{"q=worker12", []string{"Worker Number120"}}, // e-mail prefix
		{"q=w11", []string{"Worker Number110", "Worker Number111", "Worker Number112", "Worker Number113", "Worker Number114", "Worker Number115", "Worker Number116", "Worker Number117", "Worker Number118", "Worker Number119"}}, // employee_id prefix
		{"q=r-1", []string{"Zoë O'Brien"}},                // employee_id with a dash
		{"q=zo%C3%AB+o'b", []string{"Zoë O'Brien"}},       // two words: first and last name
		{"q=o", []string{"Zoë O'Brien"}},                  // one character
		{"q=cent_", []string{"Per Cent_Sign"}},            // _ is a character, not a wildcard
		{"q=cent%25", nil},                                // so is %
		{"q=umber", nil},                                  // the start of a word, not the middle
		{"q=lee", nil},                                    // inactive people are not listed by default
		{"q=lee&status=inactive", []string{"Lee Leaver"}}, // unless asked for
		{"q=le&status=all", []string{"Lee Leaver"}},
		{"department=Radiology", []string{"Per Cent_Sign", "Zoë O'Brien"}},
		{"department=Radiology&job_title=Radiographer&q=per", []string{"Per Cent_Sign"}},
		{"job_title=Porter&status=all", []string{"Lee Leaver"}},
	} {
		res := c.Get("/admin/people?" + tc.query)
		got := peopleNames(t, res)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got %q, want %q", tc.query, got, tc.want)
		}
	}
	if got := peopleCountText(t, c.Get("/admin/people?department=Pharmacy")); got != "40 people" {
		t.Errorf("Pharmacy: %q", got)
	}
	if got := peopleCountText(t, c.Get("/admin/people?q=nobody-like-this")); got != "Nobody matches." {
		t.Errorf("no match: %q", got)
	}
}

func TestAdminPeopleComplianceFilter(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	now := env.Clock.Now()
	overdue := &people.Employee{Email: "late@example.org", FirstName: "Lou", LastName: "Late"}
	due := &people.Employee{Email: "fine@example.org", FirstName: "Fay", LastName: "Fine"}
	done := &people.Employee{Email: "done@example.org", FirstName: "Dan", LastName: "Done"}
	peopleAdd(t, env, overdue, due, done)
	err := env.App.DB.Transaction(func(tx *gorm.DB) error {
		if _, err := compliance.Assign(tx, overdue.ID, "basic", now.AddDate(0, 0, -40), now.AddDate(0, 0, -10), "due ten days ago"); err != nil {
			return err
		}
		if _, err := compliance.Assign(tx, due.ID, "basic", now, now.AddDate(0, 0, 30), "due in a month"); err != nil {
			return err
		}
		if _, err := compliance.Assign(tx, done.ID, "basic", now, now.AddDate(0, 0, 30), "due in a month"); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Learning.CompleteCourse(t.Context(), done, "basic"); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Transaction(func(tx *gorm.DB) error { return report.Refresh(tx, now) }); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]string{
		"standing=overdue":     "Lou Late",
		"standing=not_started": "Fay Fine",
		"standing=compliant":   "Dan Done",
		"standing=none":        "Hana Resources",
	} {
		if got := strings.Join(peopleNames(t, c.Get("/admin/people?"+query)), "|"); got != want {
			t.Errorf("%s: got %q, want %q", query, got, want)
		}
	}
	res := c.Get("/admin/people")
	row := learnerDoc(t, res).Find(`[data-testid=person-row]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "Lou Late")
	})
	if !strings.Contains(row.Text(), "Overdue") {
		t.Errorf("Lou's row does not say overdue: %q", strings.Join(strings.Fields(row.Text()), " "))
	}
}

func TestAdminPersonPageShowsTheRecord(t *testing.T) {
	t.Parallel()
	env, _, c := peopleHR(t)
	boss := &people.Employee{Email: "boss@example.org", FirstName: "Bea", LastName: "Boss", Role: people.RoleManager}
	peopleAdd(t, env, boss)
	hire := time.Date(2026, 2, 16, 0, 0, 0, 0, time.UTC)
	ada := &people.Employee{
		Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace", Department: "Nursing", JobTitle: "Registered Nurse",
		Location: "North", EmployeeNumber: strPtr("E42"), ManagerID: &boss.ID, HireDate: &hire, TimeZone: "Europe/London",
	}
	peopleAdd(t, env, ada)
	// The default rule assigns the course; Ada completes it.
	if _, err := env.App.Engine.Evaluate(t.Context(), env.Clock.Now(), []string{ada.ID}); err != nil {
		t.Fatal(err)
	}
	cert, err := env.App.Learning.CompleteCourse(t.Context(), ada, "basic")
	if err != nil || cert == nil {
		t.Fatalf("complete the course: %v", err)
	}

	res := c.Get("/admin/people/" + ada.ID)
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	details := strings.Join(strings.Fields(doc.Find(`[data-testid=person-details]`).Text()), " ")
	for _, want := range []string{"E42", "ada@example.org", "Nursing", "Registered Nurse", "North", "Bea Boss", "16 February 2026", "Active", "Europe/London", "Learner", "Has not set a password yet"} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q: %s", want, details)
		}
	}
	if href, _ := doc.Find(`[data-testid=person-details] a`).Attr("href"); href != "/admin/people/"+boss.ID {
		t.Errorf("manager link = %q", href)
	}
	var cycle compliance.Cycle
	if err := env.App.DB.Where("employee_id = ?", ada.ID).Take(&cycle).Error; err != nil {
		t.Fatal(err)
	}
	why := doc.Find(`[data-testid=cycle-why]`).First().Text()
	// HR reads the derivation about the person, not addressed to them.
	if want := compliance.AboutPerson(cycle.Derivation, "Ada Lovelace"); why == "" || why != want || !strings.Contains(why, "Ada Lovelace's hire date") {
		t.Errorf("the cycle's why = %q, want the derivation %q", why, want)
	}
	cycleRow := strings.Join(strings.Fields(doc.Find(`[data-testid=cycle]`).First().Text()), " ")
	for _, want := range []string{"Completed", formatDayTest(cycle.WindowOpensAt), formatDayTest(cycle.DueAt), formatDayTest(*cycle.CompletedAt), formatDayTest(*cycle.ExpiresAt)} {
		if !strings.Contains(cycleRow, want) {
			t.Errorf("the cycle row lacks %q: %s", want, cycleRow)
		}
	}
	if !strings.Contains(doc.Find(`[data-testid=assignment]`).Text(), "Everyone, every year") {
		t.Error("the assignment does not name its rule")
	}
	var attempt learning.QuizAttempt
	if err := env.App.DB.Where("employee_id = ?", ada.ID).Take(&attempt).Error; err != nil {
		t.Fatal(err)
	}
	attempts := strings.Join(strings.Fields(doc.Find(`[data-testid=attempts]`).Text()), " ")
	if !strings.Contains(attempts, fmt.Sprintf("%d%%", attempt.ScorePercent)) || !strings.Contains(attempts, fmt.Sprintf("%d%%", attempt.PassMark)) || !strings.Contains(attempts, "Passed") {
		t.Errorf("attempts: %s", attempts)
	}
	var sig learning.Attestation
	if err := env.App.DB.Where("employee_id = ?", ada.ID).Take(&sig).Error; err != nil {
		t.Fatal(err)
	}
	attestations := doc.Find(`[data-testid=attestations]`).Text()
	if !strings.Contains(attestations, sig.PrintedName) || (sig.PolicyVersion != "" && !strings.Contains(attestations, sig.PolicyVersion)) {
		t.Errorf("attestations lack %q / %q: %s", sig.PrintedName, sig.PolicyVersion, attestations)
	}
	if href, _ := doc.Find(`[data-testid=certificates] a`).Attr("href"); href != "/certificates/"+url.PathEscape(cert.Code) {
		t.Errorf("certificate link = %q", href)
	}
	peopleWantAccessible(t, doc)

	mustStatus(t, c.Get("/admin/people/no-such-person"), http.StatusNotFound)
}

func formatDayTest(t time.Time) string { return compliance.FormatDay(t) }

func TestAdminPersonAddChecksEveryField(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	other := &people.Employee{Email: "taken@example.org", FirstName: "Tia", LastName: "Taken", EmployeeNumber: strPtr("E7")}
	peopleAdd(t, env, other)
	mustStatus(t, c.Get("/admin/people/new"), http.StatusOK)

	res := c.Post("/admin/people", url.Values{
		"first_name": {""}, "last_name": {"Smith"}, "email": {"Taken@Example.org"}, "employee_id": {"E7"},
		"manager_email": {"ghost@example.org"}, "hire_date": {"31/01/2026"}, "time_zone": {"Mars/Olympus"}, "role": {"root"},
	})
	mustStatus(t, res, http.StatusUnprocessableEntity)
	doc := learnerDoc(t, res)
	summary := doc.Find(`[data-testid=error-summary] a`)
	wantFields := []string{"#first_name", "#email", "#employee_id", "#manager_email", "#hire_date", "#time_zone", "#role"}
	var got []string
	summary.Each(func(_ int, a *goquery.Selection) { h, _ := a.Attr("href"); got = append(got, h) })
	if strings.Join(got, " ") != strings.Join(wantFields, " ") {
		t.Errorf("the error summary links to %v, want %v", got, wantFields)
	}
	for _, id := range []string{"first_name", "email", "employee_id", "manager_email", "hire_date", "time_zone"} {
		if v, _ := doc.Find("#" + id).Attr("aria-invalid"); v != "true" {
			t.Errorf("#%s is not marked invalid", id)
		}
		if doc.Find("#"+id+"-error").Length() != 1 {
			t.Errorf("#%s has no error message", id)
		}
	}
	if msg := doc.Find("#email-error").Text(); !strings.Contains(msg, "Tia Taken") {
		t.Errorf("the e-mail error does not name who has it: %q", msg)
	}
	if msg := doc.Find("#employee_id-error").Text(); !strings.Contains(msg, "Tia Taken") {
		t.Errorf("the employee ID error does not name who has it: %q", msg)
	}
	if v, _ := doc.Find("#last_name").Attr("value"); v != "Smith" {
		t.Errorf("the form lost what was typed: last_name = %q", v)
	}
	peopleWantAccessible(t, doc)
	var n int64
	env.App.DB.Model(&people.Employee{}).Count(&n)
	if n != 2 {
		t.Fatalf("%d employees after a refused add, want 2", n)
	}

	res = c.Post("/admin/people", url.Values{
		"first_name": {" Nia "}, "last_name": {"Nurse"}, "email": {"Nia@Example.org"}, "employee_id": {"E8"},
		"department": {"Nursing"}, "job_title": {"Registered Nurse"}, "manager_email": {"hr@example.org"},
		"hire_date": {"2026-02-20"}, "role": {"learner"},
	})
	loc := location(t, res)
	if !strings.HasSuffix(loc, "?done=added") {
		t.Fatalf("added: redirect to %q", loc)
	}
	nia, err := env.App.People.ByEmail(t.Context(), "nia@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if nia.FirstName != "Nia" || nia.ManagerID == nil || *nia.ManagerID != hr.ID || nia.HireDate == nil || nia.Role != people.RoleLearner {
		t.Errorf("saved %+v", nia)
	}
	// The default rule assigned the course, due 30 days after the hire date.
	var cycles []compliance.Cycle
	env.App.DB.Where("employee_id = ?", nia.ID).Find(&cycles)
	if len(cycles) != 1 || !cycles[0].DueAt.Equal(time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cycles after adding = %+v", cycles)
	}
	page := c.Get(loc)
	if !strings.Contains(page.Body, "Added.") || !strings.Contains(page.Body, "Basic Training") {
		t.Error("the person's page does not say they were added and assigned")
	}
	if entries := peopleAudit(t, env, audit.ActionCreate); len(entries) != 1 || entries[0].ActorID != hr.ID || entries[0].EntityID != nia.ID {
		t.Errorf("audit entries for the add: %+v", entries)
	}
}

func TestAdminPersonEdit(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	boss := &people.Employee{Email: "boss@example.org", FirstName: "Bea", LastName: "Boss", Role: people.RoleManager}
	peopleAdd(t, env, boss)
	ada := &people.Employee{Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace", Department: "Nursing", ManagerID: &boss.ID}
	peopleAdd(t, env, ada)

	res := c.Get("/admin/people/" + ada.ID + "/edit")
	mustStatus(t, res, http.StatusOK)
	doc := learnerDoc(t, res)
	form := url.Values{}
	doc.Find(`[data-testid=person-form] input`).Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		value, _ := in.Attr("value")
		form.Set(name, value)
	})
	form.Set("role", "learner")
	if form.Get("manager_email") != "boss@example.org" || form.Get("department") != "Nursing" {
		t.Fatalf("the edit form starts with %v", form)
	}
	peopleWantAccessible(t, doc)

	// Saving what is there changes nothing and writes nothing.
	mustRedirect(t, c.Post("/admin/people/"+ada.ID+"/edit", form), "/admin/people/"+ada.ID+"?done=unchanged")
	if n := len(peopleAudit(t, env, audit.ActionUpdate)); n != 0 {
		t.Errorf("%d audit entries for an edit that changed nothing", n)
	}

	form.Set("department", "Pharmacy")
	form.Set("job_title", "Pharmacist")
	mustRedirect(t, c.Post("/admin/people/"+ada.ID+"/edit", form), "/admin/people/"+ada.ID+"?done=saved")
	if got := peopleReload(t, env, ada.ID); got.Department != "Pharmacy" || got.JobTitle != "Pharmacist" {
		t.Errorf("saved %s / %s", got.Department, got.JobTitle)
	}
	entries := peopleAudit(t, env, audit.ActionUpdate)
	if len(entries) != 1 || entries[0].ActorID != hr.ID || !strings.Contains(entries[0].Details, `"field":"department","old":"Nursing","new":"Pharmacy"`) {
		t.Errorf("audit entries for the edit: %+v", entries)
	}

	// Bea cannot be managed by Ada, whom she manages.
	bossForm := url.Values{"first_name": {"Bea"}, "last_name": {"Boss"}, "email": {"boss@example.org"}, "manager_email": {"ada@example.org"}, "role": {"manager"}}
	res = c.Post("/admin/people/"+boss.ID+"/edit", bossForm)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if msg := learnerDoc(t, res).Find("#manager_email-error").Text(); !strings.Contains(msg, "loop") {
		t.Errorf("no management loop error: %q", msg)
	}
	// Nor her own manager.
	bossForm.Set("manager_email", "boss@example.org")
	mustStatus(t, c.Post("/admin/people/"+boss.ID+"/edit", bossForm), http.StatusUnprocessableEntity)

	// The only HR admin cannot stop being one.
	hrForm := url.Values{"first_name": {"Hana"}, "last_name": {"Resources"}, "email": {"hr@example.org"}, "role": {"manager"}}
	res = c.Post("/admin/people/"+hr.ID+"/edit", hrForm)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if msg := learnerDoc(t, res).Find("#role-error").Text(); !strings.Contains(msg, "only active HR admin") {
		t.Errorf("role error = %q", msg)
	}
	// With a second HR admin, they can.
	peopleAdd(t, env, &people.Employee{Email: "hr2@example.org", FirstName: "Hal", LastName: "Second", Role: people.RoleHRAdmin})
	mustRedirect(t, c.Post("/admin/people/"+hr.ID+"/edit", hrForm), "/admin/people/"+hr.ID+"?done=saved")
	// …and are then no longer allowed in.
	mustStatus(t, c.Get("/admin/people"), http.StatusForbidden)
}

func TestAdminPersonDeactivateAndReactivate(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	ada, adaClient := newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	reportee := &people.Employee{Email: "rep@example.org", FirstName: "Rey", LastName: "Report", ManagerID: &ada.ID}
	peopleAdd(t, env, reportee)
	if _, err := env.App.Engine.Evaluate(t.Context(), env.Clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, adaClient.Get("/"), http.StatusOK)

	res := c.Get("/admin/people/" + ada.ID + "/deactivate")
	mustStatus(t, res, http.StatusOK)
	text := strings.Join(strings.Fields(learnerDoc(t, res).Find("main").Text()), " ")
	if !strings.Contains(text, "1 open course cycle") || !strings.Contains(text, "1 person reports to Ada Lovelace") {
		t.Errorf("the confirmation does not say what happens: %s", text)
	}
	peopleWantAccessible(t, learnerDoc(t, res))

	// Not confirmed: nothing happens.
	res = c.Post("/admin/people/"+ada.ID+"/deactivate", nil)
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if peopleReload(t, env, ada.ID).Status != people.StatusActive {
		t.Fatal("deactivated without confirmation")
	}

	mustRedirect(t, c.Post("/admin/people/"+ada.ID+"/deactivate", url.Values{"confirm": {"yes"}}), "/admin/people/"+ada.ID+"?done=deactivated")
	got := peopleReload(t, env, ada.ID)
	if got.Status != people.StatusInactive || got.DeactivatedAt == nil || !got.DeactivatedAt.Equal(env.Clock.Now()) {
		t.Errorf("after deactivation: status %s, deactivated_at %v", got.Status, got.DeactivatedAt)
	}
	var sessions int64
	env.App.DB.Table("sessions").Where("employee_id = ?", ada.ID).Count(&sessions)
	if sessions != 0 {
		t.Errorf("%d sessions left", sessions)
	}
	if res := adaClient.Get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Ada's browser after deactivation: %d, want 303 to sign in", res.StatusCode)
	}
	var cycles []compliance.Cycle
	env.App.DB.Where("employee_id = ?", ada.ID).Find(&cycles)
	if len(cycles) != 1 || cycles[0].Status != compliance.StatusClosed || cycles[0].ClosedReason != compliance.ClosedInactive {
		t.Errorf("Ada's cycles after deactivation: %+v", cycles)
	}
	if entries := peopleAudit(t, env, audit.ActionDeactivate); len(entries) != 1 || entries[0].ActorID != hr.ID || entries[0].EntityID != ada.ID {
		t.Errorf("audit entries: %+v", entries)
	}
	page := c.Get("/admin/people/" + ada.ID)
	if !strings.Contains(learnerDoc(t, page).Find(`[data-testid=person-status]`).Text(), "Inactive") {
		t.Error("the person's page does not say inactive")
	}
	// Twice is refused, and so is an invitation for a leaver.
	mustStatus(t, c.Post("/admin/people/"+ada.ID+"/deactivate", url.Values{"confirm": {"yes"}}), http.StatusConflict)
	mustStatus(t, c.Post("/admin/people/"+ada.ID+"/invite", nil), http.StatusConflict)

	mustRedirect(t, c.Post("/admin/people/"+ada.ID+"/reactivate", url.Values{"confirm": {"yes"}}), "/admin/people/"+ada.ID+"?done=reactivated")
	if got := peopleReload(t, env, ada.ID); got.Status != people.StatusActive || got.DeactivatedAt != nil {
		t.Errorf("after reactivation: %s %v", got.Status, got.DeactivatedAt)
	}
	var open int64
	env.App.DB.Model(&compliance.Cycle{}).Where("employee_id = ? AND status = ?", ada.ID, compliance.StatusOpen).Count(&open)
	if open != 1 {
		t.Errorf("%d open cycles after reactivation, want the course assigned again", open)
	}
	if n := len(peopleAudit(t, env, audit.ActionUpdate)); n != 1 {
		t.Errorf("%d audit entries for the reactivation", n)
	}

	// Nobody deactivates themselves.
	res = c.Post("/admin/people/"+hr.ID+"/deactivate", url.Values{"confirm": {"yes"}})
	mustStatus(t, res, http.StatusConflict)
	if peopleReload(t, env, hr.ID).Status != people.StatusActive {
		t.Error("an HR admin deactivated themselves")
	}
}

func TestAdminPersonInvitation(t *testing.T) {
	t.Parallel()
	env, hr, c := peopleHR(t)
	nia := &people.Employee{Email: "nia@example.org", FirstName: "Nia", LastName: "Nurse"}
	peopleAdd(t, env, nia)
	if !strings.Contains(c.Get("/admin/people/"+nia.ID).Body, "Send invitation link") {
		t.Error("no invitation button for someone without a password")
	}

	link := func() string {
		t.Helper()
		res := c.Post("/admin/people/"+nia.ID+"/invite", nil)
		mustStatus(t, res, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("the link page may be cached: %q", cc)
		}
		l, _ := learnerDoc(t, res).Find(`[data-testid=invite-link]`).Attr("value")
		if !strings.HasPrefix(l, env.Server.URL+"/invite/") {
			t.Fatalf("link = %q", l)
		}
		return l
	}
	first := link()
	env.Clock.Advance(time.Minute)
	anon := env.Client()
	mustStatus(t, anon.Get(strings.TrimPrefix(first, env.Server.URL)), http.StatusOK)
	second := link()
	if first == second {
		t.Fatal("a re-sent invitation has the same link")
	}
	if res := anon.Get(strings.TrimPrefix(first, env.Server.URL)); res.StatusCode == http.StatusOK {
		t.Error("the first link still works after a new one was sent")
	}
	mustStatus(t, anon.Get(strings.TrimPrefix(second, env.Server.URL)), http.StatusOK)

	var msgs []notify.Entry
	env.App.DB.Where("kind = ?", notify.KindInvitation).Order("created_at, id").Find(&msgs)
	if len(msgs) != 2 || msgs[1].ToAddress != "nia@example.org" || !strings.Contains(msgs[1].TextBody, second) || !strings.Contains(msgs[1].TextBody, "Hana Resources") {
		t.Errorf("outbox: %d invitation messages; last %+v", len(msgs), msgs[len(msgs)-1:])
	}
	if entries := peopleAudit(t, env, audit.ActionInvite); len(entries) != 2 || entries[0].ActorID != hr.ID {
		t.Errorf("audit entries: %+v", entries)
	}
	// The link sets the password and signs in.
	res := anon.Post(strings.TrimPrefix(second, env.Server.URL), url.Values{"password": {learnerPassword}, "password_confirm": {learnerPassword}})
	mustStatus(t, res, http.StatusSeeOther)
	if !strings.Contains(c.Get("/admin/people/"+nia.ID).Body, "Has set a password") {
		t.Error("the person's page does not say the password is set")
	}
}
