package file_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A record id typed as '0001 (Excel's mark for text) or ="0001" is the
// record 0001: imported after it, each replaces it, never adds a second
// record (one violation counted twice).
func TestCodeWithExcelsTextMarkIsOneRecord(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	l, err := contract.Lookup("inspections")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, severity string }{
		{"inspection_0001.csv", "minor"},
		{"inspection_apostrophe.csv", "serious"},
		{"inspection_formula.csv", "major"},
	} {
		res, err := file.Import(ctx, s, l, filepath.Join("testdata", "keys", tt.file), file.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rejected != 0 || res.Loaded != 1 {
			t.Fatalf("%s: loaded %d, rejected %d %v; want the record loaded", tt.file, res.Loaded, res.Rejected, res.Rejects)
		}
		var ids []string
		var severity string
		if err := store.QueryRow(ctx, s, "SELECT groupArray(record_id), any(severity) FROM inspections FINAL", nil, &ids, &severity); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || ids[0] != "0001" || severity != tt.severity {
			t.Errorf("after %s: records %q, severity %s; want one record 0001, %s", tt.file, ids, severity, tt.severity)
		}
	}
}

// A row of sums with its count alone under the USCC (合计 | 1) is
// skipped as a total, in a workbook, in a GBK CSV with a two-row header,
// in UTF-16 text and in a CSV the engine reads (the fast import): not
// rejected for an invalid USCC "1". So is one whose label stands in the
// key column itself, first as the contract orders the columns (合计 | |
// under 统一社会信用代码 or 记录编号, 合计 | 1 | under both): not rejected
// for an invalid USCC or record id "合计"; and with a 序号 first.
func TestTotalWithABareCountIsSkipped(t *testing.T) {
	s := storetest.OpenMigrated(t)
	for _, tt := range []struct {
		list, file string
		totals     int64
	}{
		{"institutions", "total.xlsx", 1},
		{"institutions", "twohdr.csv", 1},
		{"institutions", "twohdr.txt", 1},
		{"institutions", "total.csv", 1},
		{"institutions", "key_first.csv", 2},
		{"inspections", "inspections_1.csv", 1},
		{"inspections", "inspections_2.csv", 1},
		{"inspections", "inspections_3.csv", 1},
		{"inspections", "inspections_4.csv", 1},
		{"inspections", "inspections_5.csv", 1},
	} {
		t.Run(tt.file, func(t *testing.T) {
			l, err := contract.Lookup(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "totals", tt.file)
			emptyImports(t, s)
			before := file.FastImports.Load()
			res, err := file.Import(context.Background(), s, l, path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.file == "total.csv" && file.FastImports.Load() == before {
				t.Errorf("the engine did not read %s", tt.file)
			}
			if res.Rejected != 0 || res.Valid == 0 || res.Sheets[0].Skipped[file.SkipTotal] != tt.totals {
				t.Errorf("%d valid, %d rejected %v, skipped %v; want the records and %d total(s) skipped", res.Valid, res.Rejected, res.Rejects, res.Sheets[0].Skipped, tt.totals)
			}
			fast, slow := importWays(t, s, l, path, file.ImportOptions{})
			compareImports(t, fast, slow)
		})
	}
}

// A key that several records of one import hold with different values
// rejects each of them, naming the others and the columns they differ
// in: the load kept the later line, and across the sheets of a workbook
// the later sheet's record, by their order alone (a sheet 2025年 after
// 2026年 made a cancelled licence valid again). Records alike are one,
// and named.
func TestRepeatsAreNamed(t *testing.T) {
	s := storetest.OpenMigrated(t)
	for _, tt := range []struct {
		list, file string
		want       []string
		rejects    int            // records rejected
		rejected   map[int]string // their lines → the detail's beginning
	}{
		{"inspections", "repeated.csv", []string{
			`记录编号 JC-005 is on lines 3 and 5, with the same values: line 5 is kept`,
		}, 2, map[int]string{
			2: "record 记录编号 JC-004 is given twice with different values: line 2 and line 4 (they differ in 拒不整改, 备注)",
			4: "record 记录编号 JC-004 is given twice with different values: line 2 and line 4 (they differ in 拒不整改, 备注)",
		}},
		{"annual_reports", "repeated_reports.csv", nil, 2, map[int]string{
			2: "record uscc 91411002MA4000010Q, year 2023 is given twice with different values: line 2 and line 4 (they differ in submitted_on)",
			4: "record uscc 91411002MA4000010Q, year 2023 is given twice with different values: line 2 and line 4 (they differ in submitted_on)",
		}},
		{"institutions", "two_county.xlsx", nil, 2, map[int]string{ // line 2 of each sheet
			2: "record 统一社会信用代码 91411082MA4000010L is given twice with different values: [长葛市] line 2 and [禹州市] line 2 (they differ in 机构名称, 区县代码, 许可证编号, 承诺书签订日期)",
		}},
		{"institutions", "unique.csv", nil, 0, nil},
	} {
		t.Run(tt.file, func(t *testing.T) {
			emptyImports(t, s)
			l, err := contract.Lookup(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "keys", tt.file)
			res, err := file.Import(context.Background(), s, l, path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			reps, err := file.Repeats(context.Background(), l, res, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range reps {
				got = append(got, strings.TrimPrefix(r.String(), path+": "))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("repeats:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			// The count the load gives is the records dropped within a sheet.
			var dropped int64
			for _, r := range reps {
				if r.Places[0].Sheet == r.Places[len(r.Places)-1].Sheet {
					dropped += int64(len(r.Places) - 1)
				}
			}
			if dropped != res.Duplicates {
				t.Errorf("repeats drop %d records within a sheet, the load counted %d", dropped, res.Duplicates)
			}
			rejected := 0
			for _, rj := range res.Rejects {
				want, ok := tt.rejected[rj.Line]
				if !ok || len(rj.Errors) != 1 || rj.Errors[0].Reason != contract.ReasonRepeated || !strings.HasPrefix(rj.Errors[0].Detail, want) {
					t.Errorf("line %d rejected: %v; want %q", rj.Line, rj.Errors, want)
				}
				rejected++
			}
			if rejected != tt.rejects || res.Rejected != int64(tt.rejects) {
				t.Errorf("%d records rejected (counted %d), want %d", rejected, res.Rejected, tt.rejects)
			}
		})
	}
}
