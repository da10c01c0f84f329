package people_test

import (
	"context"
	"errors"
	"testing"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestUploadErrorsAreCoded: a kept upload asked for after it is gone is not
// found; one claimed by another window while being applied is a conflict
// that says so; discarding it again is no error. Each stays ErrUploadGone.
func TestUploadErrorsAreCoded(t *testing.T) {
	d := openStaffDB(t)
	ctx := context.Background()
	svc := &people.Service{DB: d, Engine: &compliance.Engine{DB: d}}
	by := addByHand(t, d, "hr@example.org", people.RoleHRAdmin)
	up, err := svc.KeepUpload(ctx, "staff.csv", []byte(firstImport), false, by.ID, importDay)
	if err != nil {
		t.Fatal(err)
	}
	file, err := up.Parse()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := svc.PlanImport(ctx, file, people.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DiscardUpload(ctx, up.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DiscardUpload(ctx, up.ID); err != nil {
		t.Errorf("discarding a discarded upload: %v", err)
	}
	_, err = svc.Upload(ctx, up.ID, importDay)
	if apperr.CodeOf(err) != apperr.NotFound || !errors.Is(err, people.ErrUploadGone) {
		t.Errorf("loading a discarded upload: %v (code %v)", err, apperr.CodeOf(err))
	}
	_, err = svc.ApplyImport(ctx, plan, people.ImportSource{File: up.FileName, Via: people.ViaHRPage, Upload: up.ID}, importDay)
	if apperr.CodeOf(err) != apperr.Conflict || !errors.Is(err, people.ErrUploadGone) ||
		apperr.MessageOf(err) != "This file was applied or discarded in another window while you looked at it; nothing more was imported." {
		t.Errorf("applying a discarded upload: %v (code %v)", err, apperr.CodeOf(err))
	}
	if n := len(employees(t, d)); n != 1 {
		t.Errorf("%d employees after a refused apply, want the HR admin only", n)
	}
}
