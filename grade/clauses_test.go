package grade_test

import (
	"context"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

type clauseCase struct {
	name      string
	asOf      string
	f         gradetest.Fixture
	want      []string // clause IDs in report order; nil for A
	notGraded bool
}

// runCases stores every case's institution in one database and grades
// each at its date. Cases share no keys or names unless they mean to.
func runCases(t *testing.T, r *grade.Rules, cases []clauseCase) {
	t.Helper()
	s := storetest.OpenMigrated(t)
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = gradetest.Put(t, s, c.f)
	}
	results := map[string]map[string]grade.Result{}
	for i, c := range cases {
		res, ok := results[c.asOf]
		if !ok {
			res = byUSCC(compute(t, s, r, day(c.asOf)))
			results[c.asOf] = res
		}
		got, graded := res[ids[i]]
		switch {
		case graded == c.notGraded:
			t.Errorf("%s (T=%s): graded=%v, want %v", c.name, c.asOf, graded, !c.notGraded)
		case graded && (!sameIDs(got.ClauseIDs(), c.want) || got.Grade != worstOf(c.want)):
			t.Errorf("%s (T=%s): got %s [%s], want %s [%s]", c.name, c.asOf, got.Grade, join(got.ClauseIDs()), worstOf(c.want), join(c.want))
		}
	}
}

// windowEdges are record dates around the edges of W(T) = (T − 1y, T].
var windowEdges = []struct {
	asOf, on string
	in       bool
}{
	{"2024-02-29", "2023-02-28", false}, // T − 1y of 29 February is 28 February
	{"2024-02-29", "2023-03-01", true},
	{"2024-02-29", "2024-02-29", true},
	{"2024-02-29", "2024-03-01", false}, // after T: invisible
	{"2025-02-28", "2024-02-28", false},
	{"2025-02-28", "2024-02-29", true}, // a record on a leap day
	{"2025-03-01", "2024-02-29", false},
	{"2025-03-01", "2024-03-01", false},
	{"2025-03-01", "2024-03-02", true},
	{"2023-07-31", "2022-07-31", false},
	{"2023-07-31", "2022-08-01", true},
	{"2023-07-31", "2023-07-31", true},
	{"2023-07-31", "2023-08-01", false},
}

// TestWindowClauses: every clause that looks at one record in W(T), on
// each edge of the window.
func TestWindowClauses(t *testing.T) {
	clauses := []struct {
		id     string
		record func(on string) gradetest.Fixture
	}{
		{"D1", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "major", Handled: on}}}
		}},
		{"D2", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "fund_fraud", Handled: on}}}
		}},
		{"C2", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "serious", Handled: on}}}
		}},
		{"B1", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "commitment_breach", Handled: on}}}
		}},
		{"B2", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "minor", Handled: on}}}
		}},
		{"B2", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "general", Handled: on}}}
		}},
		{"B3", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "compliance_failure", Handled: on}}}
		}},
		{"B4", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "false_materials", Handled: on}}}
		}},
		{"B5", func(on string) gradetest.Fixture {
			return gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "conditions_unmet", Handled: on}}}
		}},
		{"B6", func(on string) gradetest.Fixture { return gradetest.Fixture{Pens: []gradetest.Pen{{Decided: on}}} }},
	}
	var cases []clauseCase
	for _, c := range clauses {
		for _, e := range windowEdges {
			var want []string
			if e.in {
				want = []string{c.id}
			}
			cases = append(cases, clauseCase{name: c.id + " on " + e.on, asOf: e.asOf, f: c.record(e.on), want: want})
		}
	}
	runCases(t, grade.DefaultRules(), cases)
}

