package sample

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/transform"
)

var asOf = time.Date(2026, time.July, 31, 0, 0, 0, 0, time.UTC)

var lists = []string{"institutions", "inspections", "annual_reports", "penalties", "abnormal", "dishonest", "public_eval"}

func write(t *testing.T, opt Options) (string, Files, []Expectation) {
	t.Helper()
	dir := t.TempDir()
	files, exps, err := Write(dir, opt)
	if err != nil {
		t.Fatalf("Write(%+v): %v", opt, err)
	}
	return dir, files, exps
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readCSV parses a file with encoding/csv, which also insists that every row
// has as many fields as the header.
func readCSV(t *testing.T, path string) (header []string, rows []map[string]string, raw [][]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readAll(t, path))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", path)
	}
	header = recs[0]
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return header, rows, recs[1:]
}

func TestSameSeedSameBytes(t *testing.T) {
	opt := Options{Seed: 42, AsOf: asOf}
	dirA, filesA, expA := write(t, opt)
	dirB, filesB, expB := write(t, opt)
	for _, l := range lists {
		if !bytes.Equal(readAll(t, filesA[l]), readAll(t, filesB[l])) {
			t.Errorf("%s differs between two runs with the same seed", l)
		}
	}
	if !bytes.Equal(readAll(t, filepath.Join(dirA, BadInstitutionsFile)), readAll(t, filepath.Join(dirB, BadInstitutionsFile))) {
		t.Errorf("%s differs between two runs with the same seed", BadInstitutionsFile)
	}
	if !reflect.DeepEqual(expA, expB) {
		t.Error("expectations differ between two runs with the same seed")
	}
}

func TestDifferentSeedDifferentBytes(t *testing.T) {
	_, a, _ := write(t, Options{Seed: 1, AsOf: asOf})
	_, b, _ := write(t, Options{Seed: 2, AsOf: asOf})
	for _, l := range lists {
		if bytes.Equal(readAll(t, a[l]), readAll(t, b[l])) {
			t.Errorf("%s is the same for seeds 1 and 2", l)
		}
	}
}

func TestOptions(t *testing.T) {
	if _, _, err := Write(t.TempDir(), Options{Seed: 1}); err == nil {
		t.Error("zero AsOf accepted")
	}
	if _, _, err := Write(t.TempDir(), Options{Seed: 1, AsOf: asOf, Institutions: 10}); err == nil {
		t.Error("10 institutions accepted although the scenarios need more")
	}
	_, files, exps := write(t, Options{Seed: 1, AsOf: asOf})
	if len(exps) != 300 {
		t.Errorf("default sample has %d institutions, want 300", len(exps))
	}
	if len(files) != len(lists) {
		t.Errorf("Files has %d entries, want %d", len(files), len(lists))
	}
	if _, ok := files["institutions_bad"]; ok {
		t.Error("the bad file must stay out of Files")
	}
	_, _, exps = write(t, Options{Seed: 1, AsOf: asOf, Institutions: len(scenarios)})
	if len(exps) != len(scenarios) {
		t.Errorf("got %d institutions, want %d", len(exps), len(scenarios))
	}
	// An instant late in the evening of the 31st east of UTC is still the 31st.
	g, err := generate(Options{Seed: 1, AsOf: time.Date(2026, 7, 31, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))})
	if err != nil || !g.t.Equal(asOf) {
		t.Errorf("AsOf in +08:00 became %v (%v), want 2026-07-31", g.t, err)
	}
}

