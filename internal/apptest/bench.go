package apptest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
)

// BenchPeople is how many employees the import benchmarks use: 10,000, or
// ONRAMP_BENCH_PEOPLE (100000 for the documented hospital-size run).
func BenchPeople(tb testing.TB) int {
	if v := os.Getenv("ONRAMP_BENCH_PEOPLE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			tb.Fatalf("ONRAMP_BENCH_PEOPLE=%q: give a number of people, at least 10", v)
		}
		return n
	}
	return 10_000
}

// AddYearlyCourses adds n courses (course-00, course-01, …) to d, each with
// a yearly course rule for everyone due 30 days after it applies, as the
// import benchmarks need, and returns their IDs.
func AddYearlyCourses(tb testing.TB, d *db.DB, n int) []string {
	tb.Helper()
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range n {
		id := fmt.Sprintf("course-%02d", i)
		ids = append(ids, id)
		if err := d.Exec("INSERT INTO courses (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)", id, "Course "+id, at, at).Error; err != nil {
			tb.Fatal(err)
		}
		r := &compliance.Rule{ID: compliance.CourseRuleID(id), Name: "Everyone, every year", CourseID: id, Everyone: true,
			DueDays: 30, DueFrom: compliance.DueFromMatched, EveryMonths: 12, WindowDays: 60, Base: compliance.BaseExpiry,
			ReminderPolicy: "{}", Source: "course", Active: true, CreatedAt: at, UpdatedAt: at}
		if err := d.Create(r).Error; err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}
