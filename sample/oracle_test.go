package sample

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseFiles reads a written sample back with a deliberately small parser of
// the contract's spellings, so that TestFilesReproduceExpectations checks the
// files themselves and not only the records they were written from.
func parseFiles(t *testing.T, files Files) *dataset {
	t.Helper()
	ds := &dataset{}
	d := func(s string) time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			return time.Time{}
		}
		for _, layout := range []string{"2006-01-02", "2006/1/2", "2006年1月2日", "20060102", "2006.01.02"} {
			if v, err := time.Parse(layout, s); err == nil {
				return v
			}
		}
		t.Fatalf("unparseable date %q", s)
		return time.Time{}
	}
	en := func(m map[string]string, s string) string {
		for k, v := range m {
			if v == s {
				return k
			}
		}
		return s
	}
	_, rows, _ := readCSV(t, files["institutions"])
	for _, r := range rows {
		st := en(statusZH, r["许可状态"])
		if st == "" {
			st = "valid"
		}
		ds.institutions = append(ds.institutions, &institution{
			USCC: r["统一社会信用代码"], Name: r["机构名称"], County: r["区县代码"],
			LicensedOn: d(r["许可日期"]), Status: st, StatusOn: d(r["状态变更日期"]),
			Commitment: d(r["承诺书签订日期"]), LostSince: d(r["失联起始日期"]),
		})
	}
	_, rows, _ = readCSV(t, files["inspections"])
	for _, r := range rows {
		ds.inspections = append(ds.inspections, &inspection{
			ID: r["record_id"], USCC: r["uscc"], Kind: en(kindZH, r["kind"]), Severity: en(severityZH, r["severity"]),
			HandledOn: d(r["handled_on"]), RectifiedOn: d(r["rectified_on"]),
			Refused: r["refused"] == "是" || r["refused"] == "true",
		})
	}
	_, rows, _ = readCSV(t, files["annual_reports"])
	for _, r := range rows {
		y, err := strconv.Atoi(r["报告年度"])
		if err != nil {
			t.Fatal(err)
		}
		ds.reports = append(ds.reports, &annualReport{USCC: r["统一社会信用代码"], Year: y, SubmittedOn: d(r["提交日期"])})
	}
	_, rows, _ = readCSV(t, files["penalties"])
	for _, r := range rows {
		ds.penalties = append(ds.penalties, &penalty{ID: r["record_id"], USCC: r["uscc"], Name: r["name"], DecidedOn: d(r["decided_on"]), PublicityEndedOn: d(r["publicity_ended_on"])})
	}
	for _, l := range []struct {
		name string
		to   *[]*listing
	}{{"abnormal", &ds.abnormal}, {"dishonest", &ds.dishonest}} {
		_, rows, _ = readCSV(t, files[l.name])
		for _, r := range rows {
			*l.to = append(*l.to, &listing{USCC: r["uscc"], Name: r["name"], ListedOn: d(r["listed_on"]), RemovedOn: d(r["removed_on"])})
		}
	}
	_, rows, _ = readCSV(t, files["public_eval"])
	for _, r := range rows {
		ds.evals = append(ds.evals, &evaluation{USCC: r["uscc"], Name: r["name"], Grade: r["grade"], EvaluatedOn: d(r["evaluated_on"])})
	}
	return ds
}