var headers = map[string][]string{
	"institutions":   {"许可证编号", "机构名称", "区县代码", "统一社会信用代码", "许可日期", "承诺书签订日期", "许可状态", "状态变更日期", "失联起始日期", "备注"},
	"inspections":    {"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "authority", "measure", "description"},
	"annual_reports": {"统一社会信用代码", "报告年度", "提交日期"},
	"penalties":      {"record_id", "uscc", "name", "decided_on", "authority", "content", "publicity_ended_on"},
	"abnormal":       {"uscc", "name", "listed_on", "reason", "authority", "removed_on", "removal_reason"},
	"dishonest":      {"uscc", "name", "listed_on", "reason", "authority", "removed_on"},
	"public_eval":    {"uscc", "name", "grade", "evaluated_on"},
}

func TestHeadersAndCSV(t *testing.T) {
	dir, files, _ := write(t, Options{Seed: 7, AsOf: asOf})
	for _, l := range lists {
		if want := filepath.Join(dir, l+".csv"); files[l] != want {
			t.Errorf("Files[%q] = %q, want %q", l, files[l], want)
		}
		h, rows, _ := readCSV(t, files[l])
		if !reflect.DeepEqual(h, headers[l]) {
			t.Errorf("%s header = %q, want %q", l, h, headers[l])
		}
		if len(rows) < 10 {
			t.Errorf("%s has only %d rows", l, len(rows))
		}
		if bytes.HasPrefix(readAll(t, files[l]), []byte("\xef\xbb\xbf")) {
			t.Errorf("%s starts with a BOM", l)
		}
	}
	h, _, _ := readCSV(t, filepath.Join(dir, BadInstitutionsFile))
	if !reflect.DeepEqual(h, headers["institutions"]) {
		t.Errorf("bad file header = %q", h)
	}
}

// checkUSCC validates both check characters with code of its own, apart
// from the 18th which transform computes.
func checkUSCC(code string) bool {
	if len(code) != 18 {
		return false
	}
	c, err := transform.USCCCheckChar(code[:17])
	return err == nil && c == code[17] && orgCheck(code[8:16]) == code[16]
}

func TestEveryUSCCValid(t *testing.T) {
	_, files, exps := write(t, Options{Seed: 3, AsOf: asOf})
	cols := map[string]string{"institutions": "统一社会信用代码", "annual_reports": "统一社会信用代码"}
	inst := map[string]bool{}
	for _, e := range exps {
		inst[e.USCC] = true
	}
	for _, l := range lists {
		col := cols[l]
		if col == "" {
			col = "uscc"
		}
		_, rows, _ := readCSV(t, files[l])
		empty, foreign := 0, 0
		for i, r := range rows {
			u := normUSCC(r[col])
			if u == "" {
				empty++
				continue
			}
			if !checkUSCC(u) {
				t.Errorf("%s row %d: USCC %q fails the check", l, i+2, r[col])
			}
			if !inst[u] {
				foreign++
			}
		}
		switch l {
		case "institutions", "inspections", "annual_reports":
			if empty+foreign > 0 {
				t.Errorf("%s: %d empty and %d unknown USCCs", l, empty, foreign)
			}
		default:
			if foreign < len(rows)/3 {
				t.Errorf("%s: only %d of %d rows are about non-institutions", l, foreign, len(rows))
			}
		}
	}

	xc := map[string]bool{"411000": true, "411002": true, "411003": true, "411023": true, "411024": true, "411025": true, "411081": true, "411082": true}
	_, rows, _ := readCSV(t, files["institutions"])
	prefixes := map[string]int{}
	retired, outside := 0, 0
	for _, r := range rows {
		u := r["统一社会信用代码"]
		prefixes[u[:2]]++
		switch {
		case u[2:8] == "411023":
			retired++
		case !xc[u[2:8]]:
			outside++
			if !xc[r["区县代码"]] {
				t.Errorf("%s registered outside Xuchang has county_code %q", u, r["区县代码"])
			}
		}
	}
	if prefixes["91"] == 0 || prefixes["12"] == 0 || prefixes["52"] == 0 {
		t.Errorf("prefixes %v: want 91, 12 and 52", prefixes)
	}
	if retired == 0 || outside == 0 {
		t.Errorf("%d codes with 411023 and %d registered outside Xuchang; want some of each", retired, outside)
	}
}

func TestEveryClauseAtLeastThree(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		_, _, exps := write(t, Options{Seed: seed, AsOf: asOf})
		count := map[string]int{}
		multi, a, ungraded := 0, 0, 0
		for _, e := range exps {
			if !e.Graded {
				ungraded++
				if len(e.Clauses) > 0 {
					t.Errorf("%s is not graded but has clauses %v", e.USCC, e.Clauses)
				}
				continue
			}
			if !sort.SliceIsSorted(e.Clauses, func(i, j int) bool { return rank(e.Clauses[i]) < rank(e.Clauses[j]) }) {
				t.Errorf("%s: clauses %v not in D,C,B order", e.USCC, e.Clauses)
			}
			for _, c := range e.Clauses {
				count[c]++
			}
			if len(e.Clauses) == 0 {
				a++
			}
			if len(e.Clauses) > 1 {
				multi++
			}
		}
		for _, c := range clauseOrder {
			if count[c] < 3 {
				t.Errorf("seed %d: clause %s holds for %d institutions, want ≥ 3", seed, c, count[c])
			}
		}
		if a < len(exps)/2 {
			t.Errorf("seed %d: only %d of %d institutions are A", seed, a, len(exps))
		}
		if multi < 10 || ungraded < 3 {
			t.Errorf("seed %d: %d with several clauses, %d not graded", seed, multi, ungraded)
		}
	}
}

