package httpserver_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
)

// reportOrg is an organisation for the report pages' tests:
//
//	boss → lead → ada, bob;  other → carl;  hr
//
// Everyone but the HR admin has the fixture course: Ada has completed it,
// Bob is overdue, the others have not started.
type reportOrg struct {
	env                                   *apptest.Env
	boss, lead, ada, bob, other, carl, hr *people.Employee
	bossC, leadC, adaC, otherC, hrC       *apptest.Client
}

func newReportOrg(t *testing.T) *reportOrg {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	o := &reportOrg{env: env}
	o.boss, o.bossC = newLearner(t, env, "boss@example.org", "Bea", "Boss", people.RoleManager)
	o.lead, o.leadC = newLearner(t, env, "lead@example.org", "Len", "Lead", people.RoleManager)
	o.ada, o.adaC = newLearner(t, env, "ada@example.org", "Ada", "Lovelace", people.RoleLearner)
	o.bob, _ = newLearner(t, env, "bob@example.org", "Bob", "Builder", people.RoleLearner)
	o.other, o.otherC = newLearner(t, env, "other@example.org", "Olive", "Other", people.RoleManager)
	o.carl, _ = newLearner(t, env, "carl@example.org", "Carl", "Carter", people.RoleLearner)
	o.hr, o.hrC = newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	setManager := func(e, m *people.Employee) {
		if err := env.App.DB.Model(&people.Employee{}).Where("id = ?", e.ID).Update("manager_id", m.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	setManager(o.lead, o.boss)
	setManager(o.ada, o.lead)
	setManager(o.bob, o.lead)
	setManager(o.carl, o.other)
	if err := env.App.DB.Model(&people.Employee{}).Where("id IN ?", []string{o.other.ID, o.carl.ID}).Update("department", "Estates").Error; err != nil {
		t.Fatal(err)
	}
	for _, e := range []*people.Employee{o.boss, o.lead, o.ada, o.bob, o.other, o.carl} {
		cy := assignBasic(t, env, e)
		if e == o.bob {
			if err := env.App.DB.Model(cy).Update("due_at", env.Clock.Now().AddDate(0, 0, -5)).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	if cert, err := env.App.Learning.CompleteCourse(t.Context(), o.ada, "basic"); err != nil || cert == nil {
		t.Fatalf("complete: %v", err)
	}
	o.refresh(t)
	return o
}

// refresh brings the report tables up to date, as the scheduler's pass does.
func (o *reportOrg) refresh(t *testing.T) {
	t.Helper()
	if err := o.env.App.DB.Transaction(func(tx *gorm.DB) error { return report.Refresh(tx, o.env.Clock.Now()) }); err != nil {
		t.Fatal(err)
	}
}

type hrOnly struct {
	env *apptest.Env
	hrC *apptest.Client
}

func newEnvWithHR(t *testing.T) hrOnly {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	_, c := newLearner(t, env, "hr@example.org", "Hana", "Resources", people.RoleHRAdmin)
	return hrOnly{env: env, hrC: c}
}
