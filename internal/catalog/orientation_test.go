package catalog

import "testing"

// The session and checkoff step types: valid forms load with their fields,
// and each mistake is named with its file and line.
func TestSessionAndCheckoffSteps(t *testing.T) {
	t.Parallel()
	session := "  - id: day\n    type: session\n    title: Orientation day\n    minutes: 240\n"
	checkoff := "  - id: skills\n    type: checkoff\n    title: Hand hygiene check-off\n    statement: I watched each skill done.\n    skills:\n" +
		"      - id: rub\n        title: Hand rub\n        observe: Covers every surface for 20 seconds\n" +
		"      - id: wash\n        title: Hand wash\n        observe: Washes for 40 seconds and dries with a towel\n"
	cat, probs := Load(course(map[string]string{"c/m.md": "---\nid: m\ntitle: M\nsteps:\n" + session + checkoff + "---\n<!-- step: day -->\nThe day covers bloodborne pathogens.\n"}))
	if len(probs) > 0 {
		t.Fatalf("valid steps refused: %v", probs)
	}
	m := cat.Course("c").Module("m")
	day, sk := m.Step("day"), m.Step("skills")
	if day.Type != StepSession || day.Session == nil || day.Session.Minutes != 240 || !day.Type.ByOthers() {
		t.Fatalf("session step = %+v", day)
	}
	if m.Minutes != 240 {
		t.Errorf("module minutes = %d, want the session's 240", m.Minutes)
	}
	if sk.Checkoff == nil || len(sk.Checkoff.Skills) != 2 || sk.Checkoff.Skills[1].Observe != "Washes for 40 seconds and dries with a towel" || sk.Checkoff.Statement != "I watched each skill done." {
		t.Fatalf("checkoff step = %+v", sk.Checkoff)
	}
	if StepPage.ByOthers() {
		t.Error("a page is completed by the learner")
	}

	for _, tc := range []struct {
		name  string
		steps string
		body  string
		want  []wantProblem
	}{
		{"session without minutes or summary", "  - id: day\n    type: session\n    title: Day\n", "", []wantProblem{
			{"c/m.md", 5, "session step `day` has no length"},
			{"c/m.md", 5, "session step `day` has no summary"},
		}},
		{"session with a quiz field", "  - id: day\n    type: session\n    title: Day\n    minutes: 60\n    pass_mark: 80\n", "<!-- step: day -->\nSummary.\n", []wantProblem{
			{"c/m.md", 9, "unknown field `pass_mark`"},
		}},
		{"checkoff without skills", "  - id: s\n    type: checkoff\n    title: S\n", "", []wantProblem{
			{"c/m.md", 5, "checkoff step `s` has no skills"},
		}},
		{"skill without observe, duplicate skill", "  - id: s\n    type: checkoff\n    title: S\n    skills:\n      - id: a\n        title: A\n      - id: a\n        title: A again\n        observe: x\n", "", []wantProblem{
			{"c/m.md", 9, "skill 1 has no `observe:`"},
			{"c/m.md", 11, "skill ID `a` is used twice"},
		}},
		{"unknown type names the new ones", "  - id: s\n    type: lecture\n    title: S\n", "", []wantProblem{
			{"c/m.md", 6, "use page, video, quiz, acknowledgement, session or checkoff"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, probs := Load(course(map[string]string{"c/m.md": module(tc.steps, tc.body)}))
			checkProblems(t, probs, tc.want)
		})
	}
}

func TestCourseContact(t *testing.T) {
	t.Parallel()
	cat, probs := Load(course(map[string]string{"c/course.yaml": okCourse + "contact:\n  name: Infection Prevention\n  email: ip@hospital.example\n"}))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if c := cat.Course("c").Contact; c == nil || c.Email != "ip@hospital.example" || c.Name != "Infection Prevention" {
		t.Fatalf("contact = %+v", c)
	}
	_, probs = Load(course(map[string]string{"c/course.yaml": okCourse + "contact:\n  email: not-an-address\n"}))
	checkProblems(t, probs, []wantProblem{
		{"c/course.yaml", 5, "contact: `email` must be the e-mail address"},
		{"c/course.yaml", 5, "contact has no name"},
	})
}