func rank(c string) int {
	for i, x := range clauseOrder {
		if x == c {
			return i
		}
	}
	return -1
}

// Dates that move the edges: leap days (T − 1y maps 29 Feb to 28 Feb), the
// report due date itself and the day before and after it, New Year.
var asOfDates = []time.Time{
	asOf,
	ymd(2024, 2, 29), ymd(2028, 2, 29), ymd(2027, 2, 28), ymd(2029, 3, 1),
	ymd(2025, 3, 30), ymd(2025, 3, 31), ymd(2025, 4, 1),
	ymd(2023, 1, 1), ymd(2026, 12, 31), ymd(2023, 8, 20),
}

// TestDesignMatchesOracle: every institution's designed clauses are what the
// reference implementation finds, for many seeds and reference dates.
func TestDesignMatchesOracle(t *testing.T) {
	for _, d := range asOfDates {
		for seed := int64(0); seed < 15; seed++ {
			g, err := generate(Options{Seed: seed, AsOf: d})
			if err != nil {
				t.Fatal(err)
			}
			v := g.ds.grade(g.t)
			seen := map[string]bool{}
			for _, in := range g.ds.institutions {
				seen[in.scenario] = true
				got := v[in.USCC]
				if got.graded != in.graded || !reflect.DeepEqual(got.clauses, in.want) {
					t.Errorf("AsOf %s seed %d %s (%s): oracle %v graded=%v, designed %v graded=%v",
						d.Format(time.DateOnly), seed, in.scenario, in.USCC, got.clauses, got.graded, in.want, in.graded)
				}
			}
			for _, s := range scenarios {
				if !seen[s.name] {
					t.Errorf("scenario %s missing", s.name)
				}
			}
		}
	}
}

func TestFilesReproduceExpectations(t *testing.T) {
	for _, d := range []time.Time{asOf, ymd(2028, 2, 29), ymd(2025, 3, 31)} {
		_, files, exps := write(t, Options{Seed: 11, AsOf: d})
		ds := parseFiles(t, files)
		v := ds.grade(d)
		for _, e := range exps {
			got := v[e.USCC]
			if got.graded != e.Graded || !reflect.DeepEqual(got.clauses, e.Clauses) {
				t.Errorf("AsOf %s %s: from the files %v graded=%v, expected %v graded=%v",
					d.Format(time.DateOnly), e.USCC, got.clauses, got.graded, e.Clauses, e.Graded)
			}
		}
	}
}

