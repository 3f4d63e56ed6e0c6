package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The city reviews a county's 附件2: 禹州市 submitted B for an institution
// creditsync grades B too, A for one it grades C (the deliberate
// disagreement), and A for one not in the register.
func TestImportSummaryAndReconcile(t *testing.T) {
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
	summary := filepath.Join(workbooks, "附件2-禹州市.xlsx")
	r := runCLI(t, env, "import", "summary", summary)
	if r.code != exitRejected {
		t.Fatalf("import summary: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		summary + " → submissions: 4 read, 3 new or changed, 0 unchanged, 1 rejected, 3 skipped (",
		"  header found on row 4 (3 row(s) above it ignored)\n",
		"  " + summary + `:8: column 信用等级: unknown value: "优" is not a grade; accepted: a, a 级, a级, b, b 级, b级, c, c 级, c级, d, d 级, d级` + "\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import summary output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = runCLI(t, env, "report", "reconcile", "--county", "411081")
	if r.code != 0 {
		t.Fatalf("reconcile: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := "禹州市 411081 — 附件2 with the grades of 2026-07-31 (" + summary + "): 3 institutions, 1 agree, 1 differ, 1 not graded by creditsync\n" +
		"  91411081MA4000003E 禹州启航人才服务有限公司: submitted A, creditsync C\n" +
		"    C5 (C) 连续3年以上未进行年度报告\n" +
		"      - 2024-03-31 annual_report 2023: no report for 2023 submitted by 2026-07-31 (due 2024-03-31)\n" +
		"      - 2025-03-31 annual_report 2024: no report for 2024 submitted by 2026-07-31 (due 2025-03-31)\n" +
		"      - 2026-03-31 annual_report 2025: no report for 2025 submitted by 2026-07-31 (due 2026-03-31)\n" +
		"    B1 (B) 未履行信用承诺\n" +
		"      - — institution 91411081MA4000003E: no signed credit commitment on file\n" +
		"    B3 (B) 未按规定开展行政许可、备案、年度报告、书面报告、统计、接受监督检查\n" +
		"      - 2026-03-31 annual_report 2025: no report for 2025 submitted by its due date 2026-03-31\n" +
		"  not graded by creditsync on 2026-07-31 (not in its register, or not licensed that day):\n" +
		"    91411081MA4000002B 禹州钧才人力资源有限公司 (submitted A)\n"
	if r.stdout != want {
		t.Errorf("reconcile output:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = runCLI(t, env, "report", "reconcile", "--county", "411002")
	if r.code != 0 || !strings.Contains(r.stdout, "no 附件2 recorded for this selection") {
		t.Errorf("reconcile of a county without a 附件2: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, env, "report", "reconcile", "--county", "410100"); r.code != exitUsage {
		t.Errorf("reconcile of a county outside Xuchang: exit %d, want %d", r.code, exitUsage)
	}
}
