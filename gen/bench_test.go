package gen

import (
	"context"
	"os"
	"testing"

	"github.com/xuchang-hrss/creditsync/storetest"
)

// BenchmarkGenerate measures rows per second of generating a data set in
// the embedded engine: province scale by default (about 2 million rows),
// CREDITSYNC_GEN_SCALE=national for the full one (make bench; the
// command `creditsync gen` prints the same per table).
func BenchmarkGenerate(b *testing.B) {
	name := os.Getenv("CREDITSYNC_GEN_SCALE")
	if name == "" {
		name = "province"
	}
	sc, ok := Scales[name]
	if !ok {
		b.Fatalf("no scale %q", name)
	}
	s := storetest.OpenMigrated(b)
	var rows int64
	b.ResetTimer()
	for range b.N {
		st, err := Generate(context.Background(), s, sc, Options{Seed: 1, AsOf: asOf})
		if err != nil {
			b.Fatal(err)
		}
		rows += st.Rows()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
