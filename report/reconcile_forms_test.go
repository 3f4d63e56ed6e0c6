package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// codeOf returns a valid USCC of a county with serial n.
func codeOf(county string, n int) string {
	first := fmt.Sprintf("91%sMA5%06d", county, n)
	c, err := transform.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// reconciled is Reconcile's review of unit on day.
func reconciled(t *testing.T, s store.Store, rules *grade.Rules, unit string, day time.Time) string {
	t.Helper()
	var out bytes.Buffer
	if err := report.Reconcile(context.Background(), &out, s, rules, unit, day); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// writeTable writes a 附件2 as a CSV file and returns its path.
func writeTable(t *testing.T, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// registerClean registers institutions of a county licensed, with a
// signed commitment and every annual report in time: A by the rules.
func registerClean(t *testing.T, s store.Store, county string, usccs ...string) {
	t.Helper()
	register := [][]string{{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"}}
	reports := [][]string{{"uscc", "year", "submitted_on"}}
	for i, u := range usccs {
		register = append(register, []string{u, fmt.Sprintf("测试%s人力资源有限公司%d", county, i+1), county, "2024-06-01", "2024-06-01"})
		reports = append(reports, []string{u, "2024", "2025-01-15"}, []string{u, "2025", "2026-01-15"})
	}
	importRows(t, s, "institutions", register)
	importRows(t, s, "annual_reports", reports)
}

// creditsync's own 附件2 of a date other than an evaluation's, filed
// back, agrees with creditsync: reconcile compares with the 附件2 of the
// unit and date (the grade in force), not with what the rules would give
// at the date. An institution lowered to D and confirmed D at the next
// evaluation stays D after its record has left the rules' window — no
// grade is raised by itself (docs/rules.md §4.5) — and reconcile called
// that D a disagreement. A county that writes the rules' A is told the
// grade in force, and, labelled, what the rules now give.
func TestReconcileOwnSummaryOnAnyDate(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	lowered, clean := codeOf("411002", 1), codeOf("411002", 2)
	registerClean(t, s, "411002", lowered, clean)
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-07")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
		{"WD-1", lowered, "violation", "major", "2025-08-20", "魏都区人社局", "行政处罚"},
	})
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-08-20")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("regrade: %+v %v", res, err)
	}
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	// 2026-09-30: WD-1 is out of the window, the rules give A; the D
	// confirmed on 2026-08-07 is in force.
	on := day("2026-09-30")
	computed, err := grade.Compute(ctx, s, r, on)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range computed {
		if g.USCC == lowered && g.Grade != grade.A {
			t.Fatalf("the rules give %s on %s, want A: the case needs the record out of the window", g.Grade, transform.FormatDate(on))
		}
	}
	src, _, err := report.NewSource(ctx, s, r)
	if err != nil {
		t.Fatal(err)
	}
	u, err := report.LookupUnit("411002")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := report.BuildSummary(ctx, src, u, on, on)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Rows) != 2 || sum.Rows[1].USCC != lowered || sum.Rows[1].Grade != "D 级" {
		t.Fatalf("creditsync's 附件2 of %s: %+v, want 魏都区's two with the lowered one D", transform.FormatDate(on), sum.Rows)
	}
	path := filepath.Join(t.TempDir(), "附件2-魏都区.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sum.WriteXLSX(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "魏都区 411002 — 2026-09-30 的附件2（" + path + "）：2 家，一致 2 家，不一致 0 家\n"
	if got := reconciled(t, s, r, "411002", on); got != want {
		t.Errorf("creditsync's own 附件2 of %s filed back:\n%s\nwant\n%s", transform.FormatDate(on), got, want)
	}

	// The county writes what the rules give at the date.
	county := writeTable(t, "附件2-魏都区-县.csv",
		"机构名称,统一社会信用代码,信用等级",
		"测试411002人力资源有限公司1,"+lowered+",A级",
		"测试411002人力资源有限公司2,"+clean+",A级")
	if _, err := file.ImportSummary(ctx, s, county, file.SummaryOptions{Unit: "411002", AsOf: on}); err != nil {
		t.Fatal(err)
	}
	got := reconciled(t, s, r, "411002", on)
	for _, w := range []string{
		"：2 家，一致 1 家，不一致 1 家\n",
		"  " + lowered + " 测试411002人力资源有限公司1：报送 A 级，creditsync 评为 D 级\n    D1（D 级）因重大劳动保障违法违规行为被查处\n",
		"    （另：依 2026-09-30 的记录按规则计算为 A 级；信用等级不自动上调，须经机构申请，creditsync 附件2 仍列现行等级）\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("the county's A against the D in force: the review lacks %q:\n%s", w, got)
		}
	}
}

// An empty 附件2 is a filing: reconcile tells it from none filed, and
// lists the institutions creditsync grades in the unit as left out, as
// it does for a table that lists some of them.
func TestReconcileEmptyFiling(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	on := reporttest.Day("2026-07-31")
	a, b := codeOf("411081", 1), codeOf("411081", 2)
	registerClean(t, s, "411081", a, b)
	empty := writeTable(t, "附件2-禹州市.csv", "机构名称,统一社会信用代码,信用等级")
	if _, err := file.ImportSummary(ctx, s, empty, file.SummaryOptions{Unit: "411081", AsOf: on}); err != nil {
		t.Fatal(err)
	}
	want := "禹州市 411081 — 2026-07-31 的附件2（" + empty + "）：0 家，一致 0 家，不一致 0 家，漏报 2 家\n" +
		"  附件2 未列出任何机构（报送了空表）\n" +
		"  creditsync 评价了但附件2未列出（漏报）：\n" +
		"    " + a + " 测试411081人力资源有限公司1（creditsync A 级）\n" +
		"    " + b + " 测试411081人力资源有限公司2（creditsync A 级）\n"
	if got := reconciled(t, s, r, "411081", on); got != want {
		t.Errorf("an empty 附件2 of a unit with institutions:\n%s\nwant\n%s", got, want)
	}

	// The unit without institutions sends its empty 附件2 as creditsync
	// writes it.
	u, err := report.LookupUnit("411024")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "附件2-鄢陵县.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&report.Summary{Unit: u, Day: on, Filed: on}).WriteXLSX(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	want = "鄢陵县 411024 — 2026-07-31 的附件2（" + path + "）：0 家，一致 0 家，不一致 0 家\n" +
		"  附件2 未列出任何机构（报送了空表）\n"
	if got := reconciled(t, s, r, "411024", on); got != want {
		t.Errorf("the empty 附件2 of a unit without institutions:\n%s\nwant\n%s", got, want)
	}
	if got := reconciled(t, s, r, "411025", on); !strings.HasPrefix(got, "没有符合条件的附件2记录") {
		t.Errorf("a unit that filed nothing: %q", got)
	}
}

// 是否选树为诚信机构典型 is checked as the rules have it (docs/rules.md §5):
// only an A institution — A in the table and in creditsync — may be
// marked, and at most floor(share × A institutions) of the unit's. The
// marks counties write (√, 1, Y …) count as 是.
func TestReconcileExemplaryMarks(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	on := reporttest.Day("2026-07-31")
	var clean []string
	for i := 1; i <= 21; i++ {
		clean = append(clean, codeOf("411082", i))
	}
	violator := codeOf("411082", 99)
	registerClean(t, s, "411082", append(clean, violator)...)
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
		{"CG-1", violator, "violation", "serious", "2026-05-10", "长葛市人社局", "行政处罚"},
	})
	lines := []string{"机构名称,统一社会信用代码,信用等级,是否选树为诚信机构典型,选树原因"}
	marks := map[string][2]string{
		clean[0]: {"A级", "√"},
		clean[1]: {"A级", "1"},
		clean[2]: {"B级", "是"}, // creditsync: A
		violator: {"A级", "Y"}, // creditsync: C
	}
	for i, u := range append(clean, violator) {
		m, ok := marks[u]
		if !ok {
			m = [2]string{"A级", "否"}
		}
		lines = append(lines, fmt.Sprintf("测试411082人力资源有限公司%d,%s,%s,%s,", i+1, u, m[0], m[1]))
	}
	path := writeTable(t, "附件2-长葛市.csv", lines...)
	if res, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{Unit: "411082", AsOf: on}); err != nil || res.Rejected != 0 {
		t.Fatalf("import: %v %v", err, res.Rejects)
	}
	got := reconciled(t, s, grade.DefaultRules(), "411082", on)
	for _, w := range []string{
		"，表格问题 3 处\n",
		"  表格问题：" + clean[2] + " 测试411082人力资源有限公司3 报送 B 级，却选树为诚信机构典型：诚信机构典型只能从 A 级机构中选树\n",
		"  表格问题：" + violator + " 测试411082人力资源有限公司22 选树为诚信机构典型，creditsync 评为 C 级：诚信机构典型只能从 A 级机构中选树\n",
		"  表格问题：选树为诚信机构典型 4 家，超过上限 1 家（长葛市 2026-07-31 有效等级为 A 级的机构 21 家的 5%，向下取整）\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("the review lacks %q:\n%s", w, got)
		}
	}
	// A share of 20% allows 4 of 21.
	generous := *grade.DefaultRules()
	generous.Exemplary.SharePercent = 20
	if got := reconciled(t, s, &generous, "411082", on); strings.Contains(got, "超过上限") || !strings.Contains(got, "表格问题 2 处") {
		t.Errorf("with a share of 20%%:\n%s", got)
	}
}

