package notify_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/notify/smtptest"
	"github.com/onramp-lms/onramp/migrations"
)

// threeCourses is a catalog of three copies of the fixture course, with
// their own IDs and titles.
var threeCourses = map[string]string{
	"fire-safety":     "Fire Safety",
	"hand-hygiene":    "Hand Hygiene",
	"manual-handling": "Manual Handling",
}

func courseCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	src := filepath.Join(apptest.RepoRoot(), "internal", "catalog", "testdata", "basic")
	base := os.DirFS(src)
	mfs := fstest.MapFS{}
	err := fs.WalkDir(base, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := fs.ReadFile(base, p)
		if err != nil {
			return err
		}
		for id, title := range threeCourses {
			file := data
			if p == "course.yaml" {
				s := strings.Replace(string(data), "id: basic", "id: "+id, 1)
				s = strings.Replace(s, "title: Basic Training", "title: "+title, 1)
				file = []byte(s)
			}
			mfs[path.Join(id, p)] = &fstest.MapFile{Data: file, Mode: 0o644}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, problems := catalog.Load(mfs)
	for _, p := range problems {
		t.Errorf("catalog: %s", p)
	}
	if cat == nil || len(cat.Courses) != 3 {
		t.Fatalf("catalog has %v courses", cat)
	}
	return cat
}

// digestEnv is a database, a mail server and a Notifier over the three
// courses.
type digestEnv struct {
	d        *db.DB
	mail     *smtptest.Server
	svc      *notify.Service
	notifier *notify.Notifier
}

func newDigestEnv(t testing.TB) *digestEnv {
	t.Helper()
	d, _ := newDB(t)
	mail := smtptest.Start(t)
	svc := newService(t, d, mail.URL())
	return &digestEnv{d: d, mail: mail, svc: svc, notifier: &notify.Notifier{
		Renderer: svc.Renderer,
		Catalog:  courseCatalog(t),
		Policy:   compliance.ReminderPolicy{DueSoonDays: []int{14, 3}, EscalateAfterDays: 7},
	}}
}

func (env *digestEnv) notifyAll(t testing.TB, evs []compliance.Event, now time.Time) {
	t.Helper()
	err := env.d.Tx(context.Background(), func(tx *gorm.DB) error {
		return env.notifier.NotifyAll(tx, evs, now)
	})
	if err != nil {
		t.Fatalf("NotifyAll: %v", err)
	}
}

// cycle is an open cycle of employee for course, due on due.
func cycle(employeeID, courseID string, due time.Time) *compliance.Cycle {
	return &compliance.Cycle{
		ID: db.NewID(), AssignmentID: db.NewID(), EmployeeID: employeeID, CourseID: courseID,
		Number: 1, Path: compliance.PathFull, Status: compliance.StatusOpen, WindowOpensAt: monday, DueAt: due,
		Derivation: "Everyone completes " + threeCourses[courseID] + " within 30 days of joining.",
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// icsEvents checks the calendar's framing and returns each VEVENT's DTSTART.
func icsEvents(t testing.TB, data []byte) []string {
	t.Helper()
	parseICS(t, data)
	var starts []string
	for _, l := range strings.Split(string(data), "\r\n") {
		if v, ok := strings.CutPrefix(l, "DTSTART;VALUE=DATE:"); ok {
			starts = append(starts, v)
		}
	}
	if n := strings.Count(string(data), "BEGIN:VEVENT"); n != len(starts) {
		t.Errorf("%d VEVENTs, %d DTSTARTs", n, len(starts))
	}
	return starts
}

func (env *digestEnv) rows(t testing.TB) []notify.Entry {
	t.Helper()
	var rows []notify.Entry
	if err := env.d.Order("to_address, created_at").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestNotifyAllSendsOneMessageListingEveryCourse(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	bob := addEmployee(t, env.d, "bob@hospital.example", "Bob", "")
	dues := map[string]time.Time{"fire-safety": day(2026, 4, 1), "hand-hygiene": day(2026, 3, 20), "manual-handling": day(2026, 4, 15)}
	var evs []compliance.Event
	for _, id := range []string{"fire-safety", "hand-hygiene", "manual-handling"} {
		evs = append(evs, compliance.Event{Kind: compliance.EventAssigned, Cycle: cycle(ana, id, dues[id])})
	}
	evs = append(evs, compliance.Event{Kind: compliance.EventAssigned, Cycle: cycle(bob, "fire-safety", day(2026, 4, 1))})
	env.notifyAll(t, evs, monday)

	rows := env.rows(t)
	if len(rows) != 2 {
		t.Fatalf("outbox rows = %d, want one per person (2)", len(rows))
	}
	for _, r := range rows {
		if r.Payload == "" || r.TextBody != "" || r.HTMLBody != "" || len(r.Attachments) != 0 {
			t.Errorf("row to %s stores rendered parts (text %d, html %d bytes) or no payload", r.ToAddress, len(r.TextBody), len(r.HTMLBody))
		}
	}
	if rows[0].Kind != notify.KindAssigned || rows[1].Kind != notify.KindAssigned {
		t.Errorf("kinds %s, %s; want assigned for both", rows[0].Kind, rows[1].Kind)
	}

	if sent, failed := deliver(t, env.svc, monday); sent != 2 || failed != 0 {
		t.Fatalf("Deliver = %d sent, %d failed", sent, failed)
	}
	byTo := map[string]*smtptest.Message{}
	for _, m := range env.mail.Messages() {
		if len(m.To) != 1 {
			t.Fatalf("message to %v", m.To)
		}
		byTo[m.To[0]] = m
	}
	m := byTo["ana@hospital.example"]
	if m == nil {
		t.Fatal("nothing to Ana")
	}
	if m.Header.Get("To") == "" || !strings.Contains(m.Header.Get("To"), "ana@hospital.example") {
		t.Errorf("To: %q", m.Header.Get("To"))
	}
	if want := "Required training: 3 courses, the first due Friday 20 March 2026"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	page := htmlText(t, m.HTML)
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", page}} {
		for _, want := range []string{
			"Hello Ana", "You have been assigned 3 courses.",
			"Fire Safety", "Wednesday 1 April 2026", "Everyone completes Fire Safety within 30 days of joining.",
			"Hand Hygiene", "Friday 20 March 2026", "Everyone completes Hand Hygiene within 30 days of joining.",
			"Manual Handling", "Wednesday 15 April 2026", "Everyone completes Manual Handling within 30 days of joining.",
			// The fixture modules add up to 9 minutes (5+2+2); estimated_minutes (15) is only a fallback.
			"It takes about 9 minutes.", "due-dates.ics",
		} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	// Each course links to itself, in order of due date, and the button to
	// the dashboard.
	links := htmlLinks(t, m.HTML)
	wantLinks := []string{baseURL + "/courses/hand-hygiene", baseURL + "/courses/fire-safety", baseURL + "/courses/manual-handling", baseURL + "/"}
	if !slices.Equal(links, wantLinks) {
		t.Errorf("HTML links %q, want %q", links, wantLinks)
	}
	if strings.Index(m.Text, "Hand Hygiene") > strings.Index(m.Text, "Fire Safety") {
		t.Error("the course due first is not listed first")
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "due-dates.ics" {
		t.Fatalf("attachments %+v, want one due-dates.ics", m.Attachments)
	}
	if got := icsEvents(t, m.Attachments[0].Data); !slices.Equal(got, []string{"20260401", "20260320", "20260415"}) && !slices.Equal(got, []string{"20260320", "20260401", "20260415"}) {
		t.Errorf("calendar events on %v, want one on each due date", got)
	}

	// Bob's one course is the message a single assignment always was.
	b := byTo["bob@hospital.example"]
	if b == nil || b.Subject != "Required training: Fire Safety, due Wednesday 1 April 2026" ||
		len(b.Attachments) != 1 || b.Attachments[0].Filename != "due-date.ics" {
		t.Fatalf("Bob's message: %+v", b)
	}
	if got := icsEvents(t, b.Attachments[0].Data); !slices.Equal(got, []string{"20260401"}) {
		t.Errorf("Bob's calendar: %v", got)
	}
}

func TestNotifyAllCombinesRemindersOnTheSameDay(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	now := day(2026, 3, 17).Add(9 * time.Hour)
	soon := cycle(ana, "fire-safety", day(2026, 3, 20))
	today := cycle(ana, "hand-hygiene", day(2026, 3, 17))
	late := cycle(ana, "manual-handling", day(2026, 3, 10))
	env.notifyAll(t, []compliance.Event{
		{Kind: compliance.EventReminder, Stage: "due_3", Cycle: soon},
		{Kind: compliance.EventReminder, Stage: "due_today", Cycle: today},
		{Kind: compliance.EventReminder, Stage: "overdue_1", Cycle: late},
	}, now)
	if rows := env.rows(t); len(rows) != 1 || rows[0].Kind != notify.KindDigest {
		t.Fatalf("rows %+v, want one digest", rows)
	}
	deliver(t, env.svc, now)
	msgs := env.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if want := "Reminder: 3 courses to complete, the first due Tuesday 10 March 2026"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	page := htmlText(t, m.HTML)
	for _, part := range []struct{ name, body string }{{"text", m.Text}, {"html", page}} {
		for _, want := range []string{"Fire Safety", "due in 3 days", "Hand Hygiene", "today, Tuesday 17 March 2026",
			"Manual Handling", "7 days overdue"} {
			if !strings.Contains(strings.ToLower(part.body), strings.ToLower(want)) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, part.body)
			}
		}
	}
	// Most urgent first: overdue, then today, then in 3 days.
	if i, j, k := strings.Index(m.Text, "Manual Handling"), strings.Index(m.Text, "Hand Hygiene"), strings.Index(m.Text, "Fire Safety"); !(i < j && j < k) {
		t.Errorf("order in the text: overdue %d, today %d, soon %d", i, j, k)
	}
	if len(m.Attachments) != 0 {
		t.Errorf("a reminder digest carries %d attachments", len(m.Attachments))
	}
}

func TestAssignedWithinDueSoonIsOneMessageSayingBoth(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	c := cycle(ana, "fire-safety", day(2026, 3, 4))
	evs := []compliance.Event{
		{Kind: compliance.EventAssigned, Cycle: c},
		{Kind: compliance.EventReminder, Stage: "due_3", Cycle: c},
	}
	env.notifyAll(t, evs, monday)
	rows := env.rows(t)
	if len(rows) != 1 || rows[0].Kind != notify.KindAssigned {
		t.Fatalf("rows %+v, want one assigned message", rows)
	}
	// The reminder is spoken for: raised again, alone, it sends nothing.
	env.notifyAll(t, evs[1:], monday)
	if n := countRows(t, env.d); n != 1 {
		t.Fatalf("the reminder raised again made %d rows, want 1", n)
	}
	deliver(t, env.svc, monday)
	msgs := env.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if want := "Required training: Fire Safety, due Wednesday 4 March 2026 (in 2 days)"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if strings.Contains(m.Subject, "Reminder") {
		t.Error("the subject still reads as a reminder")
	}
	for _, part := range []string{m.Text, htmlText(t, m.HTML)} {
		for _, want := range []string{"You have been assigned the course", "Fire Safety", "It is due soon: in 2 days.", "Wednesday 4 March 2026"} {
			if !strings.Contains(part, want) {
				t.Errorf("message lacks %q:\n%s", want, part)
			}
		}
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "due-date.ics" {
		t.Errorf("attachments %+v", m.Attachments)
	}
}

// notifyAllRolledBack calls NotifyAll in a transaction that then fails,
// and checks that it left no message and no key.
func (env *digestEnv) notifyAllRolledBack(t *testing.T, evs []compliance.Event, now time.Time) {
	t.Helper()
	boom := errors.New("the batch failed")
	err := env.d.Tx(context.Background(), func(tx *gorm.DB) error {
		if err := env.notifier.NotifyAll(tx, evs, now); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v", err)
	}
	if n := countRows(t, env.d); n != 0 {
		t.Fatalf("a rolled-back NotifyAll left %d rows", n)
	}
	var keys int64
	env.d.Table("outbox_keys").Count(&keys)
	if keys != 0 {
		t.Fatalf("a rolled-back NotifyAll left %d keys", keys)
	}
}

func TestNotifyAllRetriedWritesNoDuplicate(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	a := cycle(ana, "fire-safety", day(2026, 4, 1))
	b := cycle(ana, "hand-hygiene", day(2026, 4, 1))
	c := cycle(ana, "manual-handling", day(2026, 4, 1))
	evs := []compliance.Event{{Kind: compliance.EventAssigned, Cycle: a}, {Kind: compliance.EventAssigned, Cycle: b}}

	// A batch that rolls back leaves nothing, not even its keys.
	env.notifyAllRolledBack(t, evs, monday)
	var keys int64

	// The retry queues the digest; the same events again queue nothing.
	env.notifyAll(t, evs, monday)
	env.notifyAll(t, evs, monday.Add(time.Minute))
	env.notifyAll(t, []compliance.Event{evs[1], evs[0]}, monday.Add(2*time.Minute))
	if n := countRows(t, env.d); n != 1 {
		t.Fatalf("after retries: %d rows, want 1", n)
	}
	// Grouped differently (one old event beside a new one), only the new
	// one is queued, as the message it is alone.
	env.notifyAll(t, []compliance.Event{evs[0], {Kind: compliance.EventAssigned, Cycle: c}}, monday.Add(3*time.Minute))
	rows := env.rows(t)
	if len(rows) != 2 {
		t.Fatalf("rows = %d, want 2", len(rows))
	}
	if !strings.Contains(rows[1].Subject, "Manual Handling") || strings.Contains(rows[1].Subject, "Fire Safety") {
		t.Errorf("second message: %q, want Manual Handling alone", rows[1].Subject)
	}
	env.d.Table("outbox_keys").Count(&keys)
	if keys != 3 {
		t.Errorf("outbox_keys = %d, want one per event (3)", keys)
	}
	deliver(t, env.svc, monday.Add(time.Hour))
	if n := len(env.mail.Messages()); n != 2 {
		t.Errorf("%d messages delivered, want 2", n)
	}
}

// TestOldFormatRowStillDelivers writes a message the way Onramp did before
// migration 00013 (bodies stored in the row), migrates, and delivers it.
// A course assigned or a refresher opened by the transaction that raises
// the event is its own claim: the cycle's row is new, so no message about
// it can have been queued before and its key needs no row in outbox_keys
// (at 100,000 people × 20 courses, two million rows the staff import no
// longer writes). Nor does the reminder it announces: the engine records
// that stage on the new cycle (compliance.Engine.announce), so no pass
// raises it again (scheduler's TestAnnouncedReminderIsNotRaisedAgain).
func TestNewCycleEventsAreTheirOwnClaim(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	soon := cycle(ana, "fire-safety", day(2026, 3, 4)) // within the due-soon reminders on monday
	soon.ReminderStage = "due_3"                       // as the engine records it
	later := cycle(ana, "hand-hygiene", day(2026, 4, 1))
	opened := cycle(ana, "manual-handling", day(2026, 4, 15))
	evs := []compliance.Event{
		{Kind: compliance.EventAssigned, Cycle: soon, NewCycle: true},
		{Kind: compliance.EventAssigned, Cycle: later, NewCycle: true},
		{Kind: compliance.EventWindowOpen, Cycle: opened, NewCycle: true},
	}

	// Rolled back, it leaves nothing.
	env.notifyAllRolledBack(t, evs, monday)

	env.notifyAll(t, evs, monday)
	rows := env.rows(t)
	if len(rows) != 1 || rows[0].Kind != notify.KindDigest {
		t.Fatalf("rows %+v, want one digest", rows)
	}
	var keys []string
	if err := env.d.Raw(`SELECT dedupe_key FROM outbox_keys`).Scan(&keys).Error; err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Fatalf("outbox_keys = %q, want none", keys)
	}
	deliver(t, env.svc, monday.Add(2*time.Hour))
	msgs := env.mail.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "It is due soon: in 2 days.") {
		t.Errorf("%d messages delivered, want 1 saying the first course is due in 2 days", len(msgs))
	}
}

func TestOldFormatRowStillDelivers(t *testing.T) {
	t.Parallel()
	dsn := apptest.NewDatabaseURL(t)
	d := openDB(t, dsn)
	ctx := context.Background()
	dialect := goose.DialectSQLite3
	if d.Dialect == db.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.SQL(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 12); err != nil {
		t.Fatalf("migrate up to 12: %v", err)
	}
	emp := addEmployee(t, d, "ana@hospital.example", "Ana", "")
	oldKey := notify.Key("asg-old", "cyc-old", notify.KindAssigned, "")
	err = d.Exec(`INSERT INTO outbox (id, dedupe_key, kind, recipient_employee_id, to_address, to_name, subject, text_body, html_body, attachments, state, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, 'assigned', ?, 'ana@hospital.example', 'Ana Tester', 'Required training: Old Course', 'The old text body.', '<p>The old HTML body.</p>',
		'[{"name":"due-date.ics","content_type":"text/calendar; charset=utf-8; method=PUBLISH","data":"QkVHSU46VkNBTEVOREFS"}]', 'pending', ?, ?, ?)`,
		db.NewID(), oldKey, emp, monday, monday, monday).Error
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate past 00013: %v", err)
	}
	mail := smtptest.Start(t)
	svc := newService(t, d, mail.URL())

	// Its key is known: the event it came from is not queued again.
	again := assigned(t, svc, emp, "ana@hospital.example", "asg-old", monday)
	again.DedupeKey = oldKey
	if enqueue(t, d, again) {
		t.Error("an event sent before the migration was queued again")
	}
	rows, _, err := svc.Outbox.List(ctx, notify.Filter{}, notify.Paging{Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("List = %d rows, %v", len(rows), err)
	}
	shown, err := svc.Outbox.Get(ctx, rows[0].ID)
	if err != nil || shown.TextBody != "The old text body." {
		t.Fatalf("Get = %q, %v", shown.TextBody, err)
	}
	if sent, _ := deliver(t, svc, monday); sent != 1 {
		t.Fatalf("sent %d, want 1", sent)
	}
	m := mail.Messages()[0]
	if m.Subject != "Required training: Old Course" || strings.TrimSpace(m.Text) != "The old text body." ||
		!strings.Contains(m.HTML, "The old HTML body.") || len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "BEGIN:VCALENDAR" {
		t.Errorf("delivered: subject %q text %q html %q attachments %+v", m.Subject, m.Text, m.HTML, m.Attachments)
	}
}

// TestDeliveredMessageIsWhatTheOutboxShows renders at delivery from the
// row alone: days later, after a failed try, the message is the one HR saw
// in the outbox when it was queued.
func TestDeliveredMessageIsWhatTheOutboxShows(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	c := cycle(ana, "fire-safety", day(2026, 3, 4))
	env.notifyAll(t, []compliance.Event{
		{Kind: compliance.EventAssigned, Cycle: c},
		{Kind: compliance.EventReminder, Stage: "due_3", Cycle: c},
		{Kind: compliance.EventAssigned, Cycle: cycle(ana, "hand-hygiene", day(2026, 4, 1))},
	}, monday)
	rows := env.rows(t)
	if len(rows) != 1 {
		t.Fatalf("rows = %d", len(rows))
	}
	shown, err := env.svc.Outbox.Get(context.Background(), rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}

	env.mail.Reject("ana@hospital.example", 451, "try again later")
	later := monday.Add(50 * time.Hour)
	if _, failed := deliver(t, env.svc, later); failed != 1 {
		t.Fatalf("failed = %d, want the first try to fail", failed)
	}
	env.mail.Accept("ana@hospital.example")
	if sent, _ := deliver(t, env.svc, later.Add(time.Hour)); sent != 1 {
		t.Fatalf("sent = %d on the second try", sent)
	}
	m := env.mail.Messages()[0]
	if m.Subject != shown.Subject || m.Subject != rows[0].Subject {
		t.Errorf("subject delivered %q, shown %q, stored %q", m.Subject, shown.Subject, rows[0].Subject)
	}
	if norm(m.Text) != norm(shown.TextBody) {
		t.Errorf("text delivered:\n%s\nshown:\n%s", m.Text, shown.TextBody)
	}
	if norm(m.HTML) != norm(shown.HTMLBody) {
		t.Errorf("HTML delivered differs from what the outbox shows")
	}
	if len(m.Attachments) != 1 || len(shown.Attachments) != 1 || string(m.Attachments[0].Data) != string(shown.Attachments[0].Data) {
		t.Errorf("calendar delivered differs from what the outbox shows")
	}
	// Dated from the row, not from the delivery two days later.
	if !strings.Contains(m.Text, "in 2 days") || !strings.Contains(string(m.Attachments[0].Data), "DTSTAMP:20260302T090000Z") {
		t.Errorf("the message is dated from its delivery:\n%s\n%s", m.Text, m.Attachments[0].Data)
	}
}

var lineEnds = regexp.MustCompile(`\r\n`)

func norm(s string) string { return strings.TrimSpace(lineEnds.ReplaceAllString(s, "\n")) }

// TestNudgeBesideAReminderIsOneMessage: the monthly nudge and a reminder on
// the same day for one person are one digest, and the nudge chosen is
// recorded in nudge_log.
func TestNudgeBesideAReminderIsOneMessage(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	now := day(2026, 4, 1).Add(9 * time.Hour)
	for id, title := range threeCourses {
		if err := env.d.Exec(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`, id, title, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := env.d.Exec(`INSERT INTO nudge_log (employee_id, course_id, month, nudge_id, created_at) VALUES (?, 'fire-safety', '2026-04', '', ?)`, ana, now).Error; err != nil {
		t.Fatal(err)
	}
	done := cycle(ana, "fire-safety", day(2026, 1, 1))
	completed := day(2025, 12, 15)
	done.Status, done.CompletedAt = compliance.StatusCompleted, &completed
	env.notifyAll(t, []compliance.Event{
		{Kind: compliance.EventNudge, Stage: "2026-04", Cycle: done},
		{Kind: compliance.EventReminder, Stage: "due_14", Cycle: cycle(ana, "hand-hygiene", day(2026, 4, 15))},
	}, now)
	rows := env.rows(t)
	if len(rows) != 1 || rows[0].Kind != notify.KindDigest || rows[0].Subject != "Your training: 1 reminder, 1 one-minute refresher" {
		t.Fatalf("rows %+v", rows)
	}
	var nudgeID string
	if err := env.d.Raw(`SELECT nudge_id FROM nudge_log WHERE employee_id = ?`, ana).Scan(&nudgeID).Error; err != nil || nudgeID == "" {
		t.Fatalf("nudge_log.nudge_id = %q, %v", nudgeID, err)
	}
	shown, err := env.svc.Outbox.Get(context.Background(), rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hand Hygiene", "due in 14 days", "Fire Safety", "Guideline:", "Question:"} {
		if !strings.Contains(shown.TextBody, want) {
			t.Errorf("text lacks %q:\n%s", want, shown.TextBody)
		}
	}
}

// TestEscalationsStayOneDigestPerManager: the escalations one call raises
// for a manager are one message (apart from the manager's own training), and
// a person already escalated is not listed again.
func TestEscalationsStayOneDigestPerManager(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	mgr := addEmployee(t, env.d, "maria@hospital.example", "Maria", "")
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	bob := addEmployee(t, env.d, "bob@hospital.example", "Bob", "")
	now := day(2026, 3, 20).Add(9 * time.Hour)
	a, b := cycle(ana, "fire-safety", day(2026, 3, 10)), cycle(bob, "hand-hygiene", day(2026, 3, 12))
	own := cycle(mgr, "manual-handling", day(2026, 3, 23))
	env.notifyAll(t, []compliance.Event{
		{Kind: compliance.EventEscalation, ManagerID: mgr, Cycles: []*compliance.Cycle{a}},
		{Kind: compliance.EventReminder, Stage: "due_3", Cycle: own},
		{Kind: compliance.EventEscalation, ManagerID: mgr, Cycles: []*compliance.Cycle{b}},
	}, now)
	var esc []notify.Entry
	env.d.Where("kind = ?", notify.KindEscalation).Find(&esc)
	if len(esc) != 1 || esc[0].ToAddress != "maria@hospital.example" || esc[0].Subject != "Overdue training on your team: 2 people" {
		t.Fatalf("escalations: %+v", esc)
	}
	if n := countRows(t, env.d); n != 2 {
		t.Fatalf("%d rows, want the escalation digest and Maria's own reminder", n)
	}
	if esc[0].DedupeKey != notify.DigestKey(mgr, notify.KindEscalation, []string{a.ID, b.ID}) {
		t.Errorf("escalation key %q", esc[0].DedupeKey)
	}
	env.notifyAll(t, []compliance.Event{{Kind: compliance.EventEscalation, ManagerID: mgr, Cycles: []*compliance.Cycle{b, a}}}, now)
	if n := countRows(t, env.d); n != 2 {
		t.Fatalf("the same escalations raised again made %d rows, want 2", n)
	}
	shown, err := env.svc.Outbox.Get(context.Background(), esc[0].ID)
	if err != nil || !strings.Contains(shown.TextBody, "Ana Tester") || !strings.Contains(shown.TextBody, "Bob Tester") {
		t.Errorf("escalation text %q, %v", shown.TextBody, err)
	}
}

// TestAssignedSaysTheStageItsCycleRecords: how soon an assigned course is
// due is the stage the engine recorded on the new cycle (the reminder the
// message stands for), not a second reading of the policy by the notifier.
func TestAssignedSaysTheStageItsCycleRecords(t *testing.T) {
	t.Parallel()
	env := newDigestEnv(t)
	ana := addEmployee(t, env.d, "ana@hospital.example", "Ana", "")
	c := cycle(ana, "fire-safety", day(2026, 3, 12)) // 10 days away: the 14-day reminder's window
	c.ReminderStage = "due_14"
	quiet := cycle(ana, "hand-hygiene", day(2026, 3, 12)) // the same day, announced by no stage
	env.notifyAll(t, []compliance.Event{{Kind: compliance.EventAssigned, Cycle: c, NewCycle: true}}, monday)
	env.notifyAll(t, []compliance.Event{{Kind: compliance.EventAssigned, Cycle: quiet, NewCycle: true}}, monday.Add(time.Minute))
	rows := env.rows(t)
	if len(rows) != 2 || rows[0].Subject != "Required training: Fire Safety, due Thursday 12 March 2026 (in 10 days)" ||
		rows[1].Subject != "Required training: Hand Hygiene, due Thursday 12 March 2026" {
		t.Fatalf("rows %+v", rows)
	}
}
