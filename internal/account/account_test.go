package account_test

import (
	"context"
	"slices"
	"testing"

	"github.com/onramp-lms/onramp/internal/account"
	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestInviteMany: the active people get a link, an e-mail and an audit
// entry each; the inactive are named as skipped; unknown IDs are left out,
// so a selection of nobody comes back empty and changes nothing.
func TestInviteMany(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	a := env.CreateEmployee("ada@example.org", "Ada", "Lovelace", people.RoleLearner, "")
	b := env.CreateEmployee("bob@example.org", "Bob", "Babbage", people.RoleLearner, "")
	if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", b.ID).Update("status", people.StatusInactive).Error; err != nil {
		t.Fatal(err)
	}
	svc := &account.Service{DB: env.App.DB, Clock: env.Clock, Auth: env.App.Auth, Mail: env.App.Notify.Renderer}
	by := people.Actor{ID: "hr-1", Name: "Hana Resources"}

	invited, skipped, err := svc.InviteMany(ctx, []string{b.ID, a.ID, "no-such-id"}, by)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(invited, []string{"Ada Lovelace"}) || !slices.Equal(skipped, []string{"Bob Babbage"}) {
		t.Fatalf("invited %v, skipped %v", invited, skipped)
	}
	var msgs []notify.Entry
	env.App.DB.Where("kind = ?", notify.KindInvitation).Find(&msgs)
	if len(msgs) != 1 || msgs[0].ToAddress != "ada@example.org" {
		t.Errorf("outbox: %+v", msgs)
	}
	var entries []audit.Entry
	env.App.DB.Where("action = ?", audit.ActionInvite).Find(&entries)
	if len(entries) != 1 || entries[0].EntityID != a.ID || entries[0].ActorName != by.Name {
		t.Errorf("audit: %+v", entries)
	}

	invited, skipped, err = svc.InviteMany(ctx, []string{"no-such-id"}, by)
	if err != nil || invited != nil || skipped != nil {
		t.Fatalf("nobody: invited %v, skipped %v, err %v", invited, skipped, err)
	}
	var n int64
	env.App.DB.Model(&audit.Entry{}).Where("action = ?", audit.ActionInvite).Count(&n)
	if n != 1 {
		t.Errorf("%d invitation entries after selecting nobody, want 1", n)
	}
}