func TestWhoIsGraded(t *testing.T) {
	runCases(t, grade.DefaultRules(), []clauseCase{
		{name: "licensed on T", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2024-02-29", Signed: "2024-02-29"}}},
		{name: "licensed T+1", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2024-03-01"}}, notGraded: true},
		{name: "cancelled T-1", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "cancelled", StatusOn: "2024-02-28"}}, notGraded: true},
		{name: "cancelled on T", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "cancelled", StatusOn: "2024-02-29"}}, notGraded: true},
		{name: "cancelled T+1", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "cancelled", StatusOn: "2024-03-01"}}},
		{name: "cancelled, no date", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "cancelled"}}, notGraded: true},
		{name: "revoked long ago still graded", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "revoked", StatusOn: "2019-05-01"}}, want: []string{"D3"}},
	})
}

func TestRegisterClauses(t *testing.T) {
	runCases(t, grade.DefaultRules(), []clauseCase{
		{name: "D3 revoked T-1", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "revoked", StatusOn: "2024-02-28"}}, want: []string{"D3"}},
		{name: "D3 revoked on T", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "revoked", StatusOn: "2024-02-29"}}, want: []string{"D3"}},
		{name: "D3 revoked T+1", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Status: "revoked", StatusOn: "2024-03-01"}}},

		{name: "C4 lost since T-1y (leap T)", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2023-02-28"}}, want: []string{"C4"}},
		{name: "C4 lost since T-1y+1 (leap T)", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2023-03-01"}}},
		{name: "C4 lost since T-1y", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2022-07-31"}}, want: []string{"C4"}},
		{name: "C4 lost since T-1y-1", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2022-07-30"}}, want: []string{"C4"}},
		{name: "C4 lost since T-1y+1", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2022-08-01"}}},
		{name: "C4 lost since a leap day", asOf: "2025-02-28", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2024-02-29"}}},
		{name: "C4 lost since a leap day, a day later", asOf: "2025-03-01", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2024-02-29"}}, want: []string{"C4"}},
		{name: "C4 lost since T", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2023-07-31"}}},

		{name: "B1 no commitment", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}}, want: []string{"B1"}},
		{name: "B1 signed on T", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Signed: "2024-02-29"}}},
		{name: "B1 signed T+1", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Signed: "2024-03-01"}}, want: []string{"B1"}},
		{name: "B1 both reasons", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}, Insp: []gradetest.Insp{{Kind: "commitment_breach", Handled: "2023-12-01"}}}, want: []string{"B1"}},
	})
}

func TestInspectionClauses(t *testing.T) {
	v := func(sev, on string) gradetest.Insp {
		return gradetest.Insp{Kind: "violation", Severity: sev, Handled: on}
	}
	runCases(t, grade.DefaultRules(), []clauseCase{
		{name: "C1 two in window", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("minor", "2023-03-01"), v("general", "2024-02-29")}}, want: []string{"C1", "B2"}},
		{name: "C1 one on T-1y", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("minor", "2023-02-28"), v("general", "2024-02-29")}}, want: []string{"B2"}},
		{name: "C1 one after T", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("minor", "2023-06-01"), v("minor", "2024-03-01")}}, want: []string{"B2"}},
		{name: "C1 three, one serious", asOf: "2023-07-31", f: gradetest.Fixture{Insp: []gradetest.Insp{v("minor", "2022-08-01"), v("serious", "2023-01-01"), v("minor", "2023-07-31")}}, want: []string{"C1", "C2", "B2"}},
		{name: "C1 major and minor", asOf: "2023-07-31", f: gradetest.Fixture{Insp: []gradetest.Insp{v("major", "2023-01-01"), v("minor", "2023-02-01")}}, want: []string{"D1", "C1", "B2"}},
		{name: "C1 other kinds do not count", asOf: "2023-07-31", f: gradetest.Fixture{Insp: []gradetest.Insp{v("minor", "2023-01-01"), {Kind: "false_materials", Handled: "2023-02-01"}}}, want: []string{"B2", "B4"}},

		{name: "C3 refused in window, rectified", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "minor", Handled: "2023-03-01", Refused: true, Rectified: "2023-04-01"}}}, want: []string{"C3", "B2"}},
		{name: "C3 refused on T-1y, rectified before T", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "compliance_failure", Handled: "2023-02-28", Refused: true, Rectified: "2023-04-01"}}}},
		{name: "C3 refused long ago, open", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "compliance_failure", Handled: "2019-01-01", Refused: true}}}, want: []string{"C3"}},
		{name: "C3 refused long ago, rectified on T", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "compliance_failure", Handled: "2019-01-01", Refused: true, Rectified: "2024-02-29"}}}},
		{name: "C3 refused long ago, rectified T+1", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "compliance_failure", Handled: "2019-01-01", Refused: true, Rectified: "2024-03-01"}}}, want: []string{"C3"}},
		{name: "C3 refused handled T+1", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "compliance_failure", Handled: "2024-03-01", Refused: true}}}},
		{name: "C3 with D1", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "major", Handled: "2024-02-29", Refused: true}}}, want: []string{"D1", "C3"}},
	})
}

