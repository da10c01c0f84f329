package learning

import (
	"reflect"
	"testing"
)

func TestMergeSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []Segment
		want []Segment
		sum  float64
	}{
		{"empty", nil, nil, 0},
		{"one", []Segment{{0, 5}}, []Segment{{0, 5}}, 5},
		{"overlap", []Segment{{0, 5}, {3, 8}}, []Segment{{0, 8}}, 8},
		{"touching", []Segment{{0, 5}, {5, 10}}, []Segment{{0, 10}}, 10},
		{"unsorted with gap", []Segment{{10, 12}, {0, 5}, {4, 6}}, []Segment{{0, 6}, {10, 12}}, 8},
		{"contained", []Segment{{0, 10}, {2, 3}}, []Segment{{0, 10}}, 10},
		{"empty and backwards dropped", []Segment{{3, 3}, {5, 4}, {1, 2}}, []Segment{{1, 2}}, 1},
		{"rewatching never counts twice", []Segment{{0, 5}, {0, 5}, {0, 5}}, []Segment{{0, 5}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MergeSegments(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MergeSegments(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if s := WatchedSeconds(got); s != tt.sum {
				t.Errorf("WatchedSeconds = %v, want %v", s, tt.sum)
			}
		})
	}
}

func TestSegmentsRoundTrip(t *testing.T) {
	t.Parallel()
	in := []Segment{{0, 5.1234}, {10, 12}}
	got, err := decodeSegments(encodeSegments(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{{0, 5.123}, {10, 12}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip = %v, want %v", got, want)
	}
	if encodeSegments(nil) != "[]" {
		t.Errorf("no segments encode as %q, want []", encodeSegments(nil))
	}
}
