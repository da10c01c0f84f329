package auth_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/auth"
	"github.com/onramp-lms/onramp/internal/clock"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/people"
)

// fixture is an auth.Service on a fresh, migrated SQLite file.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *db.DB
	clock *clock.Fake
	svc   *auth.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, apptest.NewDatabaseURL(t), nil)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc := &auth.Service{
		DB: d, Clock: clk, People: &people.Store{DB: d},
		IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour, InviteTTL: 7 * 24 * time.Hour,
	}
	return &fixture{t: t, ctx: ctx, db: d, clock: clk, svc: svc}
}

// employee adds an active learner with the given password ("" for none).
func (f *fixture) employee(email, password string) *people.Employee {
	f.t.Helper()
	emp := &people.Employee{Email: email, FirstName: "Amara", LastName: "Okafor"}
	if password != "" {
		h, err := auth.HashPassword(password)
		if err != nil {
			f.t.Fatalf("hash: %v", err)
		}
		emp.PasswordHash = h
	}
	if err := f.db.Tx(f.ctx, func(tx *gorm.DB) error { return people.Create(tx, emp, f.clock.Now()) }); err != nil {
		f.t.Fatalf("create employee: %v", err)
	}
	return emp
}

func (f *fixture) deactivate(emp *people.Employee) {
	f.t.Helper()
	err := f.db.Model(&people.Employee{}).Where("id = ?", emp.ID).
		Updates(map[string]any{"status": people.StatusInactive, "deactivated_at": f.clock.Now()}).Error
	if err != nil {
		f.t.Fatalf("deactivate: %v", err)
	}
}

func (f *fixture) count(table, where string, args ...any) int64 {
	f.t.Helper()
	var n int64
	q := f.db.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		f.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (f *fixture) invite(emp *people.Employee) string {
	f.t.Helper()
	var token string
	err := f.db.Tx(f.ctx, func(tx *gorm.DB) error {
		var err error
		token, err = f.svc.CreateInvitation(tx, emp.ID)
		return err
	})
	if err != nil {
		f.t.Fatalf("create invitation: %v", err)
	}
	return token
}
