package sql_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// table runs q and returns its rows as text, NULL spelled "NULL" and
// arrays joined with "|", for comparisons that show a readable diff.
func table(t *testing.T, s store.Store, q string) [][]string {
	t.Helper()
	rows, err := s.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var rec []string
		for _, v := range rows.Values() {
			rec = append(rec, text(v))
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.Format(time.DateOnly)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(e)
		}
		return strings.Join(parts, "|")
	}
	return fmt.Sprint(v)
}

// The rows the migration writes restate Go definitions; they must agree.
func TestAnalystTablesAgreeWithGo(t *testing.T) {
	s := storetest.OpenMigrated(t)

	want := [][]string{{transform.CityCode, transform.CountyName(transform.CityCode), "city", ""}}
	for _, c := range transform.XuchangCounties() {
		want = append(want, []string{c.Code, c.Name, "county", strings.Join(transform.LegacyCodes(c.Code), "|")})
	}
	if got := table(t, s, "SELECT code, name, level, legacy_codes FROM counties ORDER BY code"); !reflect.DeepEqual(got, want) {
		t.Errorf("counties table = %q\nwant (transform/county.go) %q\nadd a migration that rewrites the rows", got, want)
	}

	want = nil
	for i, c := range grade.Clauses() {
		want = append(want, []string{c.ID, string(c.Grade), c.Text, c.Rule, fmt.Sprint(i + 1)})
	}
	if got := table(t, s, "SELECT id, grade, text, rule, ord FROM clauses ORDER BY ord"); !reflect.DeepEqual(got, want) {
		t.Errorf("clauses table = %q\nwant (grade/clauses.go) %q", got, want)
	}

	labels := map[string]map[string]string{}
	for _, r := range table(t, s, "SELECT domain, code, zh FROM labels") {
		if labels[r[0]] == nil {
			labels[r[0]] = map[string]string{}
		}
		labels[r[0]][r[1]] = r[2]
	}
	for _, l := range contract.Lists() {
		if got := labels["list"][l.Name]; got != l.Title {
			t.Errorf("label of list %s = %q, want the contract's title %q", l.Name, got, l.Title)
		}
	}
	// Enum labels must be spellings the contract accepts for that code, and
	// cover every code.
	for _, e := range []struct{ domain, list, column string }{
		{"inspection_kind", "inspections", "kind"},
		{"severity", "inspections", "severity"},
		{"license_status", "institutions", "license_status"},
	} {
		l, err := contract.Lookup(e.list)
		if err != nil {
			t.Fatal(err)
		}
		col, _ := l.Column(e.column)
		codes := map[string]bool{}
		for _, code := range col.Values {
			codes[code] = true
		}
		for code := range codes {
			zh, ok := labels[e.domain][code]
			if !ok || col.Values[strings.ToLower(zh)] != code {
				t.Errorf("label %s/%s = %q: not a spelling of %s.%s the contract maps to %s", e.domain, code, zh, e.list, e.column, code)
			}
		}
		if len(labels[e.domain]) != len(codes) {
			t.Errorf("domain %s has %d labels, the contract %d codes", e.domain, len(labels[e.domain]), len(codes))
		}
	}
	for domain, codes := range map[string][]string{
		"grade_status": {string(lifecycle.StatusPublicized), string(lifecycle.StatusUnderReview), string(lifecycle.StatusConfirmed), string(lifecycle.StatusExpired), string(lifecycle.StatusSuperseded)},
		"run_kind":     {string(lifecycle.RunEvaluate), string(lifecycle.RunRegrade), string(lifecycle.RunUpgrade), string(lifecycle.RunReview)},
	} {
		for _, c := range codes {
			if labels[domain][c] == "" {
				t.Errorf("no Chinese label for %s %q", domain, c)
			}
		}
	}
}

