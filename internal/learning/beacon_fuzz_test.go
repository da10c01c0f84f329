package learning

import (
	"encoding/binary"
	"math"
	"reflect"
	"testing"
	"time"
)

// The player's beacons come from the browser, so anything can arrive:
// NaN and infinities (from a script, not JSON), negatives, huge values,
// segments backwards. These fuzz targets check that the crediting and
// merging rules hold for all of it. Seed corpora are in
// testdata/fuzz/FuzzCreditBeacon and testdata/fuzz/FuzzMergeSegments.

// floats reads data as little-endian float64s, NaN and infinities included.
func floats(data []byte) []float64 {
	out := make([]float64, 0, len(data)/8)
	for len(data) >= 8 {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(data)))
		data = data[8:]
	}
	return out
}

func floatBytes(xs ...float64) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// tolerance absorbs float rounding in sums of segment lengths.
func tolerance(duration float64) float64 { return 1e-9 * math.Max(1, duration) }

// FuzzCreditBeacon plays a run of beacons (history, then one more) in one
// viewing, each arriving elapsedMillis after the one before on the server's
// clock (negative: the clock moved back), and checks each step: a refused
// beacon changes nothing; a credited one adds within [0, duration] and no
// more than the viewing's budget; in all, the viewing is never credited
// more than MaxPlaybackRate × the time since it began plus its one
// allowance, however many beacons arrive; the segments stay sorted, apart
// and inside the video; watched, furthest and position stay within
// [0, duration]; and the state survives being stored and read back.
func FuzzCreditBeacon(f *testing.F) {
	f.Add(20.0, true, int64(5000), floatBytes(0, 5, 5, 5, 10, 10), 10.0, 15.0, 15.0)
	f.Add(20.0, true, int64(5000), floatBytes(0, 5, 5), 15.0, 20.0, 20.0)
	f.Add(20.0, false, int64(15000), floatBytes(10, 20, 20), 0.0, 30.0, 1e9)
	f.Add(201.0, true, int64(2), floatBytes(0, 2.2, 2.2, 2.2, 4.4, 4.4, 4.4, 6.6, 6.6, 6.6, 8.8, 8.8), 8.8, 11.0, 11.0)
	f.Add(600.5, true, int64(-3000), floatBytes(math.NaN(), 1, 1, 0, math.Inf(1), 0), -1.0, 5.0, math.Inf(-1))
	f.Add(3600.0, false, int64(math.MaxInt64), floatBytes(1e308, 1.7e308, -1e308), 5e-324, 1e-300, math.NaN())
	f.Fuzz(func(t *testing.T, duration float64, firstViewing bool, elapsedMillis int64, history []byte, from, to, position float64) {
		// Durations come from MP4 files: positive, finite, at most 2^64
		// time units of at least 1/1 s.
		if !(duration > 0) || duration > math.Exp2(64) {
			return
		}
		elapsed := time.Duration(elapsedMillis) * time.Millisecond // any duration, wrapped or not, may arrive
		beacons := floats(history)
		beacons = append(beacons[:len(beacons)/3*3], from, to, position)
		start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		acct := Viewing{StartedAt: start, AllowanceSeconds: ViewingAllowanceSeconds}
		now := start
		st := VideoState{DurationSeconds: duration, FirstViewing: firstViewing}
		for i := 0; i+3 <= len(beacons); i += 3 {
			now = now.Add(elapsed)
			b := Beacon{From: beacons[i], To: beacons[i+1], Position: beacons[i+2]}
			budget := acct.Budget(now)
			next, credit := CreditBeacon(st, b, budget)
			checkCredit(t, st, b, budget, next, credit)
			acct.CreditedSeconds += credit.CreditedSeconds
			real := max(now.Sub(start), 0).Seconds()
			if bound := MaxPlaybackRate*real + ViewingAllowanceSeconds; acct.CreditedSeconds > bound+tolerance(duration)*float64(i/3+1) {
				t.Fatalf("after %d beacons in %v the viewing was credited %v s; real time allows %v", i/3+1, now.Sub(start), acct.CreditedSeconds, bound)
			}
			st = next
		}
	})
}