func TestMinusYearAndDueYear(t *testing.T) {
	for _, c := range []struct{ t, want time.Time }{
		{ymd(2024, 2, 29), ymd(2023, 2, 28)},
		{ymd(2023, 7, 31), ymd(2022, 7, 31)},
		{ymd(2025, 3, 1), ymd(2024, 3, 1)},
	} {
		if got := minusYear(c.t); !got.Equal(c.want) {
			t.Errorf("minusYear(%s) = %s, want %s", c.t.Format(time.DateOnly), got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
	for _, c := range []struct {
		t    time.Time
		want int
	}{{ymd(2025, 3, 30), 2023}, {ymd(2025, 3, 31), 2024}, {ymd(2025, 12, 31), 2024}} {
		if got := latestDueYear(c.t); got != c.want {
			t.Errorf("latestDueYear(%s) = %d, want %d", c.t.Format(time.DateOnly), got, c.want)
		}
	}
}

// TestOracleCases pins the oracle to docs/rules.md with hand-made records,
// independent of the generator.
func TestOracleCases(t *testing.T) {
	const u = "914403001922038216"
	T := ymd(2024, 2, 29) // window 2023-03-01 … 2024-02-29
	base := func() *dataset {
		return &dataset{
			institutions: []*institution{{USCC: u, Name: "许昌英才人力资源服务（许昌）有限公司", Status: "valid", LicensedOn: ymd(2018, 5, 1), Commitment: ymd(2023, 9, 1)}},
			reports: []*annualReport{
				{USCC: u, Year: 2020, SubmittedOn: ymd(2021, 3, 1)},
				{USCC: u, Year: 2021, SubmittedOn: ymd(2022, 3, 1)},
				{USCC: u, Year: 2022, SubmittedOn: ymd(2023, 3, 31)},
			},
		}
	}
	cases := []struct {
		name   string
		edit   func(ds *dataset)
		want   []string
		graded bool
	}{
		{"clean", func(ds *dataset) {}, nil, true},
		{"major on 2023-02-28 is outside", func(ds *dataset) {
			ds.inspections = []*inspection{{USCC: u, Kind: "violation", Severity: "major", HandledOn: ymd(2023, 2, 28)}}
		}, nil, true},
		{"major on 2023-03-01 is inside", func(ds *dataset) {
			ds.inspections = []*inspection{{USCC: u, Kind: "violation", Severity: "major", HandledOn: ymd(2023, 3, 1)}}
		}, []string{"D1"}, true},
		{"two violations, one serious", func(ds *dataset) {
			ds.inspections = []*inspection{
				{USCC: u, Kind: "violation", Severity: "serious", HandledOn: ymd(2023, 6, 1)},
				{USCC: u, Kind: "violation", Severity: "minor", HandledOn: ymd(2024, 2, 29)},
			}
		}, []string{"C1", "C2", "B2"}, true},
		{"refused long ago, rectified after T", func(ds *dataset) {
			ds.inspections = []*inspection{{USCC: u, Kind: "compliance_failure", HandledOn: ymd(2021, 1, 1), Refused: true, RectifiedOn: ymd(2024, 3, 1)}}
		}, []string{"C3"}, true},
		{"refused long ago, rectified on T", func(ds *dataset) {
			ds.inspections = []*inspection{{USCC: u, Kind: "compliance_failure", HandledOn: ymd(2021, 1, 1), Refused: true, RectifiedOn: T}}
		}, nil, true},
		{"lost since T-1y", func(ds *dataset) { ds.institutions[0].LostSince = ymd(2023, 2, 28) }, []string{"C4"}, true},
		{"lost since T-1y+1", func(ds *dataset) { ds.institutions[0].LostSince = ymd(2023, 3, 1) }, nil, true},
		{"2022 report one day late", func(ds *dataset) { ds.reports[2].SubmittedOn = ymd(2023, 4, 1) }, []string{"B3"}, true},
		{"three latest missing", func(ds *dataset) { ds.reports = nil }, []string{"C5", "B3"}, true},
		{"three latest, one late but in by T", func(ds *dataset) {
			ds.reports = []*annualReport{{USCC: u, Year: 2021, SubmittedOn: ymd(2023, 1, 1)}}
		}, []string{"B3"}, true},
		{"no commitment", func(ds *dataset) { ds.institutions[0].Commitment = time.Time{} }, []string{"B1"}, true},
		{"commitment signed on T", func(ds *dataset) { ds.institutions[0].Commitment = T }, nil, true},
		{"latest evaluation 差", func(ds *dataset) {
			ds.evals = []*evaluation{{USCC: u, Grade: "A", EvaluatedOn: ymd(2023, 1, 1)}, {USCC: u, Grade: "差", EvaluatedOn: ymd(2024, 1, 1)}}
		}, []string{"D4"}, true},
		{"D superseded, D after T", func(ds *dataset) {
			ds.evals = []*evaluation{{USCC: u, Grade: "D", EvaluatedOn: ymd(2023, 1, 1)}, {USCC: u, Grade: "良", EvaluatedOn: ymd(2024, 1, 1)}, {USCC: u, Grade: "D", EvaluatedOn: ymd(2024, 3, 1)}}
		}, nil, true},
		{"name-only abnormal, half-width brackets", func(ds *dataset) {
			ds.abnormal = []*listing{{Name: "许昌英才人力资源服务(许昌)有限公司 ", ListedOn: ymd(2023, 5, 1)}}
		}, []string{"C6"}, true},
		{"dishonest removed on T", func(ds *dataset) {
			ds.dishonest = []*listing{{USCC: u, ListedOn: ymd(2022, 5, 1), RemovedOn: T}}
		}, nil, true},
		{"dishonest, lower-case code", func(ds *dataset) {
			ds.dishonest = []*listing{{USCC: strings.ToLower(u), ListedOn: ymd(2022, 5, 1)}}
		}, []string{"D5"}, true},
		{"penalty publicity ends on T", func(ds *dataset) {
			ds.penalties = []*penalty{{USCC: u, DecidedOn: ymd(2023, 6, 1), PublicityEndedOn: T}}
		}, nil, true},
		{"penalty publicity ends after T", func(ds *dataset) {
			ds.penalties = []*penalty{{USCC: u, DecidedOn: ymd(2023, 6, 1), PublicityEndedOn: ymd(2024, 3, 1)}}
		}, []string{"B6"}, true},
		{"revoked on T", func(ds *dataset) { ds.institutions[0].Status, ds.institutions[0].StatusOn = "revoked", T }, []string{"D3"}, true},
		{"cancelled on T", func(ds *dataset) { ds.institutions[0].Status, ds.institutions[0].StatusOn = "cancelled", T }, nil, false},
		{"licensed after T", func(ds *dataset) { ds.institutions[0].LicensedOn = ymd(2024, 3, 1) }, nil, false},
	}
	for _, c := range cases {
		ds := base()
		c.edit(ds)
		got := ds.grade(T)[u]
		if got.graded != c.graded || !reflect.DeepEqual(got.clauses, c.want) {
			t.Errorf("%s: got %v graded=%v, want %v graded=%v", c.name, got.clauses, got.graded, c.want, c.graded)
		}
	}
}