// reports lists annual reports as year, date pairs.
func reports(pairs ...any) []gradetest.Report {
	var out []gradetest.Report
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, gradetest.Report{Year: pairs[i].(int), Submitted: pairs[i+1].(string)})
	}
	return out
}

func TestAnnualReportClauses(t *testing.T) {
	runCases(t, grade.DefaultRules(), []clauseCase{
		// 2024's report is due 2025-03-31: the latest due year moves on that day.
		{name: "C5 three latest missing, due date is T", asOf: "2025-03-31", f: gradetest.Fixture{Reports: reports(2022, "", 2023, "", 2024, "")}, want: []string{"C5", "B3"}},
		{name: "C5 the day before the due date", asOf: "2025-03-30", f: gradetest.Fixture{Reports: reports(2022, "", 2023, "", 2024, "")}, want: []string{"B3"}},
		{name: "C5 filed after T is missing at T", asOf: "2025-03-31", f: gradetest.Fixture{Reports: reports(2022, "2025-04-01", 2023, "2025-04-01", 2024, "2025-04-01")}, want: []string{"C5", "B3"}},
		{name: "C5 a late report counts", asOf: "2025-03-31", f: gradetest.Fixture{Reports: reports(2022, "", 2023, "2025-01-01", 2024, "")}, want: []string{"B3"}},
		{name: "C5 only two due years", asOf: "2025-03-31", f: gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2023-01-01"}, NoReports: true}, want: []string{"B3"}},
		{name: "C5 exactly three due years", asOf: "2025-03-31", f: gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2022-12-31"}, NoReports: true}, want: []string{"C5", "B3"}},
		{name: "C5 leap T", asOf: "2024-02-29", f: gradetest.Fixture{Reports: reports(2020, "", 2021, "", 2022, "")}, want: []string{"C5", "B3"}},

		{name: "B3 report on its due date", asOf: "2025-03-31", f: gradetest.Fixture{Reports: reports(2024, "2025-03-31")}},
		{name: "B3 report the day after, seen at T+1", asOf: "2025-04-01", f: gradetest.Fixture{Reports: reports(2024, "2025-04-01")}, want: []string{"B3"}},
		{name: "B3 report the day after, at T", asOf: "2025-03-31", f: gradetest.Fixture{Reports: reports(2024, "2025-04-01")}, want: []string{"B3"}},
		{name: "B3 only the latest due year counts", asOf: "2025-03-31", f: gradetest.Fixture{Reports: reports(2023, "2024-06-01")}},
		{name: "B3 due date one day into the window", asOf: "2025-03-30", f: gradetest.Fixture{Reports: reports(2023, "2024-04-01")}, want: []string{"B3"}},
		{name: "B3 late a year ago, on time since", asOf: "2025-12-31", f: gradetest.Fixture{Reports: reports(2023, "2024-04-01")}},
		{name: "B3 nothing due yet", asOf: "2025-03-31", f: gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2025-01-01"}, NoReports: true}},
		{name: "B3 first report due on T", asOf: "2025-03-31", f: gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2024-06-01"}, NoReports: true}, want: []string{"B3"}},
		{name: "B3 leap T", asOf: "2024-02-29", f: gradetest.Fixture{Reports: reports(2022, "2023-04-01")}, want: []string{"B3"}},
	})
}

func TestExternalListClauses(t *testing.T) {
	shared := "许昌同名人力资源服务有限公司"
	runCases(t, grade.DefaultRules(), []clauseCase{
		{name: "D5 listed on T", asOf: "2024-02-29", f: gradetest.Fixture{Dis: []gradetest.Listing{{Listed: "2024-02-29"}}}, want: []string{"D5"}},
		{name: "D5 listed T+1", asOf: "2024-02-29", f: gradetest.Fixture{Dis: []gradetest.Listing{{Listed: "2024-03-01"}}}},
		{name: "D5 removed on T", asOf: "2024-02-29", f: gradetest.Fixture{Dis: []gradetest.Listing{{Listed: "2020-01-01", Removed: "2024-02-29"}}}},
		{name: "D5 removed T+1", asOf: "2024-02-29", f: gradetest.Fixture{Dis: []gradetest.Listing{{Listed: "2020-01-01", Removed: "2024-03-01"}}}, want: []string{"D5"}},
		{name: "D5 by name", asOf: "2024-02-29", f: gradetest.Fixture{Dis: []gradetest.Listing{{Listed: "2023-01-01", ByName: true}}}, want: []string{"D5"}},

		{name: "C6 listed on T", asOf: "2023-07-31", f: gradetest.Fixture{Abn: []gradetest.Listing{{Listed: "2023-07-31"}}}, want: []string{"C6"}},
		{name: "C6 listed T+1", asOf: "2023-07-31", f: gradetest.Fixture{Abn: []gradetest.Listing{{Listed: "2023-08-01"}}}},
		{name: "C6 removed on T", asOf: "2023-07-31", f: gradetest.Fixture{Abn: []gradetest.Listing{{Listed: "2021-01-01", Removed: "2023-07-31"}}}},
		{name: "C6 removed T+1", asOf: "2023-07-31", f: gradetest.Fixture{Abn: []gradetest.Listing{{Listed: "2021-01-01", Removed: "2023-08-01"}}}, want: []string{"C6"}},
		{name: "C6 by name with half-width brackets", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Name: "许昌括号人力资源服务（建安）有限公司"}, Abn: []gradetest.Listing{{Listed: "2023-01-01", Name: "许昌括号人力资源服务(建安)有限公司"}}}, want: []string{"C6"}},
		{name: "C6 name shared by two institutions: first", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Name: shared}, Abn: []gradetest.Listing{{Listed: "2023-01-01", ByName: true}}}},
		{name: "C6 name shared by two institutions: second", asOf: "2023-07-31", f: gradetest.Fixture{Inst: gradetest.Inst{Name: shared}}},
		{name: "C6 name matching nobody", asOf: "2023-07-31", f: gradetest.Fixture{Abn: []gradetest.Listing{{Listed: "2023-01-01", Name: "无关企业有限公司"}}}},

		{name: "D4 latest is D", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "A", On: "2022-01-01"}, {Grade: "D", On: "2024-02-29"}}}, want: []string{"D4"}},
		{name: "D4 差 label", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "差", On: "2023-05-01"}}}, want: []string{"D4"}},
		{name: "D4 D after T", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "B", On: "2022-01-01"}, {Grade: "D", On: "2024-03-01"}}}},
		{name: "D4 D superseded", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "D", On: "2022-01-01"}, {Grade: "良", On: "2023-01-01"}}}},
		{name: "D4 old D is not windowed", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "D", On: "2019-01-01"}}}, want: []string{"D4"}},
		{name: "D4 by name supersedes by code", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "A", On: "2022-01-01"}, {Grade: "D", On: "2023-01-01", ByName: true}}}, want: []string{"D4"}},
		{name: "D4 tie on the latest date", asOf: "2024-02-29", f: gradetest.Fixture{Evals: []gradetest.Eval{{Grade: "A", On: "2023-01-01"}, {Grade: "D", On: "2023-01-01", ByName: true}}}, want: []string{"D4"}},

		{name: "B6 publicity ends on T", asOf: "2024-02-29", f: gradetest.Fixture{Pens: []gradetest.Pen{{Decided: "2023-06-01", Ended: "2024-02-29"}}}},
		{name: "B6 publicity ends T+1", asOf: "2024-02-29", f: gradetest.Fixture{Pens: []gradetest.Pen{{Decided: "2023-06-01", Ended: "2024-03-01"}}}, want: []string{"B6"}},
		{name: "B6 by name", asOf: "2024-02-29", f: gradetest.Fixture{Pens: []gradetest.Pen{{Decided: "2023-06-01", ByName: true}}}, want: []string{"B6"}},
	})
}

