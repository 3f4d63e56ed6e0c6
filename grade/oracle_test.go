package grade_test

import (
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/transform"
)

// oracleDates are checked on every sample: leap days as T, the day after
// one, the report due date and the day after it, a year's last day.
var oracleDates = []time.Time{
	ymd(2024, 2, 29), ymd(2025, 2, 28), ymd(2025, 3, 1), ymd(2024, 3, 31), ymd(2024, 4, 1),
	ymd(2025, 3, 31), ymd(2025, 12, 31), ymd(2026, 1, 1), ymd(2026, 7, 31),
}

// TestMatchesSampleOracle compares Compute with the sample package's
// independent reference implementation, institution by institution, for
// several seeds and many dates around each sample's reference date (where
// its boundary cases sit).
func TestMatchesSampleOracle(t *testing.T) {
	samples := []sample.Options{
		{Seed: 1, AsOf: ymd(2024, 2, 29)},
		{Seed: 2, AsOf: ymd(2025, 2, 28)},
		{Seed: 3, AsOf: ymd(2024, 3, 31)},
		{Seed: 4, AsOf: ymd(2025, 12, 31)},
		{Seed: 5, AsOf: ymd(2026, 7, 31), Institutions: 400},
	}
	rules := grade.DefaultRules()
	for _, opt := range samples {
		t.Run(opt.AsOf.Format(time.DateOnly), func(t *testing.T) {
			t.Parallel() // each sample has a database of its own
			s, _ := loadSample(t, opt)
			T := opt.AsOf
			y1 := T.AddDate(-1, 0, 0)
			if T.Month() == time.February && T.Day() == 29 {
				y1 = ymd(T.Year()-1, time.February, 28)
			}
			dates := append([]time.Time{
				T, T.AddDate(0, 0, -1), T.AddDate(0, 0, 1), y1, y1.AddDate(0, 0, 1), y1.AddDate(0, 0, -1),
				T.AddDate(0, 0, 60), T.AddDate(0, 0, -200),
			}, oracleDates...)
			for _, d := range dates {
				exps, err := sample.ExpectAt(opt, d)
				if err != nil {
					t.Fatal(err)
				}
				compareWithOracle(t, d, compute(t, s, rules, d), exps)
			}
		})
	}
}

func compareWithOracle(t *testing.T, d time.Time, got []grade.Result, exps []sample.Expectation) {
	t.Helper()
	res := byUSCC(got)
	graded := 0
	for _, e := range exps {
		r, ok := res[e.USCC]
		if ok != e.Graded {
			t.Errorf("T=%s %s: graded=%v, oracle says %v", transform.FormatDate(d), e.USCC, ok, e.Graded)
			continue
		}
		if !ok {
			continue
		}
		graded++
		if !sameIDs(r.ClauseIDs(), e.Clauses) || r.Grade != worstOf(e.Clauses) {
			t.Errorf("T=%s %s %s: got %s [%s], oracle %s [%s]", transform.FormatDate(d), e.USCC, e.Name,
				r.Grade, join(r.ClauseIDs()), worstOf(e.Clauses), join(e.Clauses))
		}
		if r.Name != transform.WrittenText(e.Name) || r.CountyCode != e.CountyCode {
			t.Errorf("T=%s %s: name/county %q %q, want %q %q", transform.FormatDate(d), e.USCC, r.Name, r.CountyCode, e.Name, e.CountyCode)
		}
	}
	if graded != len(got) {
		t.Errorf("T=%s: %d results, oracle grades %d institutions", transform.FormatDate(d), len(got), graded)
	}
}
