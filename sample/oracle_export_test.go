package sample

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestExpectAtAsOfIsWrite(t *testing.T) {
	for _, d := range []time.Time{asOf, ymd(2024, 2, 29)} {
		opt := Options{Seed: 21, AsOf: d}
		_, _, exps := write(t, opt)
		got, err := ExpectAt(opt, d)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, exps) {
			t.Errorf("AsOf %s: ExpectAt differs from Write's expectations", d.Format(time.DateOnly))
		}
	}
	if _, err := ExpectAt(Options{Seed: 1}, asOf); err == nil {
		t.Error("zero AsOf accepted")
	}
}

// The sample's earlier years look like real ones: at every annual
// evaluation date from 2023 on, most institutions graded are A, and none
// licensed before the 2023 campaign lacks its commitment on 31 July 2023
// (the notice's deadline for the letters).
func TestSampleYearsLookReal(t *testing.T) {
	opt := Options{Seed: 2023, Institutions: 300, AsOf: ymd(2026, time.July, 31)} // the demo's
	for y := 2023; y <= 2026; y++ {
		at := ymd(y, time.July, 31)
		exps, err := ExpectAt(opt, at)
		if err != nil {
			t.Fatal(err)
		}
		graded, a, b1 := 0, 0, 0
		for _, e := range exps {
			if !e.Graded {
				continue
			}
			graded++
			if len(e.Clauses) == 0 {
				a++
			}
			if slices.Contains(e.Clauses, "B1") {
				b1++
			}
		}
		if graded == 0 || a*2 <= graded {
			t.Errorf("%d: %d A of %d graded, want most of them", y, a, graded)
		}
		// B1 comes from the designed scenarios, never from the campaign.
		if b1*10 > graded {
			t.Errorf("%d: %d of %d graded lack a commitment (B1)", y, b1, graded)
		}
		t.Logf("%d: %d graded, %d A, %d B1", y, graded, a, b1)
	}
	g, err := generate(opt)
	if err != nil {
		t.Fatal(err)
	}
	deadline := ymd(2023, time.July, 31)
	for _, in := range g.ds.institutions {
		if in.LicensedOn.Before(campaign) && !in.Commitment.IsZero() && in.Commitment.After(deadline) && in.Commitment.Before(ymd(2024, time.January, 1)) {
			t.Errorf("%s licensed %s signed its commitment on %s, after the deadline", in.USCC, in.LicensedOn.Format(time.DateOnly), in.Commitment.Format(time.DateOnly))
		}
	}
}
