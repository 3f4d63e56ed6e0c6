package registered_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/registered"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var (
	codes = []string{"914403001922038216", "91440300708461136T", "9144030071526726XG", "91620105L015101280", "91411023174430174N", ""}
	names = []string{"许昌甲人力资源有限公司", "许昌乙劳务派遣有限公司", "禹州丙人才服务中心"}
	dates = []string{"2025-01-10", "2025-06-01", "2026-02-28"}
)

// batch is one random batch of a list: a header and its records.
func batch(rng *rand.Rand, list string) ([]string, [][]string) {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	n := 1 + rng.IntN(4)
	var header []string
	var rows [][]string
	for range n {
		switch list {
		case "institutions":
			header = []string{"uscc", "name", "licensed_on"}
			rows = append(rows, []string{pick(codes[:5]), pick(names), "2019-03-01"})
		case "penalties":
			header = []string{"record_id", "uscc", "name", "decided_on"}
			rows = append(rows, []string{fmt.Sprintf("许人社罚〔2025〕%d号", rng.IntN(4)), pick(codes), pick(names), pick(dates)})
		case "abnormal", "dishonest":
			header = []string{"uscc", "name", "listed_on", "removed_on"}
			removed := ""
			if rng.IntN(3) == 0 {
				removed = "2026-06-30"
			}
			rows = append(rows, []string{pick(codes), pick(names), pick(dates), removed})
		case "public_eval":
			header = []string{"uscc", "name", "grade", "evaluated_on"}
			rows = append(rows, []string{pick(codes), pick(names), pick([]string{"A", "B", "C", "D"}), pick(dates)})
		}
	}
	return header, rows
}

func loadBatch(t *testing.T, s store.Store, list string, header []string, rows [][]string) {
	t.Helper()
	l, err := contract.Lookup(list)
	if err != nil {
		t.Fatal(err)
	}
	m, err := l.Map(header)
	if err != nil {
		t.Fatal(err)
	}
	records := func(yield func(load.Record, error) bool) {
		for i, r := range rows {
			if !yield(load.Record{Line: i + 2, Fields: r}, nil) {
				return
			}
		}
	}
	res, err := load.Load(context.Background(), s, m, l, load.Source{Name: "test"}, records)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected > 0 {
		t.Fatalf("%s batch %q rejected: %v", list, rows, res.Rejects[0].Errors)
	}
}

func requireComplete(t *testing.T, s store.Store, after string) {
	t.Helper()
	missing, err := registered.Missing(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	for list, n := range missing {
		if n != 0 {
			t.Fatalf("after %s: the copy of %s lacks the latest version of %d keys about registered institutions", after, list, n)
		}
	}
}

// TestCopiesFollowEveryOrderOfLoads: whatever the order in which the
// register and the lists are loaded, and whatever later versions change
// (a decision moved to another enterprise, a listing removed, a name
// without a code), each copy holds the latest version of every entry
// about a registered institution.
func TestCopiesFollowEveryOrderOfLoads(t *testing.T) {
	lists := []string{"institutions", "penalties", "abnormal", "dishonest", "public_eval"}
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			rng := rand.New(rand.NewPCG(seed, 7))
			for step := range 24 {
				list := lists[rng.IntN(len(lists))]
				header, rows := batch(rng, list)
				loadBatch(t, s, list, header, rows)
				requireComplete(t, s, fmt.Sprintf("step %d (%s %q)", step, list, rows))
			}
		})
	}
}

// TestMissingFindsRowsWrittenAroundTheLoader is the negative control of
// the check above: a row written to a list without the loader, about a
// registered institution, is reported, and Refill mends it.
func TestMissingFindsRowsWrittenAroundTheLoader(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	loadBatch(t, s, "institutions", []string{"uscc", "name", "licensed_on"}, [][]string{{codes[0], names[0], "2019-03-01"}})
	if err := s.Exec(ctx, "INSERT INTO abnormal (uscc, name, name_key, listed_on, version) VALUES ({u:String}, 'x', 'x', '2025-01-10', 1)", store.Params{"u": codes[0]}); err != nil {
		t.Fatal(err)
	}
	missing, err := registered.Missing(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if missing["abnormal"] != 1 {
		t.Fatalf("missing = %v, want the abnormal row written around the loader", missing)
	}
	if err := registered.Refill(ctx, s); err != nil {
		t.Fatal(err)
	}
	requireComplete(t, s, "Refill")
}
