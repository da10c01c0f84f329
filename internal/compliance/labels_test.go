package compliance

import "testing"

func TestAboutPerson(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"due 1 April 2026: 30 days after your hire date, 2 March 2026", "due 1 April 2026: 30 days after Li Chen's hire date, 2 March 2026"},
		{"due 1 April 2026: 30 days after this course was assigned to you on 2 March 2026 (you were hired before it applied)",
			"due 1 April 2026: 30 days after this course was assigned to Li Chen on 2 March 2026 (they were hired before it applied)"},
		{"due 3 May 2026: 14 days after your exemption ended on 19 April 2026", "due 3 May 2026: 14 days after Li Chen's exemption ended on 19 April 2026"},
		{"exempt until 1 June 2026: young staff", "exempt until 1 June 2026: young staff"},
	} {
		if got := AboutPerson(tt.in, "Li Chen"); got != tt.want {
			t.Errorf("AboutPerson(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
	if StatusLabel(StatusOpen) != "Not started" || StatusLabel(StatusInProgress) != "In progress" {
		t.Error("status labels")
	}
}
