package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The city reviews a county's 附件2: 禹州市 submitted B for an institution
// creditsync grades B too, A for one it grades C (the deliberate
// disagreement), and A and B for two not in the register. Its first
// import is refused whole: a row's grade was 优.
func TestImportSummaryAndReconcile(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	workbooks := filepath.Join("..", "..", "ingest", "file", "testdata", "workbooks")
	reports := filepath.Join(t.TempDir(), "reports.csv")
	if err := os.WriteFile(reports, []byte("统一社会信用代码,报告年度,提交日期\n91411081MA40000018,2023,2024-03-01\n91411081MA40000018,2024,2025-03-01\n91411081MA40000018,2025,2026-03-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "import", "institutions", "--sheet", "禹州市", filepath.Join(workbooks, "counties.xlsx")); r.code != exitRejected {
		t.Fatalf("import register: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, env, "import", "annual_reports", reports); r.code != 0 {
		t.Fatalf("import reports: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A table with a row that cannot be read (its grade 优) is refused
	// whole, the row named: nothing is filed.
	relative := filepath.Join(workbooks, "附件2-禹州市.xlsx")
	fixture, err := filepath.Abs(relative)
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, env, "import", "summary", relative)
	if r.code != exitFailure || strings.Contains(r.stdout, "filed as") ||
		!strings.Contains(r.stderr, "nothing of the table was filed") ||
		!strings.Contains(r.stderr, "\n  "+fixture+`:8: column 信用等级: unknown value: "优" is not among the accepted values: A, A 级, A级, B, B 级, B级, C, C 级, C级, D, D 级, D级`+"\n") {
		t.Fatalf("import summary of a table with a rejected row: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, env, "report", "reconcile", "--county", "411081"); r.code != 0 || !strings.Contains(r.stdout, "没有符合条件的附件2记录") {
		t.Errorf("reconcile after the table was refused: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The table corrected (优 → B级), imported by a relative path: the
	// file is recorded (and reported) by its absolute one.
	summary := correctedCopy(t, fixture, "D8", "B级")
	here := exec.Command(binary, "import", "summary", filepath.Base(summary))
	here.Dir, here.Env = filepath.Dir(summary), append(os.Environ(), env...)
	r.stdout, r.stderr, r.code, err = runCommand(here)
	if err != nil || r.code != 0 {
		t.Fatalf("import summary: exit %d (%v)\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	for _, want := range []string{
		summary + " → submissions: 4 read, 4 new or changed, 0 unchanged, 0 rejected, 3 skipped (",
		"  header found on row 4 (3 row(s) above it ignored)\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import summary output lacks %q:\n%s", want, r.stdout)
		}
	}

	elsewhere := exec.Command(binary, "report", "reconcile", "--county", "411081")
	elsewhere.Dir, elsewhere.Env = t.TempDir(), append(os.Environ(), env...)
	r.stdout, r.stderr, r.code, err = runCommand(elsewhere)
	if err != nil || r.code != 0 {
		t.Fatalf("reconcile: exit %d (%v)\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	// The table marks 禹州钧才 是否选树 是: with no institution A in
	// force, the rules' 5% allows none.
	want := "禹州市 411081 — 2026-07-31 的附件2（" + summary + "）：4 家，一致 1 家，不一致 1 家，creditsync 未评价 2 家，表格问题 1 处\n" +
		"  表格问题：选树为诚信机构典型 1 家，超过上限 0 家（禹州市 2026-07-31 有效等级为 A 级的机构 0 家的 5%，向下取整）\n" +
		"  91411081MA4000003E 禹州启航人才服务有限公司：报送 A 级，creditsync 评为 C 级\n" +
		"    C5（C 级）连续3年以上未进行年度报告\n" +
		"      - 2024-03-31 年度报告 2023：no report for 2023 submitted by 2026-07-31 (due 2024-03-31)\n" +
		"      - 2025-03-31 年度报告 2024：no report for 2024 submitted by 2026-07-31 (due 2025-03-31)\n" +
		"      - 2026-03-31 年度报告 2025：no report for 2025 submitted by 2026-07-31 (due 2026-03-31)\n" +
		"    B1（B 级）未履行信用承诺\n" +
		"      - — 机构名录 91411081MA4000003E：no signed credit commitment on file\n" +
		"    B3（B 级）未按规定开展行政许可、备案、年度报告、书面报告、统计、接受监督检查\n" +
		"      - 2026-03-31 年度报告 2025：no report for 2025 submitted by its due date 2026-03-31\n" +
		"  2026-07-31 creditsync 未评价（名录中没有，或当日未取得许可）：\n" +
		"    91411081MA4000002B 禹州钧才人力资源有限公司（报送 A 级）\n" +
		"    91411081MA4000004H 禹州同心人力资源有限公司（报送 B 级）\n"
	if r.stdout != want {
		t.Errorf("reconcile output:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = runCLI(t, env, "report", "reconcile", "--county", "411002")
	if r.code != 0 || !strings.Contains(r.stdout, "没有符合条件的附件2记录") {
		t.Errorf("reconcile of a county without a 附件2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, env, "report", "reconcile", "--county", "410100"); r.code != exitUsage {
		t.Errorf("reconcile of a county outside Xuchang: exit %d, want %d", r.code, exitUsage)
	}

	// 禹州市 files a corrected table for the same date: one institution.
	// It replaces the first whole: the three it no longer lists are no
	// longer submitted, and the one creditsync grades is now left out.
	correction := filepath.Join(t.TempDir(), "附件2-禹州市-更正.csv")
	if err := os.WriteFile(correction, []byte("机构名称,统一社会信用代码,信用等级\n禹州市人力资源服务有限公司,91411081MA40000018,B级\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "import", "summary", "--unit", "411081", "--as-of", "2026-07-31", correction); r.code != 0 {
		t.Fatalf("import the corrected summary: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "report", "reconcile", "--county", "411081")
	want = "禹州市 411081 — 2026-07-31 的附件2（" + correction + "）：1 家，一致 1 家，不一致 0 家，漏报 1 家\n" +
		"  creditsync 评价了但附件2未列出（漏报）：\n" +
		"    91411081MA4000003E 禹州启航人才服务有限公司（creditsync C 级）\n"
	if r.code != 0 || strings.TrimRight(r.stdout, "\n") != strings.TrimRight(want, "\n") {
		t.Errorf("reconcile after a corrected table: exit %d\n%s%s\nwant:\n%s", r.code, r.stdout, r.stderr, want)
	}
}

// correctedCopy writes a copy of the workbook at path, the value of cell
// of its first sheet set to value, and returns the copy's path.
func correctedCopy(t *testing.T, path, cell, value string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.SetCellValue(f.GetSheetList()[0], cell, value); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Each flag of the review of a county's table, on 长葛市's 附件2
// (testdata/reconcile): its 合计 line says 共60家 for 6 rows, it lists an
// institution of 禹州市, one USCC twice with different grades, and a row
// whose grade (优) the import rejected. -o writes the same review to a
// file, or fails.
func TestReconcileFlags(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	dir, err := filepath.Abs(filepath.Join("testdata", "reconcile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"institutions", "institutions.csv"}, {"annual_reports", "annual_reports.csv"}} {
		if r := runCLI(t, env, "import", c[0], filepath.Join(dir, c[1])); r.code != 0 {
			t.Fatalf("import %s: exit %d\n%s%s", c[0], r.code, r.stdout, r.stderr)
		}
	}
	// Its row whose grade is 优 refuses it whole, the row named.
	fixture := filepath.Join(dir, "附件2-长葛市.csv")
	if r := runCLI(t, env, "import", "summary", fixture); r.code != exitFailure || !strings.Contains(r.stderr, "\n  "+fixture+`:8: column 信用等级: unknown value: "优"`) {
		t.Fatalf("import summary: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Corrected (优 → A 级), it is filed, and reviewed.
	text, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	sheet := filepath.Join(t.TempDir(), "附件2-长葛市.csv")
	if err := os.WriteFile(sheet, []byte(strings.Replace(string(text), ",优,", ",A 级,", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "import", "summary", sheet); r.code != 0 {
		t.Fatalf("import summary: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runCLI(t, env, "report", "reconcile", "--county", "411082")
	if r.code != 0 {
		t.Fatalf("reconcile: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cases := []struct{ name, want string }{
		{"headline", "长葛市 411082 — 2026-07-31 的附件2（" + sheet + "）：5 家，一致 3 家，不一致 1 家，非本单位机构 1 家，表格问题 2 处\n"},
		{"wrong total", "  表格问题：" + sheet + " 第 12 行合计为共 60 家，表中列出 6 家\n"},
		{"conflicting duplicate", "  表格问题：" + sheet + " 中 91411082MA4000002R 重复且等级不同：第 7 行 A 级、第 11 行 C 级（导入取最后一行）\n"},
		{"the kept line differs", "  91411082MA4000002R 长葛乙人力资源有限公司：报送 C 级，creditsync 评为 A 级\n"},
		{"another county", "  不属于长葛市的机构（应由其所在单位评价和报送，未计入一致）：\n    91411081MA40000091 禹州戊人力资源有限公司（报送 A 级；属禹州市 411081）\n"},
	}
	for _, c := range cases {
		if !strings.Contains(r.stdout, c.want) {
			t.Errorf("%s: the review lacks %q:\n%s", c.name, c.want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "附件2未列出") || strings.Contains(r.stdout, "导入时被拒绝") {
		t.Errorf("an institution is reported as left out, or a row as rejected:\n%s", r.stdout)
	}

	out := filepath.Join(t.TempDir(), "对账.txt")
	if w := runCLI(t, env, "report", "reconcile", "--county", "411082", "-o", out); w.code != 0 || w.stdout != "wrote "+out+"\n" {
		t.Errorf("reconcile -o: exit %d\n%s%s", w.code, w.stdout, w.stderr)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != r.stdout {
		t.Errorf("reconcile -o wrote %q (%v), want the review", b, err)
	}
	if w := runCLI(t, env, "report", "reconcile", "--county", "411082", "-o", filepath.Join(t.TempDir(), "no", "such", "dir.txt")); w.code == 0 {
		t.Errorf("reconcile -o into a missing directory: exit 0")
	}
}

// The files of one import summary command are one filing: a county's
// table sent a page a file is read whole. The next command's filing
// replaces it.
func TestSummaryPagesOfOneFiling(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	dir := t.TempDir()
	page := func(name, rows string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("机构名称,统一社会信用代码,信用等级\n"+rows), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p1 := page("第1页.csv", "禹州甲人力资源有限公司,91411081MA40000018,A\n")
	p2 := page("第2页.csv", "禹州乙人力资源有限公司,91411081MA4000002B,B\n")
	submitted := func() string {
		r := runCLI(t, env, "sql", "--format", "TSV", "SELECT uscc FROM submissions FINAL WHERE (unit_code, as_of, filing) IN (SELECT unit_code, as_of, max(filing) FROM submissions FINAL WHERE filing IN (SELECT filing FROM submission_filings) GROUP BY ALL) ORDER BY uscc")
		return r.stdout
	}
	r := runCLI(t, env, "import", "summary", "--unit", "411081", "--as-of", "2026-07-31", p1, p2)
	if r.code != 0 {
		t.Fatalf("two pages: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := submitted(); got != "91411081MA40000018\n91411081MA4000002B\n" {
		t.Errorf("after one command of two pages: %q, want both", got)
	}
	// Each page says which unit and date it was filed under.
	for _, want := range []string{
		p1 + " → submissions: 1 read",
		"  filed as 禹州市 411081's 附件2 of 2026-07-31 (the date from --as-of): 1 institution(s)\n  禹州市 411081 had no 附件2 of 2026-07-31 before\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the output of two pages lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, env, "import", "summary", "--unit", "411081", "--as-of", "2026-07-31", p2)
	if r.code != 0 {
		t.Fatalf("a correction: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := submitted(); got != "91411081MA4000002B\n" {
		t.Errorf("after a later command: %q, want its one row", got)
	}
	// A correction names the filing it replaces, both its files.
	if want := regexp.MustCompile(`(?m)^  it replaces 禹州市 411081's 附件2 of 2026-07-31 filed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d from ` + regexp.QuoteMeta(p1+", "+p2) + `$`); !want.MatchString(r.stdout) {
		t.Errorf("a correction's output does not name the filing it replaces (%s):\n%s", want, r.stdout)
	}
	// Pages of different dates are not one table: refused, nothing
	// said to be filed, the unit's filing as it was.
	dated := func(name, filed, rows string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("填报单位（盖章）：禹州市人力资源和社会保障局\n填报时间："+filed+"\n机构名称,统一社会信用代码,信用等级\n"+rows), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	d2026 := dated("2026.csv", "2026年7月31日", "禹州甲人力资源有限公司,91411081MA40000018,A\n")
	d2025 := dated("2025.csv", "2025年7月31日", "禹州乙人力资源有限公司,91411081MA4000002B,C\n")
	r = runCLI(t, env, "import", "summary", d2026, d2025)
	if r.code == 0 || !strings.Contains(r.stderr, d2026+" is 禹州市 411081's of 2026-07-31 (填报时间 2026年7月31日); "+d2025+" is 禹州市 411081's of 2025-07-31 (填报时间 2025年7月31日)") ||
		strings.Contains(r.stdout, "filed as") {
		t.Errorf("pages of two dates: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := submitted(); got != "91411081MA4000002B\n" {
		t.Errorf("after pages of two dates refused: %q, want the earlier filing's row", got)
	}
	// A filing whose second file is refused (its own damaged text: a
	// quote never closed, which takes in the line after it) is
	// withdrawn whole: the unit's table stays the earlier filing, not
	// its first page alone.
	bad := filepath.Join(dir, "第2页（损坏）.csv")
	if err := os.WriteFile(bad, []byte("机构名称,统一社会信用代码,信用等级\n禹州乙人力资源有限公司,91411081MA4000002B,B\n\"未闭合,91411081MA40000018,A\n禹州丙人力资源有限公司,91411081MA4000003C,C\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "import", "summary", "--unit", "411081", "--as-of", "2026-07-31", p1, bad)
	if r.code == 0 || !strings.Contains(r.stderr, "withdrawn") {
		t.Fatalf("a filing whose second file fails: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := submitted(); got != "91411081MA4000002B\n" {
		t.Errorf("after a filing that failed part way: %q, want the earlier filing's row", got)
	}
	// A table of another file filed for the same unit and date says
	// how to undo it, were it not a correction.
	r = runCLI(t, env, "import", "summary", d2026)
	if r.code != 0 || !strings.Contains(r.stdout, "from "+p2+" (another file: if this table is not a correction of it, check its 填报时间 and 填报单位, and import the earlier one again") {
		t.Errorf("a table of another file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A name stored with control characters (before imports refused them)
// prints as escapes in the review, the grades and the regrade: printed
// raw, ESC [2J would clear the operator's screen and BEL ring.
func TestStoredControlCharactersAreShownEscaped(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + demoStore(t)}
	// The institution the review lists: the one whose grade 禹州市
	// wrote more leniently.
	r := runCLI(t, env, "report", "reconcile", "--county", "411081")
	m := regexp.MustCompile(`(?m)^  (\w{18}) .*：报送`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("reconcile lists no institution: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	uscc := m[1]
	// grade_history keeps the name each grade was given with (0200).
	for _, table := range []string{"submissions", "institutions", "grade_history"} {
		q := "ALTER TABLE " + table + " UPDATE name = concat(char(27), '[2J', name, char(7)) WHERE uscc = '" + uscc + "' SETTINGS mutations_sync = 1"
		if r := runCLI(t, env, "sql", "--write", q); r.code != 0 {
			t.Fatalf("%s: exit %d %s", q, r.code, r.stderr)
		}
	}
	for _, args := range [][]string{
		{"report", "reconcile", "--county", "411081"},
		{"grades"},
		{"grade"},
	} {
		r := runCLI(t, env, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `\x1b[2J`) {
			t.Errorf("%v: the name is not shown escaped:\n%q", args, r.stdout)
		}
	}
}

// A 附件2 listing a USCC twice with different grades is imported (the
// later line kept, for reconcile to compare), and the import says so:
// which lines, in which columns they differ, and which is kept; a USCC
// listed twice alike keeps its message.
func TestImportSummaryNamesRepeatedUSCC(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	sheet := filepath.Join(t.TempDir(), "附件2.csv")
	if err := os.WriteFile(sheet, []byte("机构名称,统一社会信用代码,信用等级\n"+
		"长葛甲人力资源有限公司,91411082MA4000001N,A级\n"+
		"长葛乙人力资源有限公司,91411082MA4000002R,B级\n"+
		"长葛甲人力资源有限公司,91411082MA4000001N,C级\n"+
		"长葛乙人力资源有限公司,91411082MA4000002R,B级\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, env, "import", "summary", "--unit", "411082", "--as-of", "2026-07-31", sheet)
	if r.code != 0 {
		t.Fatalf("import summary: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		" → submissions: 4 read, 2 new or changed, 0 unchanged, 2 repeated keys (the later line kept, named below), 0 rejected (",
		"  repeated key: " + sheet + `: 统一社会信用代码 91411082MA4000001N is on lines 2 and 4 with different values (they differ in 信用等级): line 4, the last, is kept; dropped from line 2: 信用等级 "A级" (kept: "C级")` + "\n",
		"  repeated key: " + sheet + ": 统一社会信用代码 91411082MA4000002R is on lines 3 and 5, with the same values: line 5 is kept\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import summary output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "alike") {
		t.Errorf("the repeats are called alike:\n%s", r.stdout)
	}
}
