package file_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// writeInspections writes n generated inspection records as CSV.
func writeInspections(tb testing.TB, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "record_id,uscc,kind,severity,handled_on,rectified_on,refused,authority,measure,description")
	for i := range n {
		fmt.Fprintf(w, "R%08d,914403001922038216,violation,minor,2023-0%d-1%d,,否,许昌市人社局,责令限期整改,说明%d\n", i, 1+i%9, i%9, i)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}

// BenchmarkImportCSV measures rows per second of a CSV import into the
// embedded engine (make bench; the target is 200,000 rows/s).
func BenchmarkImportCSV(b *testing.B) {
	const rows = 200_000
	path := filepath.Join(b.TempDir(), "inspections.csv")
	writeInspections(b, path, rows)
	list, _ := contract.Lookup("inspections")
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := storetest.OpenMigrated(b)
		b.StartTimer()
		res, err := file.Import(context.Background(), s, list, path, file.ImportOptions{})
		if err != nil || res.Loaded != rows {
			b.Fatalf("loaded %d: %v", res.Loaded, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
