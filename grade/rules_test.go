package grade_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

func TestDefaultRules(t *testing.T) {
	r := grade.DefaultRules()
	want := grade.Rules{
		Window:       grade.WindowRules{Months: 12},
		Clauses:      grade.ClauseRules{C1Violations: 2, C4LostContactMonths: 12, C5MissingReportYears: 3},
		AnnualReport: grade.AnnualReportRules{Due: "03-31"},
		Lifecycle:    grade.LifecycleRules{PublicityDays: 7},
		Sampling:     grade.SamplingRules{APercent: 5, BPercent: 10, CPercent: 30, DPercent: 30},
		Exemplary:    grade.ExemplaryRules{SharePercent: 5, Scope: grade.ScopeCounty},
	}
	if *r != want {
		t.Errorf("defaults = %+v, want %+v", *r, want)
	}
	if got := r.ReportDue(2023); !got.Equal(ymd(2024, 3, 31)) {
		t.Errorf("ReportDue(2023) = %v", got)
	}
	if l, err := grade.Load(""); err != nil || *l != want {
		t.Errorf("Load(\"\") = %+v, %v", l, err)
	}
}

func TestLoadRules(t *testing.T) {
	r, err := grade.Load(filepath.Join("testdata", "rules", "stricter.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Window.Months != 6 || r.Clauses.C1Violations != 3 || r.Sampling.APercent != 2.5 {
		t.Errorf("file values not applied: %+v", r)
	}
	if r.Clauses.C5MissingReportYears != 3 || r.AnnualReport.Due != "03-31" || r.Exemplary.Scope != "county" {
		t.Errorf("defaults not kept for keys the file leaves out: %+v", r)
	}
	if r.Checksum() == grade.DefaultRules().Checksum() {
		t.Error("different rules share a checksum")
	}
	if grade.DefaultRules().Checksum() != grade.DefaultRules().Checksum() {
		t.Error("checksum is not stable")
	}

	for file, want := range map[string]string{
		"typo.toml":       "unknown key(s) clauses.c1_violation",
		"leap_due.toml":   `annual_report.due = "02-29"`,
		"bad_values.toml": "window.months = 0",
		"missing.toml":    "read rules file",
	} {
		_, err := grade.Load(filepath.Join("testdata", "rules", file))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", file, err, want)
		}
		if file != "missing.toml" && !errors.Is(err, grade.ErrRules) {
			t.Errorf("%s: error is not ErrRules: %v", file, err)
		}
	}
	_, err = grade.Load(filepath.Join("testdata", "rules", "bad_values.toml"))
	if err == nil || !strings.Contains(err.Error(), "exemplary.scope") || !strings.Contains(err.Error(), "exemplary.share_percent") {
		t.Errorf("every problem should be listed: %v", err)
	}
}

func TestClauseCatalogue(t *testing.T) {
	var ids []string
	for _, c := range grade.Clauses() {
		ids = append(ids, c.ID)
		if string(c.Grade) != c.ID[:1] || c.Text == "" || c.Rule == "" {
			t.Errorf("clause %+v", c)
		}
	}
	if join(ids) != "D1;D2;D3;D4;D5;C1;C2;C3;C4;C5;C6;B1;B2;B3;B4;B5;B6" {
		t.Errorf("clause order %v", ids)
	}
	if !grade.Worse(grade.D, grade.C) || !grade.Worse(grade.B, grade.A) || grade.Worse(grade.A, grade.A) {
		t.Error("Worse")
	}
}

func TestToday(t *testing.T) {
	// 17:30 UTC on 31 July is already 1 August in Xuchang.
	now := ymd(2026, 7, 31).Add(17*3600e9 + 30*60e9)
	if got := grade.Today(now); !got.Equal(ymd(2026, 8, 1)) {
		t.Errorf("Today = %v", got)
	}
	if _, err := transform.ParseISODate("2026-02-30"); !errors.Is(err, transform.ErrDate) {
		t.Errorf("ParseDate accepted 30 February: %v", err)
	}
}
