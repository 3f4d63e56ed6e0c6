package grade_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func day(s string) time.Time { return gradetest.Day(s) }

// importFiles loads every list of a sample (or a copy in another format)
// through the real file importer, failing on any rejected row.
func importFiles(t *testing.T, s store.Store, files map[string]string) {
	t.Helper()
	for _, l := range contract.Lists() {
		res, err := file.Import(context.Background(), s, l, files[l.Name], file.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rejected > 0 {
			t.Fatalf("%s: %d rows rejected: %v", files[l.Name], res.Rejected, res.Rejects)
		}
	}
}

// loadSample writes a sample and imports it into a fresh store.
func loadSample(t *testing.T, opt sample.Options) (store.Store, sample.Files) {
	t.Helper()
	files, _, err := sample.Write(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.OpenMigrated(t)
	importFiles(t, s, files)
	return s, files
}

func compute(t *testing.T, s store.Store, r *grade.Rules, asOf time.Time) []grade.Result {
	t.Helper()
	res, err := grade.Compute(context.Background(), s, r, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func byUSCC(res []grade.Result) map[string]grade.Result {
	m := make(map[string]grade.Result, len(res))
	for _, r := range res {
		m[r.USCC] = r
	}
	return m
}

// worstOf is the grade the clause IDs give, computed apart from the
// package's own code: A, B, C, D sort in the order of growing severity,
// so the largest first letter is the worst grade.
func worstOf(ids []string) grade.Grade {
	g := "A"
	for _, id := range ids {
		g = max(g, id[:1])
	}
	return grade.Grade(g)
}

func join(ids []string) string { return strings.Join(ids, ";") }

func sameIDs(a, b []string) bool { return slices.Equal(a, b) || (len(a) == 0 && len(b) == 0) }
