package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A register laid out for printing — title, footnote, signatures — loads
// every real row and exits 0; a workbook of county sheets is imported
// sheet by sheet with file[sheet]:row in its messages.
func TestImportPrintedRegisters(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	testdata := filepath.Join("..", "..", "ingest", "file", "testdata")
	csv := filepath.Join(testdata, "institutions", "title_note_signature.csv")
	r := runCLI(t, env, "import", "institutions", csv)
	if r.code != 0 {
		t.Fatalf("import %s: exit %d\n%s%s", csv, r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		csv + " → institutions: 3 read, 3 new or changed, 0 unchanged, 0 rejected, 4 skipped (",
		"  header found on row 3 (1 row(s) above it ignored)\n",
		"  skipped, not records: 1 blank, 1 note (注/说明), 2 signature\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}

	book := filepath.Join(testdata, "workbooks", "counties.xlsx")
	r = runCLI(t, env, "import", "institutions", book)
	if r.code != exitRejected {
		t.Fatalf("import %s: exit %d, want %d\n%s%s", book, r.code, exitRejected, r.stdout, r.stderr)
	}
	for _, want := range []string{
		book + "[魏都区] → institutions: 2 read, 2 new or changed, 0 unchanged, 0 rejected (batch ",
		book + "[禹州市] → institutions: 3 read, 2 new or changed, 0 unchanged, 1 rejected, 1 skipped (batch ",
		"  " + book + "[禹州市]:4: column 许可日期: invalid date: \"2021-13-01\"",
		"  " + book + "[长葛市]:4: column 统一社会信用代码: missing required field: uscc (统一社会信用代码) is required\n",
		book + "[填表说明]: skipped, no table of the list institutions: no row among the first 20 names its columns",
		book + ": 3 sheets, 7 read, 5 new or changed, 0 unchanged, 2 rejected, 3 skipped (",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, env, "import", "institutions", "--sheet", "长葛市", book)
	if r.code != exitRejected || !strings.Contains(r.stdout, "[长葛市] → institutions: 2 read, 0 new or changed, 1 unchanged, 1 rejected, 2 skipped") {
		t.Errorf("--sheet 长葛市: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A register without some of the contract's columns keeps what is stored
// in them, and says so, naming the columns as the bureau heads them.
func TestImportNamesTheColumnsItKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	full := filepath.Join(dir, "full.csv")
	narrow := filepath.Join(dir, "narrow.csv")
	for f, text := range map[string]string{
		full:   "统一社会信用代码,机构名称,区县代码,许可日期,承诺书签订日期\n914403001922038216,许昌甲人力资源有限公司,411081,2020-01-01,2023-07-01\n",
		narrow: "统一社会信用代码,机构名称,许可日期\n914403001922038216,许昌甲新名人力资源有限公司,2020-01-01\n",
	} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out string
	for _, f := range []string{full, narrow} {
		r := runCLI(t, env, "import", "institutions", f)
		if r.code != 0 {
			t.Fatalf("import %s: exit %d\n%s%s", f, r.code, r.stdout, r.stderr)
		}
		out = r.stdout
	}
	if want := "  not in the file, so records already stored keep their values there (new ones take the defaults): 区县代码 (county_code), 许可证编号 (license_no), 许可状态 (license_status), 状态变更日期 (license_status_on), 承诺书签订日期 (commitment_signed_on), 失联起始日期 (lost_contact_since)\n"; !strings.Contains(out, want) {
		t.Errorf("the narrow register's output lacks %q:\n%s", want, out)
	}
	r := runCLI(t, env, "sql", "--format", "tsv", "SELECT name, county_code, commitment_signed_on FROM institutions FINAL")
	if want := "许昌甲新名人力资源有限公司\t411081\t2023-07-01\n"; !strings.HasSuffix(r.stdout, want) {
		t.Errorf("stored after the narrow register:\n%s%s\nwant %q", r.stdout, r.stderr, want)
	}
}

// A misspelt header (承诺书签定日期 for 承诺书签订日期) is kept as an extra
// column, as any unknown one, and the import exits 0; but it asks
// whether the column the file lacks was meant, and says the stored
// values were kept (on a first load, with nothing stored, it asks only).
func TestImportAsksAboutAMisspeltColumn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	full := filepath.Join(dir, "full.csv")
	misspelt := filepath.Join(dir, "misspelt.csv")
	for f, text := range map[string]string{
		full:     "统一社会信用代码,机构名称,许可日期,许可证号,承诺书签订日期\n914403001922038216,许昌甲人力资源有限公司,2020-01-01,ABC-1,2023-07-01\n",
		misspelt: "统一社会信用代码,机构名称,许可日期,许可证号,承诺书签定日期,联系人\n914403001922038216,许昌甲人力资源有限公司,2020-01-01,ABC-1,2026-11-01,张三\n",
	} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ask := "  column 承诺书签定日期 is kept as extra: did you mean 承诺书签订日期 (commitment_signed_on)?"
	for _, step := range []struct {
		file, want string
	}{
		{misspelt, ask + "\n"},
		{full, ""},
		{misspelt, ask + " The file has no such column, so stored values were kept\n"},
	} {
		r := runCLI(t, env, "import", "institutions", step.file)
		if r.code != 0 {
			t.Fatalf("import %s: exit %d\n%s%s", step.file, r.code, r.stdout, r.stderr)
		}
		if got := strings.Contains(r.stdout, ask); got != (step.want != "") || !strings.Contains(r.stdout, step.want) {
			t.Errorf("import %s: output lacks %q, or asks where it should not:\n%s", step.file, step.want, r.stdout)
		}
		if strings.Contains(r.stdout, "联系人 is kept") {
			t.Errorf("import %s: asks about 联系人, which resembles no column:\n%s", step.file, r.stdout)
		}
	}
	r := runCLI(t, env, "sql", "--format", "tsv", "SELECT commitment_signed_on FROM institutions FINAL")
	if want := "2023-07-01\n"; !strings.HasSuffix(r.stdout, want) {
		t.Errorf("stored after the misspelt register:\n%s%s\nwant %q", r.stdout, r.stderr, want)
	}
}

// The import names the keys several records hold alike, and rejects
// those whose records differ, each naming the others: the later line,
// the later sheet was kept by its order alone, and a value (拒不整改 是)
// was lost, a cancelled licence made valid again.
func TestImportNamesRepeatedKeys(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	keys := filepath.Join("..", "..", "ingest", "file", "testdata", "keys")
	r := runCLI(t, env, "import", "institutions="+filepath.Join(keys, "two_county.xlsx"), "inspections="+filepath.Join(keys, "repeated.csv"))
	if r.code != exitRejected {
		t.Fatalf("import: exit %d, want %d\n%s%s", r.code, exitRejected, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"1 repeated keys (alike: one kept)",
		"repeated key: " + filepath.Join(keys, "repeated.csv") + `: 记录编号 JC-005 is on lines 3 and 5, with the same values: line 5 is kept`,
		filepath.Join(keys, "repeated.csv") + `:2: repeated key: record 记录编号 JC-004 is given twice with different values: line 2 and line 4 (they differ in 拒不整改, 备注)`,
		filepath.Join(keys, "repeated.csv") + `:4: repeated key: record 记录编号 JC-004 is given twice with different values: line 2 and line 4`,
		filepath.Join(keys, "two_county.xlsx") + `[禹州市]:2: repeated key: record 统一社会信用代码 91411082MA4000010L is given twice with different values: [长葛市] line 2 and [禹州市] line 2 (they differ in 机构名称, 区县代码, 许可证编号, 承诺书签订日期)`,
		filepath.Join(keys, "two_county.xlsx") + `[长葛市]:2: repeated key: record 统一社会信用代码 91411082MA4000010L`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// A corrected file imported with --replaces BATCH (the batch the wrong
// file's import printed) withdraws what the wrong file wrote and the
// corrected one lacks, and prints it; a listing under a mistyped date no
// longer lowers the grade.
func TestImportCorrectedFileReplacesTheWrongOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	files := map[string]string{
		"reg.csv":   "统一社会信用代码,机构名称,区县代码,许可日期\n914403001922038216,许昌甲人力资源有限公司,411002,2020-01-01\n",
		"wrong.csv": "统一社会信用代码,企业名称,列入日期,列入原因\n914403001922038216,许昌甲人力资源有限公司,2026-10-01,未按规定公示年度报告\n",
		"fixed.csv": "统一社会信用代码,企业名称,列入日期,列入原因,移出日期\n914403001922038216,许昌甲人力资源有限公司,2025-10-01,未按规定公示年度报告,2025-11-01\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r := runCLI(t, env, "import", "institutions", filepath.Join(dir, "reg.csv")); r.code != 0 {
		t.Fatalf("import the register: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runCLI(t, env, "import", "abnormal", filepath.Join(dir, "wrong.csv"))
	batch := regexp.MustCompile(`batch (\S+)\)`).FindStringSubmatch(r.stdout)
	if r.code != 0 || batch == nil {
		t.Fatalf("import the wrong file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "import", "abnormal", filepath.Join(dir, "fixed.csv"), "--replaces", batch[1])
	if r.code != 0 || !strings.Contains(r.stdout, "withdrawn, written by the batch this file replaces and not in it: 1 record(s): 914403001922038216 / 许昌甲人力资源有限公司 / 2026-10-01\n") {
		t.Errorf("import the corrected file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "grade", "--as-of", "2026-10-15", "--format", "csv")
	if r.code != 0 || !strings.Contains(r.stdout, "914403001922038216") || strings.Contains(r.stdout, "C6") {
		t.Errorf("graded after the correction: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, env, "import", "abnormal", filepath.Join(dir, "fixed.csv"), filepath.Join(dir, "wrong.csv"), "--replaces", batch[1]); r.code != exitUsage {
		t.Errorf("--replaces with two files: exit %d, want a usage error\n%s", r.code, r.stderr)
	}
}