// The files of one filing make one table: a USCC two of them list with
// different grades is a problem of the form, as on one sheet, not
// resolved without a word by the file read last.
func TestReconcileRepeatAcrossTables(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	on := reporttest.Day("2026-07-31")
	a, b := codeOf("411082", 1), codeOf("411082", 2)
	registerClean(t, s, "411082", a, b)
	page1 := writeTable(t, "第1页.csv", "机构名称,统一社会信用代码,信用等级", "测试411082人力资源有限公司1,"+a+",A级")
	page2 := writeTable(t, "第2页.csv", "机构名称,统一社会信用代码,信用等级", "测试411082人力资源有限公司2,"+b+",A级", "测试411082人力资源有限公司1,"+a+",C级")
	opt := file.SummaryOptions{Unit: "411082", AsOf: on, Filing: file.NewFiling(time.Now())}
	for _, p := range []string{page1, page2} {
		if _, err := file.ImportSummary(ctx, s, p, opt); err != nil {
			t.Fatal(err)
		}
	}
	if err := file.FinishFiling(ctx, s, opt.Filing); err != nil {
		t.Fatal(err)
	}
	got := reconciled(t, s, grade.DefaultRules(), "411082", on)
	want := "  表格问题：" + a + " 在本次报送的多个表中重复且等级不同：" + page1 + " 第 2 行 A 级、" + page2 + " 第 3 行 C 级（导入取最后读入的一行）\n"
	if !strings.Contains(got, "（"+page1+"、"+page2+"）：2 家") || !strings.Contains(got, want) {
		t.Errorf("the review lacks %q:\n%s", want, got)
	}
}