// TestConfiguredThresholds: every (config) threshold moves its clause.
func TestConfiguredThresholds(t *testing.T) {
	r := grade.DefaultRules()
	r.Window.Months = 6
	r.Clauses.C1Violations = 3
	r.Clauses.C4LostContactMonths = 24
	r.Clauses.C5MissingReportYears = 2
	r.AnnualReport.Due = "06-30"
	v := func(on string) gradetest.Insp {
		return gradetest.Insp{Kind: "violation", Severity: "minor", Handled: on}
	}
	runCases(t, r, []clauseCase{
		{name: "6-month window, on the edge", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("2023-08-29")}}},
		{name: "6-month window, a day inside", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("2023-08-30")}}, want: []string{"B2"}},
		{name: "C1 needs three", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("2023-12-01"), v("2024-01-01")}}, want: []string{"B2"}},
		{name: "C1 three", asOf: "2024-02-29", f: gradetest.Fixture{Insp: []gradetest.Insp{v("2023-12-01"), v("2024-01-01"), v("2024-02-01")}}, want: []string{"C1", "B2"}},
		{name: "C4 after 24 months", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2022-02-28"}}, want: []string{"C4"}},
		{name: "C4 not after 23", asOf: "2024-02-29", f: gradetest.Fixture{Inst: gradetest.Inst{Lost: "2022-03-01"}}},
		{name: "C5 two years, due 30 June", asOf: "2025-06-30", f: gradetest.Fixture{Reports: reports(2023, "", 2024, "")}, want: []string{"C5", "B3"}},
		{name: "C5 two years; B3 due outside a 6-month window", asOf: "2025-06-29", f: gradetest.Fixture{Reports: reports(2022, "", 2023, "", 2024, "")}, want: []string{"C5"}},
	})
}

