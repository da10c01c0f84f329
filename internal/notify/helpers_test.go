package notify_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/notify"
)

// monday is a working morning in London and in UTC: no quiet hours.
var monday = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const baseURL = "https://onramp.example.org"

func mustBaseURL(t testing.TB) *url.URL {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newDB opens a fresh, migrated database: SQLite, or PostgreSQL when
// ONRAMP_TEST_DATABASE_URL is set. It returns the URL too, to reopen it.
func newDB(t testing.TB) (*db.DB, string) {
	t.Helper()
	dsn := apptest.NewDatabaseURL(t)
	d := openDB(t, dsn)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d, dsn
}

func openDB(t testing.TB, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// addEmployee inserts an employee with the given time zone ("" for the
// organisation's) and returns their ID.
func addEmployee(t testing.TB, d *db.DB, email, first, timeZone string) string {
	t.Helper()
	id := db.NewID()
	err := d.Exec(`INSERT INTO employees (id, email, first_name, last_name, time_zone, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, email, first, "Tester", timeZone, monday, monday).Error
	if err != nil {
		t.Fatalf("add employee: %v", err)
	}
	return id
}

// newService builds notify on d, sending to smtpURL ("" for none).
func newService(t testing.TB, d *db.DB, smtpURL string) *notify.Service {
	t.Helper()
	svc, err := notify.New(notify.Config{
		SMTPURL:         smtpURL,
		From:            "Onramp <onramp@hospital.example>",
		BaseURL:         mustBaseURL(t),
		DefaultTimeZone: "Europe/London",
	}, d, nil)
	if err != nil {
		t.Fatalf("notify.New: %v", err)
	}
	return svc
}

// assigned composes an assigned message for an employee.
func assigned(t testing.TB, svc *notify.Service, employeeID, email, assignmentID string, at time.Time) notify.Message {
	t.Helper()
	key := notify.Key(assignmentID, "cycle-1", notify.KindAssigned, "")
	msg, err := svc.Renderer.Compose(key,
		notify.Recipient{EmployeeID: employeeID, Name: "Ana Tester", Address: email},
		notify.Assigned{
			Name:   "Ana",
			Course: notify.CourseRef{ID: "social-media", Title: "Social Media Guidelines"},
			DueAt:  time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
			Reason: "Everyone in Nursing completes it every 12 months.",
		}, at)
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	return msg
}

// enqueue writes msg in its own transaction.
func enqueue(t testing.TB, d *db.DB, msg notify.Message) bool {
	t.Helper()
	var created bool
	err := d.Tx(context.Background(), func(tx *gorm.DB) error {
		var err error
		created, err = notify.Enqueue(tx, msg)
		return err
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return created
}

func entry(t testing.TB, svc *notify.Service, key string) notify.Entry {
	t.Helper()
	var e notify.Entry
	if err := svc.Outbox.DB.Where("dedupe_key = ?", key).Take(&e).Error; err != nil {
		t.Fatalf("outbox row %s: %v", key, err)
	}
	return e
}

func countRows(t testing.TB, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.Table("outbox").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func deliver(t testing.TB, svc *notify.Service, now time.Time) (sent, failed int) {
	t.Helper()
	sent, failed, err := svc.Deliverer.Deliver(context.Background(), now)
	if err != nil {
		t.Fatalf("deliver at %s: %v", now, err)
	}
	return sent, failed
}
