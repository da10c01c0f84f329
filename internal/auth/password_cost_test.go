package auth_test

import (
	"regexp"
	"testing"

	"github.com/onramp-lms/onramp/internal/auth"
)

var cheapPHC = regexp.MustCompile(`^\$argon2id\$v=19\$m=8,t=1,p=1\$`)

// A service's zero cost is production's: a password set through it is
// hashed at OWASP's parameters, and only a service told CostTest (as
// internal/apptest does) hashes cheaply.
func TestServiceHashesAtProductionCostUnlessTold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cost auth.Cost
		want *regexp.Regexp
	}{{auth.CostProduction, phc}, {auth.CostTest, cheapPHC}} {
		f := newFixture(t)
		f.svc.Cost = tc.cost
		emp := f.employee("amara@example.org", "")
		if _, err := f.svc.AcceptInvitation(f.ctx, f.invite(emp), goodPassword); err != nil {
			t.Fatal(err)
		}
		var hash string
		if err := f.db.Table("employees").Select("password_hash").Where("id = ?", emp.ID).Scan(&hash).Error; err != nil {
			t.Fatal(err)
		}
		if !tc.want.MatchString(hash) {
			t.Errorf("cost %d: stored hash %.40s…, want %v", tc.cost, hash, tc.want)
		}
		// Either way the password signs in, and a production service
		// upgrades a cheap hash at the next sign-in.
		if ok, err := auth.VerifyPassword(hash, goodPassword); err != nil || !ok {
			t.Errorf("cost %d: the stored hash does not verify: %v", tc.cost, err)
		}
		if got := auth.NeedsRehash(hash); got != (tc.cost != auth.CostProduction) {
			t.Errorf("cost %d: NeedsRehash = %v", tc.cost, got)
		}
	}
}