// TestLaterVersionsWin: a record loaded again with changed values (a
// removal date, a correction) counts as it is now, on every list, whether
// or not ClickHouse has merged the two versions yet.
func TestLaterVersionsWin(t *testing.T) {
	s := storetest.OpenMigrated(t)
	// Keep the versions in separate parts, as right after an import.
	for _, table := range []string{"inspections", "penalties", "dishonest", "abnormal", "public_eval"} {
		if err := s.Exec(context.Background(), "SYSTEM STOP MERGES "+table, nil); err != nil {
			t.Fatal(err)
		}
	}
	T := "2024-02-29"
	u := gradetest.Put(t, s, gradetest.Fixture{
		Insp:  []gradetest.Insp{{Kind: "violation", Severity: "major", Handled: "2023-06-01", Refused: true}},
		Pens:  []gradetest.Pen{{Decided: "2023-06-01"}},
		Dis:   []gradetest.Listing{{Listed: "2023-01-01"}},
		Abn:   []gradetest.Listing{{Listed: "2023-01-01", ByName: true}},
		Evals: []gradetest.Eval{{Grade: "D", On: "2023-05-01"}},
	})
	if got := byUSCC(compute(t, s, grade.DefaultRules(), day(T)))[u]; join(got.ClauseIDs()) != "D1;D4;D5;C3;C6;B6" {
		t.Fatalf("before the corrections: %v", got.ClauseIDs())
	}
	name := gradetest.DefaultName(u)
	key := transform.NormalizeName(name)
	gradetest.Replace(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused"},
		[]any{u + "-R1", u, "violation", "major", day("2023-02-01"), day("2023-03-01"), false})
	gradetest.Replace(t, s, "penalties", []string{"record_id", "uscc", "name", "name_key", "decided_on", "publicity_ended_on"},
		[]any{"许人社罚决字〔" + u + "〕1号", u, name, key, day("2023-06-01"), day("2024-01-01")})
	gradetest.Replace(t, s, "dishonest", []string{"uscc", "name", "name_key", "listed_on", "removed_on"},
		[]any{u, name, key, day("2023-01-01"), day("2024-02-01")})
	gradetest.Replace(t, s, "abnormal", []string{"uscc", "name", "name_key", "listed_on", "removed_on"},
		[]any{"", name, key, day("2023-01-01"), day("2024-02-29")})
	gradetest.Replace(t, s, "public_eval", []string{"uscc", "name", "name_key", "grade", "grade_label", "evaluated_on"},
		[]any{u, name, key, "B", "良", day("2023-05-01")})
	if got := byUSCC(compute(t, s, grade.DefaultRules(), day(T)))[u]; len(got.Clauses) != 0 {
		t.Errorf("after the corrections: %s %v, want A", got.Grade, got.ClauseIDs())
	}
}