func checkCredit(t *testing.T, before VideoState, b Beacon, budget float64, after VideoState, credit Credit) {
	t.Helper()
	dur := before.DurationSeconds
	eps := tolerance(dur)
	if !credit.Accepted {
		if credit.Refusal == "" || credit.CreditedSeconds != 0 || !reflect.DeepEqual(after, before) {
			t.Fatalf("beacon %+v refused (%q) but credited %v or changed the state:\n%+v\n%+v", b, credit.Refusal, credit.CreditedSeconds, before, after)
		}
		return
	}
	for _, x := range []float64{b.From, b.To, b.Position} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("beacon %+v with a value that is not a number was accepted", b)
		}
	}
	if c := credit.CreditedSeconds; math.IsNaN(c) || c < 0 || c > dur+eps {
		t.Fatalf("beacon %+v credited %v seconds of a %v-second video", b, c, dur)
	}
	if credit.CreditedSeconds > budget+eps {
		t.Fatalf("beacon %+v credited %v seconds, but the viewing had only %v left", b, credit.CreditedSeconds, budget)
	}
	if before.FirstViewing && credit.Segment.From > before.FurthestSeconds+SkipToleranceSeconds {
		t.Fatalf("first viewing: a segment from %v was credited, but only %v had been watched", credit.Segment.From, before.FurthestSeconds)
	}
	checkState(t, after)
	if got, want := after.WatchedSeconds(), before.WatchedSeconds()+credit.CreditedSeconds; math.Abs(got-want) > eps {
		t.Fatalf("watched %v after crediting %v to %v", got, credit.CreditedSeconds, before.WatchedSeconds())
	}
	if after.FurthestSeconds < before.FurthestSeconds {
		t.Fatalf("furthest went back from %v to %v", before.FurthestSeconds, after.FurthestSeconds)
	}
	if after.FirstViewing && after.PositionSeconds > after.FurthestSeconds {
		t.Fatalf("first viewing: position %v beyond furthest %v", after.PositionSeconds, after.FurthestSeconds)
	}

	// Stored (as RecordBeacon writes it) and read back (as videoState does).
	decoded, err := decodeSegments(encodeSegments(after.Segments))
	if err != nil {
		t.Fatalf("the segments %v do not survive storage: %v", after.Segments, err)
	}
	reread := VideoState{DurationSeconds: dur, Segments: MergeSegments(decoded), FurthestSeconds: roundMillis(after.FurthestSeconds), PositionSeconds: roundMillis(after.PositionSeconds)}
	// Rounding to the millisecond may take an end half a millisecond past
	// the duration.
	checkStateWithin(t, reread, 0.0005)
	if diff := math.Abs(reread.WatchedSeconds() - after.WatchedSeconds()); diff > 0.001*float64(len(after.Segments)+1)+eps {
		t.Fatalf("stored segments %v read back as %v: watched %v, was %v", after.Segments, reread.Segments, reread.WatchedSeconds(), after.WatchedSeconds())
	}
}

// checkState: merged segments sorted, apart and inside the video; the
// totals and positions within [0, duration].
func checkState(t *testing.T, st VideoState) {
	t.Helper()
	checkStateWithin(t, st, 0)
}

// checkStateWithin is checkState allowing ends up to slack seconds past the
// duration.
func checkStateWithin(t *testing.T, st VideoState, slack float64) {
	t.Helper()
	dur := st.DurationSeconds
	eps := tolerance(dur) + slack
	checkMerged(t, st.Segments)
	for _, s := range st.Segments {
		if s.From < 0 || s.To > dur+eps {
			t.Fatalf("segment %+v outside the %v-second video", s, dur)
		}
	}
	if w := st.WatchedSeconds(); w < 0 || w > dur+eps {
		t.Fatalf("watched %v of a %v-second video", w, dur)
	}
	if fr := st.WatchedFraction(); fr < 0 || fr > 1 {
		t.Fatalf("watched fraction %v", fr)
	}
	for name, x := range map[string]float64{"furthest": st.FurthestSeconds, "position": st.PositionSeconds} {
		if math.IsNaN(x) || x < 0 || x > dur+eps {
			t.Fatalf("%s %v in a %v-second video", name, x, dur)
		}
	}
}

// checkMerged: sorted by start, none empty, none overlapping or touching.
func checkMerged(t *testing.T, segs []Segment) {
	t.Helper()
	for i, s := range segs {
		if math.IsNaN(s.From) || math.IsNaN(s.To) || !(s.To > s.From) {
			t.Fatalf("segment %d %+v is empty, backwards or not a number: %v", i, s, segs)
		}
		if i > 0 && !(segs[i-1].To < s.From) {
			t.Fatalf("segments %d and %d overlap, touch or are out of order: %v", i-1, i, segs)
		}
	}
}

// FuzzMergeSegments merges arbitrary segments (pairs of float64s): the
// result is merged (checkMerged), merging it again changes nothing, it
// covers every real input segment, and it counts no second twice.
func FuzzMergeSegments(f *testing.F) {
	f.Add(floatBytes(0, 5, 3, 8, 10, 12))
	f.Add(floatBytes(5, 5, 7, 6, 0, 5, 5, 10))
	f.Add(floatBytes(math.NaN(), 5, 0, math.NaN(), math.Inf(-1), 0, 1, math.Inf(1)))
	f.Add(floatBytes(-1e308, 1e308, 1e308, 1.7e308, 5e-324, 1e-323))
	f.Fuzz(func(t *testing.T, data []byte) {
		xs := floats(data)
		in := make([]Segment, 0, len(xs)/2)
		for i := 0; i+1 < len(xs); i += 2 {
			in = append(in, Segment{From: xs[i], To: xs[i+1]})
		}
		original := append([]Segment(nil), in...)
		merged := MergeSegments(in)
		if !sameBits(in, original) {
			t.Fatal("MergeSegments changed its input")
		}
		checkMerged(t, merged)
		if again := MergeSegments(merged); !reflect.DeepEqual(again, merged) && !(len(again) == 0 && len(merged) == 0) {
			t.Fatalf("merging twice changed the result: %v then %v", merged, again)
		}
		total := 0.0
		for _, s := range in {
			if !(s.To > s.From) {
				continue
			}
			total += s.Length()
			covered := false
			for _, m := range merged {
				if m.From <= s.From && s.To <= m.To {
					covered = true
					break
				}
			}
			if !covered {
				t.Fatalf("input segment %+v is not covered by %v", s, merged)
			}
		}
		if w := WatchedSeconds(merged); w > total*(1+1e-12) && !math.IsInf(total, 1) {
			t.Fatalf("merged total %v exceeds the inputs' total %v", w, total)
		}
	})
}

// sameBits compares segments bit for bit, so NaN equals NaN.
func sameBits(a, b []Segment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i].From) != math.Float64bits(b[i].From) || math.Float64bits(a[i].To) != math.Float64bits(b[i].To) {
			return false
		}
	}
	return true
}
