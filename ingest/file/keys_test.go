package file_test

import (
	"context"
	"path/filepath"
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
// rejected for an invalid USCC "1".
func TestTotalWithABareCountIsSkipped(t *testing.T) {
	s := storetest.OpenMigrated(t)
	l, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"total.xlsx", "twohdr.csv", "twohdr.txt", "total.csv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "totals", name)
			emptyImports(t, s)
			before := file.FastImports.Load()
			res, err := file.Import(context.Background(), s, l, path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if name == "total.csv" && file.FastImports.Load() == before {
				t.Errorf("the engine did not read %s", name)
			}
			if res.Rejected != 0 || res.Valid == 0 || res.Sheets[0].Skipped[file.SkipTotal] != 1 {
				t.Errorf("%d valid, %d rejected %v, skipped %v; want the records and the total skipped", res.Valid, res.Rejected, res.Rejects, res.Sheets[0].Skipped)
			}
			fast, slow := importWays(t, s, l, path, file.ImportOptions{})
			compareImports(t, fast, slow)
		})
	}
}