// TestOneRecordUnderTwoNames: the data contract keys a listing and an
// evaluation by USCC and date. Rows stored apart because they came under
// different names — without a USCC (matched by name) and with it, under
// the institution's old name and its new — are versions of one record:
// the one loaded last counts, its removal date or corrected grade
// included.
func TestOneRecordUnderTwoNames(t *testing.T) {
	s := storetest.OpenMigrated(t)
	T := "2024-02-29"
	u := gradetest.Put(t, s, gradetest.Fixture{
		Dis:   []gradetest.Listing{{Listed: "2023-01-01", ByName: true}},
		Evals: []gradetest.Eval{{Grade: "D", On: "2023-05-01", ByName: true}},
	})
	// Listed under the name the institution had then.
	old := "许昌旧名人力资源服务有限公司"
	gradetest.Replace(t, s, "abnormal", []string{"uscc", "name", "name_key", "listed_on"},
		[]any{u, old, transform.NormalizeName(old), day("2023-01-01")})
	if got := byUSCC(compute(t, s, grade.DefaultRules(), day(T)))[u]; join(got.ClauseIDs()) != "D4;D5;C6" {
		t.Fatalf("as first delivered: %v", got.ClauseIDs())
	}
	name := gradetest.DefaultName(u)
	key := transform.NormalizeName(name)
	// Delivered again with the USCC, under the name the register has now.
	gradetest.Replace(t, s, "dishonest", []string{"uscc", "name", "name_key", "listed_on", "removed_on"},
		[]any{u, name, key, day("2023-01-01"), day("2024-02-01")})
	gradetest.Replace(t, s, "abnormal", []string{"uscc", "name", "name_key", "listed_on", "removed_on"},
		[]any{u, name, key, day("2023-01-01"), day("2024-02-29")})
	gradetest.Replace(t, s, "public_eval", []string{"uscc", "name", "name_key", "grade", "grade_label", "evaluated_on"},
		[]any{u, name, key, "B", "良", day("2023-05-01")})
	if got := byUSCC(compute(t, s, grade.DefaultRules(), day(T)))[u]; len(got.Clauses) != 0 {
		t.Errorf("after the records came again with the USCC: %s %v, want A", got.Grade, got.ClauseIDs())
	}
	// The name-only version loaded again last counts again: still listed.
	gradetest.Replace(t, s, "dishonest", []string{"uscc", "name", "name_key", "listed_on"},
		[]any{"", name, key, day("2023-01-01")})
	if got := byUSCC(compute(t, s, grade.DefaultRules(), day(T)))[u]; join(got.ClauseIDs()) != "D5" {
		t.Errorf("after the listing came again by name: %v, want D5", got.ClauseIDs())
	}
}
