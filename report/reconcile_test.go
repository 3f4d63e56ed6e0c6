package report_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// digitCodes returns n valid USCCs of 长葛市 made of digits only: the
// codes a spreadsheet turns into numbers.
func digitCodes(n int) []string {
	var out []string
	for serial := 0; len(out) < n; serial++ {
		first := fmt.Sprintf("91411082%04d31415", serial) // apart within 16 digits
		c, err := transform.USCCCheckChar(first)
		if err != nil {
			panic(err)
		}
		if c >= '0' && c <= '9' {
			out = append(out, first+string(c))
		}
	}
	return out
}

// A row of a 附件2 the import rejected is reported as rejected, not also
// as an institution the county left out, when it can be told whose it
// is: by its USCC, by a code the spreadsheet stored as a number that
// fits one of the unit's institutions, or by its name. A row that
// cannot be told is said to be so, beside the institutions it may be.
// A table with rejected rows is now refused whole; a store holds such
// filings from before, filed without those rows, and they are reviewed so.
func TestReconcileRejectedRowsAreNotLeftOut(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	codes := digitCodes(3)
	inst := [][]string{
		{"91411082MA4000001N", "长葛甲人力资源有限公司"},
		{codes[0], "长葛乙人力资源有限公司"},
		{codes[1], "长葛丙人力资源有限公司"},
		{codes[2], "长葛丁人力资源有限公司"},
		{"91411082MA4000002R", "长葛戊人力资源有限公司"},
	}
	register := [][]string{{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"}}
	for _, in := range inst {
		register = append(register, []string{in[0], in[1], "411082", "2024-06-01", "2024-06-01"})
	}
	importRows(t, s, "institutions", register)

	// What a float of the code prints, to 16 digits (openpyxl, pandas).
	asNumber := func(code string) string {
		var v float64
		fmt.Sscan(code, &v)
		return fmt.Sprintf("%.15e", v)
	}
	rows := []struct {
		cells []string
		want  string // what the rejected listing says of the row
	}{
		{[]string{inst[0][1], inst[0][0], "A级"}, ""},
		{[]string{inst[1][1], asNumber(codes[0]), "A级"},
			"第 3 行 " + codes[0] + " 长葛乙人力资源有限公司（据以数字存储的统一社会信用代码认定） 统一社会信用代码：code stored as a number"},
		{[]string{"长葛丙人力资源有限公司", "", "A级"},
			"第 4 行 " + codes[1] + " 长葛丙人力资源有限公司（据机构名称认定） 统一社会信用代码：missing required field"},
		{[]string{"长葛戊人力资源有限公司", "91411082MA4000002R", "优"},
			"第 5 行 91411082MA4000002R 信用等级：unknown value"},
		// 9.1E+17 fits every code of digits, and no institution is so named.
		{[]string{"长葛某人力资源有限公司", "9.1E+17", "B级"},
			"第 6 行 （无法确定是哪家机构） 统一社会信用代码：code stored as a number"},
	}
	text := "机构名称,统一社会信用代码,信用等级\n"
	for _, r := range rows {
		text += strings.Join(r.cells, ",") + "\n"
	}
	path := filepath.Join(t.TempDir(), "附件2-长葛市.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	day := reporttest.Day("2026-07-31")
	_, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{Unit: "411082", AsOf: day})
	if !errors.Is(err, file.ErrRowsRejected) || strings.Count(err.Error(), "\n  "+path+":") != 4 {
		t.Fatalf("import: %v, want the table refused naming its 4 rejected rows", err)
	}
	// The filing an earlier version made of it: the row it read, its
	// rejects those of its batch (the one just refused).
	for _, q := range []string{
		"INSERT INTO submissions (uscc, name, grade, unit_code, as_of, filing, source_ref) VALUES ({uscc:String}, {name:String}, 'A', '411082', {day:Date}, '', {ref:String})",
		"INSERT INTO submission_tables (filing, unit_code, as_of, source_ref, recorded_at) VALUES ('', '411082', {day:Date}, {ref:String}, now64(3))",
	} {
		if err := s.Exec(ctx, q, store.Params{"uscc": inst[0][0], "name": inst[0][1], "day": day, "ref": path}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := report.Reconcile(ctx, &out, s, grade.DefaultRules(), "411082", day); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, r := range rows {
		if r.want != "" && !strings.Contains(got, "    "+path+" "+r.want) {
			t.Errorf("the review lacks %q:\n%s", r.want, got)
		}
	}
	// Left out: 长葛丁, which no row names, and which the row that
	// cannot be told may be.
	left := "  creditsync 评价了但附件2未列出（漏报）：\n" +
		"    （导入时被拒绝的 " + path + " 第 6 行 无法确定是哪家机构，可能是下列之一）\n" +
		"    " + codes[2] + " 长葛丁人力资源有限公司（creditsync "
	if !strings.Contains(got, left) || strings.Count(got, "（creditsync ") != 1 || !strings.Contains(got, "，漏报 1 家") {
		t.Errorf("the review's left out are not 长葛丁 alone:\n%s\nwant\n%s", got, left)
	}
}

// A table refused for its rejected rows leaves the unit's filing as it
// was, and the review of that filing as it was: the refused table, saved
// over the filed file under its name, left its rejects in import_rejects
// under that name, and reconcile took the latest batch of the name's for
// the filing's, listing rows the filed table never had as rejected.
func TestReconcileKeepsTheFilingATableRefusedWouldReplace(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{"91411082MA4000001N", "长葛甲人力资源有限公司", "411082", "2024-06-01", "2024-06-01"},
		{"91411082MA4000002R", "长葛戊人力资源有限公司", "411082", "2024-06-01", "2024-06-01"},
	})
	path := filepath.Join(t.TempDir(), "附件2-长葛市.csv")
	write := func(grade string) {
		text := "机构名称,统一社会信用代码,信用等级\n长葛甲人力资源有限公司,91411082MA4000001N," + grade + "\n长葛戊人力资源有限公司,91411082MA4000002R," + grade + "\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	day := reporttest.Day("2026-07-31")
	review := func() string {
		var out bytes.Buffer
		if err := report.Reconcile(ctx, &out, s, grade.DefaultRules(), "411082", day); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	write("B级") // as creditsync grades them: no annual report for 2025
	if _, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{Unit: "411082", AsOf: day}); err != nil {
		t.Fatal(err)
	}
	want := review()
	if !strings.Contains(want, "：2 家，一致 2 家，不一致 0 家\n") {
		t.Fatalf("the filing's review:\n%s\nwant 2 institutions, both agreeing", want)
	}
	write("优")
	if _, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{Unit: "411082", AsOf: day}); !errors.Is(err, file.ErrRowsRejected) {
		t.Fatalf("import of the table whose every grade is 优: %v, want ErrRowsRejected", err)
	}
	// As before, but for the note that the file was saved over.
	if got := review(); !strings.HasPrefix(got, want) || strings.Contains(got, "导入时被拒绝") || !strings.Contains(got, "在导入后已被修改") {
		t.Errorf("the review after a table refused:\n%s\nwant it as before, noting that the file changed:\n%s", got, want)
	}
}

// The checks of a table itself (its 合计 line, a USCC listed twice with
// different grades) are of the table filed, as the import read it, not of
// the file at its path: a clerk who saved another table over the filed
// file without importing it got a review that mixed the two — a 合计
// problem the filed table does not have, a repeat it has not reported.
// The review says the file has changed since, or is gone.
func TestReconcileChecksTheTableFiled(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{"91411082MA4000001N", "长葛甲人力资源有限公司", "411082", "2024-06-01", "2024-06-01"},
		{"91411082MA4000002R", "长葛戊人力资源有限公司", "411082", "2024-06-01", "2024-06-01"},
	})
	day := reporttest.Day("2026-07-31")
	dir := t.TempDir()
	table := func(name string, rows ...string) string {
		path := filepath.Join(dir, name)
		text := "机构名称,统一社会信用代码,信用等级\n" + strings.Join(rows, "\n") + "\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	review := func() string {
		var out bytes.Buffer
		if err := report.Reconcile(ctx, &out, s, grade.DefaultRules(), "411082", day); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	const (
		jia   = "长葛甲人力资源有限公司,91411082MA4000001N,B级"
		wu    = "长葛戊人力资源有限公司,91411082MA4000002R,B级"
		wuA   = "长葛戊人力资源有限公司,91411082MA4000002R,A级"
		total = "合计：共2家,,"
	)
	for _, c := range []struct {
		name         string
		filed, later []string // the table filed, the one saved over it (nil: the file deleted)
		want, not    []string
	}{
		{"a 合计 line wrong only in the file saved over", []string{jia, wu, total}, []string{jia, wu, "合计：共3家,,"},
			[]string{"：2 家，一致 2 家，不一致 0 家\n", "在导入后已被修改"}, []string{"表格问题"}},
		{"a repeat of the table filed, the file saved over without it", []string{jia, wuA, wu}, []string{jia, wu},
			[]string{"：2 家，一致 2 家，不一致 0 家，表格问题 1 处\n", "中 91411082MA4000002R 重复且等级不同：第 3 行 A 级、第 4 行 B 级（导入取最后一行）", "在导入后已被修改"}, nil},
		{"the file deleted", []string{jia, wuA, wu}, nil,
			[]string{"表格问题 1 处\n", "重复且等级不同", "在导入后已不存在"}, []string{"已被修改"}},
		{"the file as filed", []string{jia, wu, "合计：共3家,,"}, []string{jia, wu, "合计：共3家,,"},
			[]string{"第 4 行合计为共 3 家，表中列出 2 家"}, []string{"注意"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := table(strings.ReplaceAll(c.name, " ", "-")+".csv", c.filed...)
			if _, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{Unit: "411082", AsOf: day}); err != nil {
				t.Fatal(err)
			}
			if c.later != nil {
				table(filepath.Base(path), c.later...)
			} else if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			got := review()
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("the review lacks %q:\n%s", w, got)
				}
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("the review says %q:\n%s", n, got)
				}
			}
		})
	}
}