func TestNearMisses(t *testing.T) {
	g, err := generate(Options{Seed: 5, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	v := g.ds.grade(g.t)
	T, y1 := g.t, g.y1
	by := map[string]*institution{}
	for _, in := range g.ds.institutions {
		by[in.scenario] = in
	}
	insp := func(in *institution, kind, sev string, on time.Time) bool {
		for _, r := range g.ds.inspections {
			if r.USCC == in.USCC && r.Kind == kind && r.Severity == sev && r.HandledOn.Equal(on) {
				return true
			}
		}
		return false
	}
	listed := func(l []*listing, in *institution, removed time.Time) bool {
		for _, x := range l {
			if x.USCC == in.USCC && x.RemovedOn.Equal(removed) {
				return true
			}
		}
		return false
	}
	pen := func(in *institution, decided, ended time.Time) bool {
		for _, p := range g.ds.penalties {
			if p.USCC == in.USCC && (decided.IsZero() || p.DecidedOn.Equal(decided)) && p.PublicityEndedOn.Equal(ended) {
				return true
			}
		}
		return false
	}
	report := func(in *institution, year int, on time.Time) bool {
		for _, r := range g.ds.reports {
			if r.USCC == in.USCC && r.Year == year && r.SubmittedOn.Equal(on) {
				return true
			}
		}
		return false
	}
	cases := []struct {
		scenario string
		has      func(in *institution) bool
		graded   bool
		clauses  []string
	}{
		{"near-major-on-window-edge", func(in *institution) bool { return insp(in, "violation", "major", y1) }, true, nil},
		{"d1-window-first-day", func(in *institution) bool { return insp(in, "violation", "major", days(y1, 1)) }, true, []string{"D1"}},
		{"near-breach-on-window-edge", func(in *institution) bool { return insp(in, "commitment_breach", "", y1) }, true, nil},
		{"near-abnormal-removed-on-asof", func(in *institution) bool { return listed(g.ds.abnormal, in, T) }, true, nil},
		{"near-dishonest-removed-on-asof", func(in *institution) bool { return listed(g.ds.dishonest, in, T) }, true, nil},
		{"near-penalty-ended-on-asof", func(in *institution) bool { return pen(in, time.Time{}, T) }, true, nil},
		{"near-penalty-decided-on-window-edge", func(in *institution) bool { return pen(in, y1, time.Time{}) }, true, nil},
		{"near-lost-one-day-short", func(in *institution) bool { return in.LostSince.Equal(days(y1, 1)) }, true, nil},
		{"c4-lost-exactly-one-year", func(in *institution) bool { return in.LostSince.Equal(y1) }, true, []string{"C4"}},
		{"near-report-on-due-date", func(in *institution) bool {
			return report(in, g.nmax, dueDate(g.nmax)) && report(in, g.nmax-1, days(dueDate(g.nmax-1), 1))
		}, true, nil},
		{"b3-report-one-day-late", func(in *institution) bool { return report(in, g.nmax, days(dueDate(g.nmax), 1)) }, true, []string{"B3"}},
		{"near-licensed-after-asof", func(in *institution) bool { return in.LicensedOn.After(T) }, false, nil},
		{"near-licensed-on-asof", func(in *institution) bool { return in.LicensedOn.Equal(T) }, true, nil},
		{"near-cancelled-before-asof", func(in *institution) bool { return in.Status == "cancelled" && in.StatusOn.Before(T) }, false, nil},
		{"near-cancelled-on-asof", func(in *institution) bool { return in.Status == "cancelled" && in.StatusOn.Equal(T) }, false, nil},
		{"near-cancelled-after-asof", func(in *institution) bool { return in.Status == "cancelled" && in.StatusOn.After(T) }, true, nil},
		{"d3-revoked-on-asof", func(in *institution) bool { return in.Status == "revoked" && in.StatusOn.Equal(T) }, true, []string{"D3", "C6"}},
		{"near-revoked-after-asof", func(in *institution) bool { return in.Status == "revoked" && in.StatusOn.After(T) }, true, []string{"C2"}},
		{"b1-commitment-after-asof", func(in *institution) bool { return in.Commitment.After(T) }, true, []string{"B1"}},
	}
	for _, c := range cases {
		in := by[c.scenario]
		if in == nil {
			t.Errorf("no institution for %s", c.scenario)
			continue
		}
		if !c.has(in) {
			t.Errorf("%s: the boundary record is not in the data", c.scenario)
		}
		got := v[in.USCC]
		if got.graded != c.graded || !reflect.DeepEqual(got.clauses, c.clauses) {
			t.Errorf("%s: got %v graded=%v, want %v graded=%v", c.scenario, got.clauses, got.graded, c.clauses, c.graded)
		}
	}
}

// TestFormatsExercised: the files use every spelling an importer must accept.
func TestFormatsExercised(t *testing.T) {
	_, files, exps := write(t, Options{Seed: 9, AsOf: asOf})
	all := ""
	for _, l := range lists {
		all += string(readAll(t, files[l]))
	}
	for _, want := range []string{
		"2025-", "2025/", "2025年", ",2025", "2025.", // date spellings (20250… starts a field)
		",是,", ",否,", ",true,", ",false,",
		"违法违规", ",violation,", "严重", ",serious,", "重大", ",major,", "骗取资金", "fund_fraud",
		"有效", ",valid,", "吊销", ",revoked,", "注销", ",cancelled,",
		"（", "\u3000",
		",优,", ",良,", ",中,", ",差,", ",A,", ",B,", ",C,", ",D,",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q anywhere in the sample", want)
		}
	}
	names := map[string]bool{}
	for _, e := range exps {
		names[normName(e.Name)] = true
	}
	for _, l := range []string{"penalties", "abnormal", "public_eval"} {
		_, rows, _ := readCSV(t, files[l])
		match, stray := 0, 0
		for _, r := range rows {
			if r["uscc"] != "" {
				continue
			}
			if names[normName(r["name"])] {
				match++
			} else {
				stray++
			}
		}
		if match == 0 {
			t.Errorf("%s: no row without USCC that names an institution", l)
		}
		if l != "public_eval" && stray == 0 {
			t.Errorf("%s: no row without USCC that names nobody", l)
		}
	}
}

func TestBadFile(t *testing.T) {
	dir, files, _ := write(t, Options{Seed: 4, AsOf: asOf})
	_, rows, raw := readCSV(t, filepath.Join(dir, BadInstitutionsFile))
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	_, _, good := readCSV(t, files["institutions"])
	goodRows := map[string]bool{}
	for _, r := range good {
		goodRows[strings.Join(r, "\x00")] = true
	}
	badUSCC, badDate, noName, copies := 0, 0, 0, 0
	for i, r := range rows {
		switch {
		case goodRows[strings.Join(raw[i], "\x00")]:
			copies++
		case !checkUSCC(r["统一社会信用代码"]):
			badUSCC++
		case r["许可日期"] == "2023-02-30":
			badDate++
		case r["机构名称"] == "":
			noName++
		}
	}
	if copies != 5 || badUSCC != 1 || badDate != 1 || noName != 1 {
		t.Errorf("copies %d, bad USCC %d, bad date %d, missing name %d; want 5,1,1,1", copies, badUSCC, badDate, noName)
	}
}

func TestOrgCheck(t *testing.T) {
	// Verified codes from docs/data.md.
	for _, c := range []string{"914403001922038216", "91440300708461136T", "9144030071526726XG", "91620105L015101280", "91411023174430174N"} {
		if !checkUSCC(c) {
			t.Errorf("%s should be valid", c)
		}
		if got := orgCheck(c[8:16]); got != c[16] {
			t.Errorf("orgCheck(%s) = %c, want %c", c[8:16], got, c[16])
		}
	}
}