// Every column of the analysts' tables and views says what it holds in
// Chinese and English.
func TestAnalystColumnsAreCommented(t *testing.T) {
	s := storetest.OpenMigrated(t)
	rel := "('counties', 'clauses', 'labels', 'v_county_codes', 'v_grade_history', 'v_current_grades', 'v_clause_evidence', 'v_grade_changes', 'v_list_records', 'v_inspections')"
	got := table(t, s, `SELECT table, name, comment FROM system.columns
		WHERE database = currentDatabase() AND table IN `+rel+` AND name != 'version'
		  AND NOT (match(comment, '\\p{Han}') AND match(comment, '[A-Za-z]{3}'))`)
	if len(got) > 0 {
		t.Errorf("columns without a Chinese and English comment: %q", got)
	}
	n := table(t, s, "SELECT uniqExact(table) FROM system.columns WHERE database = currentDatabase() AND table IN "+rel)
	if n[0][0] != "10" {
		t.Errorf("found %s of the 10 analyst tables and views", n[0][0])
	}
}

// The seven lists' columns carry the contract's Chinese header name first,
// then English, so DESCRIBE speaks the bureau's words.
func TestListColumnsAreCommented(t *testing.T) {
	s := storetest.OpenMigrated(t)
	comments := map[string]string{}
	for _, r := range table(t, s, "SELECT concat(table, '.', name), comment FROM system.columns WHERE database = currentDatabase()") {
		comments[r[0]] = r[1]
	}
	hanAndLatin := regexp.MustCompile(`\p{Han}.*[A-Za-z]{3}`)
	for _, l := range contract.Lists() {
		n := 0
		for col, c := range comments {
			if strings.HasPrefix(col, l.Name+".") {
				n++
				if !hanAndLatin.MatchString(c) {
					t.Errorf("%s: comment %q lacks Chinese then English", col, c)
				}
			}
		}
		if n == 0 {
			t.Errorf("no columns found for list %s", l.Name)
		}
		for _, c := range l.Columns {
			if got := comments[l.Name+"."+c.Key]; !strings.HasPrefix(got, c.Chinese+" ") {
				t.Errorf("%s.%s: comment %q does not start with the contract's name %q", l.Name, c.Key, got, c.Chinese)
			}
		}
	}
}

