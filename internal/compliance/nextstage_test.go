package compliance

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// nextStageByDays is nextStage as it was before it stopped allocating: the
// candidate days built, sorted and named by Stage. The test holds the new
// one to it.
func nextStageByDays(p ReminderPolicy, due time.Time, stage string) (time.Time, bool) {
	var days []time.Time
	for _, n := range p.DueSoonDays {
		days = append(days, due.AddDate(0, 0, -n))
	}
	days = append(days, due, due.AddDate(0, 0, 1))
	for k := 2; k <= p.OverdueMax && p.OverdueEveryDays > 0; k++ {
		days = append(days, due.AddDate(0, 0, 1+(k-1)*p.OverdueEveryDays))
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	have := p.rank(stage)
	for _, d := range days {
		if s, r := p.Stage(due, d); s != "" && r > have {
			return d, true
		}
	}
	return time.Time{}, false
}

// TestNextStageIsStageByDays: for the default policy and thousands of
// random ones (due-soon days in any order, repeated, zero or negative;
// overdue reminders repeated every few days, not repeated, or none), every
// stage a cycle can hold and a few it cannot, nextStage gives the day
// nextStageByDays gives, and the stage Stage names on that day ranks above
// the one held.
func TestNextStageIsStageByDays(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	policies := []ReminderPolicy{DefaultReminderPolicy, {}, {DueSoonDays: []int{7}, OverdueMax: 1}}
	for range 3000 {
		p := ReminderPolicy{OverdueEveryDays: rng.IntN(10), OverdueMax: rng.IntN(6)}
		for range rng.IntN(5) {
			p.DueSoonDays = append(p.DueSoonDays, rng.IntN(40)-3)
		}
		policies = append(policies, p)
	}
	due := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, p := range policies {
		stages := []string{"", "due_today", "due_0", "due_1", "due_3", "due_14", "due_60", "overdue_0", "overdue_1", "overdue_3", "overdue_9", "odd", "due_3x", "overdue_2x"}
		for offset := -45; offset <= 45; offset++ {
			if s, _ := p.Stage(due, due.AddDate(0, 0, offset)); s != "" {
				stages = append(stages, s)
			}
		}
		for _, stage := range stages {
			got, ok := p.nextStage(due, stage)
			want, wantOK := nextStageByDays(p, due, stage)
			if ok != wantOK || !got.Equal(want) {
				t.Fatalf("policy %+v, stage %q: nextStage %v %v, want %v %v", p, stage, got, ok, want, wantOK)
			}
			if ok {
				if s, r := p.Stage(due, got); s == "" || r <= p.rank(stage) {
					t.Fatalf("policy %+v, stage %q: on %v the stage is %q (rank %d), not later", p, stage, got, s, r)
				}
			}
		}
	}
}

// TestRankParsesStages: rank reads the stages Stage names and the odd ones
// as it did with fmt.Sscanf alone.
func TestRankParsesStages(t *testing.T) {
	p := DefaultReminderPolicy
	for stage, want := range map[string]int{
		"": 0, "due_today": 999, "overdue_1": 1001, "overdue_4": 1004, "overdue_12x": 1012,
		"due_14": 100, "due_3": 101, "due_1": 101, "due_30": 99, "due_3x": 101, "odd": 0, "due_": 0,
	} {
		if got := p.rank(stage); got != want {
			t.Errorf("rank(%q) = %d, want %d", stage, got, want)
		}
	}
}

// BenchmarkNextStage is the per-cycle cost in a pass's transactions (it
// allocated five times and formatted each candidate day's stage).
func BenchmarkNextStage(b *testing.B) {
	p := DefaultReminderPolicy
	due := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, stage := range []string{"", "due_3", "overdue_2"} {
		b.Run(fmt.Sprintf("stage=%q", stage), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.nextStage(due, stage)
			}
		})
		b.Run(fmt.Sprintf("stage=%q/by-days", stage), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				nextStageByDays(p, due, stage)
			}
		})
	}
}
