package load_test

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func reportBatch(n int) iter.Seq2[load.Record, error] {
	codes := []string{"914403001922038216", "91440300708461136T", "9144030071526726XG", "91620105L015101280", "91411023174430174N"}
	return func(yield func(load.Record, error) bool) {
		for i := range n {
			year := 1990 + (i/len(codes))%100 // 500 keys, each repeated; the last line wins
			if !yield(load.Record{Line: i + 2, Fields: []string{codes[i%len(codes)], fmt.Sprint(year), fmt.Sprintf("%d-03-01", year+1)}}, nil) {
				return
			}
		}
	}
}

// distinctReports is a batch of n (at most 100) annual reports with no
// key repeated, which a first load attaches without change detection.
func distinctReports(n int) iter.Seq2[load.Record, error] {
	return func(yield func(load.Record, error) bool) {
		for i := range min(n, 100) {
			year := 1990 + i
			if !yield(load.Record{Line: i + 2, Fields: []string{"914403001922038216", fmt.Sprint(year), fmt.Sprintf("%d-03-01", year+1)}}, nil) {
				return
			}
		}
	}
}

// TestBatchLandsWhole: change detection runs in several parts, but a
// reader polling the list's table while the batch loads sees none of it
// or all of it, never some, and the batch has its import_batches row.
func TestBatchLandsWhole(t *testing.T) {
	defer load.SetRowsPerPart(1000)()
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("annual_reports")
	m, _ := list.Map([]string{"uscc", "year", "submitted_on"})

	seen := map[int64]bool{}
	done := make(chan struct{})
	polled := make(chan error, 1)
	go func() {
		defer close(polled)
		for {
			n, err := store.Count(ctx, s, "SELECT count() FROM annual_reports SETTINGS final = 0", nil)
			if err != nil {
				polled <- err
				return
			}
			seen[n] = true
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	res, err := load.Load(ctx, s, m, list, load.Source{Name: "test"}, reportBatch(60000))
	close(done)
	if perr := <-polled; perr != nil {
		t.Fatal(perr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 500 || res.Duplicates != 60000-500 {
		t.Fatalf("loaded %d with %d duplicates, want 500 and %d", res.Loaded, res.Duplicates, 60000-500)
	}
	for n := range seen {
		if n != 0 && n != 500 {
			t.Errorf("a reader saw %d rows of the batch of 500 (it saw %v)", n, seen)
		}
	}
	var status string
	var loaded uint64
	if err := store.QueryRow(ctx, s, "SELECT status, rows_loaded FROM import_batches WHERE batch_id = {b:String}", store.Params{"b": res.BatchID}, &status, &loaded); err != nil {
		t.Fatal(err)
	}
	if status != "ok" || loaded != 500 {
		t.Errorf("import_batches: %s, %d loaded", status, loaded)
	}
	n, err := store.Count(ctx, s, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE '\\_%'", nil)
	if err != nil || n != 0 {
		t.Errorf("%d work tables left behind (%v)", n, err)
	}
}

// failing is the real store with one statement made to fail, as a lost
// connection or a full disk would at that point.
type failing struct {
	store.Store
	match string
}

func (f failing) Exec(ctx context.Context, q string, p store.Params) error {
	if strings.Contains(q, f.match) {
		return fmt.Errorf("injected failure of %q", f.match)
	}
	return f.Store.Exec(ctx, q, p)
}

// TestFailureMidwayLeavesNothingVisible: whether change detection fails
// after some parts or the final move fails, no row of the batch is in the
// list's table, and the batch is recorded as failed (or not at all).
func TestFailureMidwayLeavesNothingVisible(t *testing.T) {
	defer load.SetRowsPerPart(1000)()
	ctx := context.Background()
	list, _ := contract.Lookup("annual_reports")
	m, _ := list.Map([]string{"uscc", "year", "submitted_on"})
	for _, tt := range []struct {
		fail, wantStatus string
		batch            iter.Seq2[load.Record, error]
	}{
		{"% {parts:UInt64} = {part:UInt64}", "", reportBatch(6000)}, // every comparison part
		{"ATTACH PARTITION", "failed", reportBatch(6000)},           // the ready rows to the list's table
		{"ATTACH PARTITION", "failed", distinctReports(100)},        // a first load's stage to the list's table
	} {
		s := storetest.OpenMigrated(t)
		_, err := load.Load(ctx, failing{s, tt.fail}, m, list, load.Source{Name: "test"}, tt.batch)
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("failing %q: Load = %v, want the failure", tt.fail, err)
		}
		n, err := store.Count(ctx, s, "SELECT count() FROM annual_reports SETTINGS final = 0", nil)
		if err != nil || n != 0 {
			t.Errorf("failing %q: %d rows visible (%v), want none", tt.fail, n, err)
		}
		var statuses []string
		rows, err := s.Query(ctx, "SELECT status FROM import_batches", nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var st string
			if err := rows.Scan(&st); err != nil {
				t.Fatal(err)
			}
			statuses = append(statuses, st)
		}
		rows.Close()
		want := []string(nil)
		if tt.wantStatus != "" {
			want = []string{tt.wantStatus}
		}
		if fmt.Sprint(statuses) != fmt.Sprint(want) {
			t.Errorf("failing %q: import_batches statuses %v, want %v", tt.fail, statuses, want)
		}
	}
}

// cancelling is the real store whose caller is interrupted (Ctrl-C, the
// daemon stopping) as one statement starts.
type cancelling struct {
	store.Store
	match  string
	cancel context.CancelFunc
}

func (c cancelling) Exec(ctx context.Context, q string, p store.Params) error {
	if strings.Contains(q, c.match) {
		c.cancel()
	}
	return c.Store.Exec(ctx, q, p)
}

// A load stopped after its batch reached the list (the process killed,
// the copy for grading failing, the command interrupted) never leaves the
// copies grading reads holding rows the list does not, nor a batch
// recorded without its rows: the batch is finished whatever the context,
// a failed copy is completed by FinishLeftovers from the batch's tables,
// and the record comes last, so the same file imported again is read
// again.
func TestLoadStoppedAfterAttach(t *testing.T) {
	ctx := context.Background()
	institutions, _ := contract.Lookup("institutions")
	penalties, _ := contract.Lookup("penalties")
	im, _ := institutions.Map([]string{"uscc", "name", "licensed_on"})
	pm, _ := penalties.Map([]string{"record_id", "uscc", "name", "decided_on"})
	records := func(rows ...[]string) iter.Seq2[load.Record, error] {
		return func(yield func(load.Record, error) bool) {
			for i, r := range rows {
				if !yield(load.Record{Line: i + 2, Fields: r}, nil) {
					return
				}
			}
		}
	}
	penalty := []string{"许人社罚〔2025〕1号", "91411023174430174N", "许昌甲人力资源有限公司", "2025-01-10"}
	open := func(t *testing.T) store.Store {
		s := storetest.OpenMigrated(t)
		if _, err := load.Load(ctx, s, im, institutions, load.Source{Name: "test"}, records([]string{"91411023174430174N", "许昌甲人力资源有限公司", "2019-03-01"})); err != nil {
			t.Fatal(err)
		}
		return s
	}
	count := func(t *testing.T, s store.Store, q string) int64 {
		t.Helper()
		n, err := store.Count(ctx, s, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const (
		inList      = "SELECT count() FROM penalties"
		inCopy      = "SELECT count() FROM penalties_registered"
		recorded    = "SELECT count() FROM import_batches WHERE list = 'penalties'"
		workTables  = "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE '\\_%'"
		copyFailure = "INSERT INTO penalties_registered"
	)

	t.Run("the copy fails", func(t *testing.T) {
		s := open(t)
		_, err := load.Load(ctx, failing{s, copyFailure}, pm, penalties, load.Source{Name: "test"}, records(penalty))
		if err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("Load = %v, want the failure", err)
		}
		if got := [4]int64{count(t, s, inList), count(t, s, inCopy), count(t, s, recorded), min(count(t, s, workTables), 1)}; got != [4]int64{1, 0, 0, 1} {
			t.Fatalf("after the failure: list, copy, records, work tables kept = %v, want [1 0 0 1]", got)
		}
		left, err := load.FinishLeftovers(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(left.Finished) != 1 || !strings.HasPrefix(left.Finished[0], "penalties/") || len(left.Dropped) == 0 {
			t.Errorf("FinishLeftovers = %+v, want the penalties batch finished and its tables dropped", left)
		}
		if got := [3]int64{count(t, s, inList), count(t, s, inCopy), count(t, s, workTables)}; got != [3]int64{1, 1, 0} {
			t.Errorf("after FinishLeftovers: list, copy, work tables = %v, want [1 1 0]", got)
		}
		// Nothing left to finish: a second pass changes nothing.
		if left, err := load.FinishLeftovers(ctx, s); err != nil || len(left.Finished)+len(left.Dropped) != 0 {
			t.Errorf("second FinishLeftovers = %+v, %v", left, err)
		}
	})

	t.Run("interrupted as the copy starts", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		res, err := load.Load(cctx, cancelling{s, copyFailure, cancel}, pm, penalties, load.Source{Name: "test"}, records(penalty))
		if err != nil || res.Loaded != 1 {
			t.Fatalf("Load = %d loaded, %v; want the batch finished", res.Loaded, err)
		}
		if got := [4]int64{count(t, s, inList), count(t, s, inCopy), count(t, s, recorded), count(t, s, workTables)}; got != [4]int64{1, 1, 1, 0} {
			t.Errorf("list, copy, records, work tables = %v, want [1 1 1 0]", got)
		}
	})

	t.Run("the record fails", func(t *testing.T) {
		s := open(t)
		digest := func() string { return "same file" }
		if _, err := load.Load(ctx, failing{s, "INSERT INTO import_batches"}, pm, penalties, load.Source{Name: "test", Digest: digest}, records(penalty)); err == nil {
			t.Fatal("Load succeeded, want the failure")
		}
		if got := [4]int64{count(t, s, inList), count(t, s, inCopy), count(t, s, recorded), count(t, s, workTables)}; got != [4]int64{1, 1, 0, 0} {
			t.Errorf("list, copy, records, work tables = %v, want [1 1 0 0]", got)
		}
		// Not recorded: the same file is read again, not taken as done.
		if _, ok, err := load.Repeat(ctx, s, penalties, load.Source{Name: "test", Digest: digest}); err != nil || ok {
			t.Errorf("Repeat = %v, %v; want the file read again", ok, err)
		}
		res, err := load.Load(ctx, s, pm, penalties, load.Source{Name: "test", Digest: digest}, records(penalty))
		if err != nil || res.Unchanged != 1 || count(t, s, recorded) != 1 {
			t.Errorf("the same file again: %+v, %v", res, err)
		}
	})
}