// A small history through the analyst views: previous grades, NULL years,
// name matches, grades on a day.
func TestAnalystViews(t *testing.T) {
	s := storetest.OpenMigrated(t)
	ctx := context.Background()
	ev := func(id, g, text, kind, rec, date string) string {
		return fmt.Sprintf(`[{"id":%q,"grade":%q,"text":%q,"evidence":[{"kind":%q,"id":%q,"date":%q,"detail":"d"}]}]`, id, g, text, kind, rec, date)
	}
	for _, q := range []string{
		// U1 carries the withdrawn code of its county; U2's licence was
		// cancelled on 1 August 2026, which ends its grade that day; U5's
		// was revoked then, which does not: its D (D3) stays.
		`INSERT INTO institutions (uscc, name, name_key, county_code, license_status, license_status_on, version) VALUES
			('U1', '甲机构', '甲机构', '411023', 'valid', NULL, 1), ('U2', '乙机构', '乙机构', '411002', 'cancelled', '2026-08-01', 1),
			('U5', '戊机构', '戊机构', '411002', 'revoked', '2026-08-01', 1),
			('U3', '同名', '同名', '411024', 'valid', NULL, 1), ('U4', '同名', '同名', '411025', 'valid', NULL, 1)`,
		`INSERT INTO grade_runs (run_id, kind, year, as_of, started, finished, version) VALUES
			('E', 'evaluate', 2025, '2025-07-31', now64(3), now64(3), 1),
			('R', 'regrade', 0, '2026-01-10', now64(3), now64(3), 1),
			('F', 'regrade', 0, '2026-03-01', now64(3), NULL, 1)`,
		// Each grade keeps the name and county it was graded with (U1's
		// with the withdrawn code its register row had then).
		`INSERT INTO grade_history (uscc, run_id, grade, clauses, evidence, status, valid_from, valid_until, superseded_on, recorded_at, version, county_code, name) VALUES
			('U1', 'E', 'A', [], '[]', 'superseded', '2025-08-07', '2026-08-06', '2026-01-10', '2025-08-07 00:00:00', 1, '411023', '甲机构'),
			('U1', 'R', 'C', ['C6'], '` + ev("C6", "C", "被列入经营异常名录", "abnormal", "甲机构|2026-01-05", "2026-01-05") + `', 'confirmed', '2026-01-10', '2027-01-09', NULL, '2026-01-10 00:00:00', 1, '411023', '甲机构'),
			('U2', 'E', 'B', ['B1'], '` + ev("B1", "B", "未履行信用承诺", "institution", "U2", "") + `', 'confirmed', '2025-08-07', '2026-08-06', NULL, '2025-08-07 00:00:00', 1, '411002', '乙机构'),
			('U2', 'F', 'D', ['D5'], '[]', 'confirmed', '2026-03-01', '2027-02-28', NULL, '2026-03-01 00:00:00', 1, '411002', '乙机构'),
			('U5', 'E', 'D', ['D3'], '[]', 'confirmed', '2025-08-07', '2026-08-06', NULL, '2025-08-07 00:00:00', 1, '411002', '戊机构')`,
		`INSERT INTO abnormal (uscc, name, name_key, listed_on, reason, version) VALUES
			('', '甲机构', '甲机构', '2026-01-05', '无法联系', 1),
			('U2', '乙机构', '乙机构', '2026-02-01', '未报年报', 1),
			('', '同名', '同名', '2026-02-02', '', 1)`,
		`INSERT INTO penalties (record_id, uscc, name, name_key, decided_on, version) VALUES ('P1', 'OTHER', '别家', '别家', '2026-01-01', 1)`,
		`INSERT INTO public_eval (uscc, name, name_key, grade, evaluated_on, version) VALUES ('U1', '甲机构', '甲机构', 'B', '2025-06-30', 1)`,
		`INSERT INTO inspections (record_id, uscc, kind, severity, handled_on, rectified_on, refused, version) VALUES
			('I1', 'U1', 'violation', 'serious', '2026-01-02', NULL, true, 1), ('I2', 'U2', 'false_materials', '', '2026-02-03', '2026-02-10', false, 1)`,
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tests := []struct {
		name, query string
		want        [][]string
	}{
		{"changes", `SELECT uscc, county_code, county_name, from_grade, to_grade, changed_on, change, change_zh, kind, kind_zh, year, clause_texts FROM v_grade_changes ORDER BY uscc, changed_on`,
			[][]string{
				{"U1", "411003", "建安区", "NULL", "A", "2025-08-07", "initial", "首次评定", "evaluate", "年度评价", "2025", ""},
				{"U1", "411003", "建安区", "A", "C", "2026-01-10", "downgrade", "降级", "regrade", "动态降级", "NULL", "C6 被列入经营异常名录"},
				{"U2", "411002", "魏都区", "NULL", "B", "2025-08-07", "initial", "首次评定", "evaluate", "年度评价", "2025", "B1 未履行信用承诺"},
				{"U5", "411002", "魏都区", "NULL", "D", "2025-08-07", "initial", "首次评定", "evaluate", "年度评价", "2025", ""},
			}},
		{"history years", `SELECT uscc, run_id, year, status_zh FROM v_grade_history ORDER BY uscc, run_id`,
			[][]string{{"U1", "E", "2025", "已被取代"}, {"U1", "R", "NULL", "有效"}, {"U2", "E", "2025", "有效"}, {"U5", "E", "2025", "有效"}}},
		{"list records", `SELECT list_zh, record_key, uscc, matched_by, matched_by_zh, institution_name, county_name, listed_uscc, grade, reason FROM v_list_records ORDER BY list, record_key`,
			[][]string{
				{"经营异常名录", "U2|2026-02-01", "U2", "uscc", "统一社会信用代码", "乙机构", "魏都区", "U2", "NULL", "未报年报"},
				{"经营异常名录", "同名|2026-02-02", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", ""},
				{"经营异常名录", "甲机构|2026-01-05", "U1", "name", "名称", "甲机构", "建安区", "NULL", "NULL", "无法联系"},
				{"行政处罚", "P1", "NULL", "NULL", "NULL", "NULL", "NULL", "OTHER", "NULL", ""},
				{"公共信用综合评价", "U1|2025-06-30", "U1", "uscc", "统一社会信用代码", "甲机构", "建安区", "U1", "B", "NULL"},
			}},
		{"inspections", `SELECT record_id, county_code, county_name, kind_zh, severity, severity_zh, rectified_on FROM v_inspections ORDER BY record_id`,
			[][]string{{"I1", "411003", "建安区", "违法违规", "serious", "严重", "NULL"}, {"I2", "411002", "魏都区", "虚假材料", "NULL", "NULL", "2026-02-10"}}},
		{"evidence joins list records", `SELECT e.uscc, e.kind_zh, l.matched_by FROM v_clause_evidence AS e INNER JOIN v_list_records AS l ON l.record_key = e.record_id`,
			[][]string{{"U1", "经营异常名录", "name"}}},
		{"grades on a day", `SELECT uscc, grade, status, county_name FROM v_grades_on(day = '2026-01-09') ORDER BY uscc`,
			[][]string{{"U1", "A", "confirmed", "建安区"}, {"U2", "B", "confirmed", "魏都区"}, {"U5", "D", "confirmed", "魏都区"}}},
		{"grades before the licence ended", `SELECT uscc, grade, status, status_zh FROM v_grades_on(day = '2026-07-31') ORDER BY uscc`,
			[][]string{{"U1", "C", "confirmed", "有效"}, {"U2", "B", "confirmed", "有效"}, {"U5", "D", "confirmed", "有效"}}},
		{"grades after the licence ended", `SELECT uscc, grade, status, status_zh FROM v_grades_on(day = '2026-08-05') ORDER BY uscc`,
			[][]string{{"U1", "C", "confirmed", "有效"}, {"U5", "D", "confirmed", "有效"}}},
		{"licence in the history", `SELECT uscc, license_status, license_ended_on FROM v_grade_history WHERE run_id = 'E' ORDER BY uscc`,
			[][]string{{"U1", "valid", "NULL"}, {"U2", "cancelled", "2026-08-01"}, {"U5", "revoked", "NULL"}}},
		{"list records by current county code", `SELECT record_key, county_code, county_name FROM v_list_records WHERE uscc = 'U1' ORDER BY record_key`,
			[][]string{{"U1|2025-06-30", "411003", "建安区"}, {"甲机构|2026-01-05", "411003", "建安区"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := table(t, s, tt.query)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	// The views apply the rule grades --on applies.
	for _, day := range []string{"2025-08-06", "2025-08-07", "2026-01-09", "2026-01-10", "2026-07-31"} {
		d, _ := time.Parse(time.DateOnly, day)
		es, err := lifecycle.GradesOn(ctx, s, d)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for _, e := range es {
			want = append(want, []string{e.USCC, string(e.Grade), string(e.StatusOn(d))})
		}
		got := table(t, s, "SELECT uscc, grade, status FROM v_grades_on(day = '"+day+"') ORDER BY uscc")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("v_grades_on(%s) = %q, lifecycle.GradesOn = %q", day, got, want)
		}
	}

	// The view of 0003 keeps working for its readers.
	cols := table(t, s, "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'v_current_grades' ORDER BY position LIMIT 12")
	var names []string
	for _, c := range cols {
		names = append(names, c[0])
	}
	if want := "uscc name county_code grade clauses status valid_from valid_until run_kind as_of run_id note"; strings.Join(names, " ") != want {
		t.Errorf("v_current_grades starts with %v, want %s", names, want)
	}
}
