package learning

import "testing"

func TestNamesMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typed, account string
		want           bool
	}{
		{"Ada Lovelace", "Ada Lovelace", true},
		{"  ada   LOVELACE ", "Ada Lovelace", true},
		{"Ada\tLovelace", "Ada Lovelace", true},
		{"Ada", "Ada Lovelace", false},
		{"Ada Lovelace-King", "Ada Lovelace", false},
		{"", "Ada Lovelace", false},
		{"   ", "", false},
		{"Zoë Ångström", "zoë ångström", true},
	}
	for _, tt := range tests {
		if got := NamesMatch(tt.typed, tt.account); got != tt.want {
			t.Errorf("NamesMatch(%q, %q) = %v, want %v", tt.typed, tt.account, got, tt.want)
		}
	}
}
