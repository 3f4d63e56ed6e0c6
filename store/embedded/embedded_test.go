package embedded_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestContract(t *testing.T) {
	storetest.RunContract(t, func(t testing.TB) store.Store { return storetest.OpenEmbedded(t) })
}

// TestInsertSpansChunks inserts more than two chunks' worth of text: the
// chunks spill to their files while they are encoded, and every row of
// every chunk arrives once.
func TestInsertSpansChunks(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenEmbedded(t)
	if err := s.Exec(ctx, `CREATE TABLE big (n UInt32, body String) ENGINE = MergeTree ORDER BY n`, nil); err != nil {
		t.Fatal(err)
	}
	const total = 100_000
	body := strings.Repeat("许昌\t人力资源\\", 40) // escaped in TSV; ~500 bytes a row
	rows := func(yield func([]any, error) bool) {
		for i := range total {
			if !yield([]any{uint32(i), body + strconv.Itoa(i)}, nil) {
				return
			}
		}
	}
	n, err := s.Insert(ctx, "big", []string{"n", "body"}, rows)
	if err != nil || n != total {
		t.Fatalf("Insert: %d rows, %v", n, err)
	}
	var count, distinct, sum uint64
	var width uint64
	if err := store.QueryRow(ctx, s, "SELECT count(), uniqExact(n), sum(n), min(length(body)) FROM big", nil, &count, &distinct, &sum, &width); err != nil {
		t.Fatal(err)
	}
	if count != total || distinct != total || sum != total*(total-1)/2 || width != uint64(len(body)+1) {
		t.Errorf("count %d distinct %d sum %d shortest body %d", count, distinct, sum, width)
	}
}
