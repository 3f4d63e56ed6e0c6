package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/schema"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/zone"
)

// RunContract runs the behaviour every store.Store engine must share.
// open returns a store on a fresh, empty database.
func RunContract(t *testing.T, open func(t testing.TB) store.Store) {
	ctx := context.Background()
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	t.Run("QueryDecodesEveryType", func(t *testing.T) {
		s := open(t)
		rows, err := s.Query(ctx, `SELECT '许昌' AS s, toLowCardinality('A') AS lc, toInt32(-5) AS i, toUInt64(18446744073709551615) AS u,
			1.5 AS f, true AS b, toDate('2024-02-29') AS dt, toDateTime64('2024-01-02 03:04:05.678', 3, 'UTC') AS ts,
			CAST(NULL AS Nullable(Date)) AS nd, ['x', 'y'] AS arr`, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatalf("no row: %v", rows.Err())
		}
		want := []any{"许昌", "A", int64(-5), uint64(18446744073709551615), 1.5, true, d("2024-02-29"),
			time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC), nil, []any{"x", "y"}}
		got := rows.Values()
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("column %s: got %#v (%T), want %#v", rows.Columns()[i].Name, got[i], got[i], want[i])
			}
		}
		if rows.Next() {
			t.Error("want exactly one row")
		}
		if cols := rows.Columns(); len(cols) != 10 || cols[8].Type != "Nullable(Date)" {
			t.Errorf("columns = %+v", cols)
		}
	})

	t.Run("ParamsAreBoundNotSpliced", func(t *testing.T) {
		s := open(t)
		hostile := "'); DROP DATABASE x; -- \\N back\\slash\ttab\nnewline"
		var got string
		var date time.Time
		var n int64
		err := store.QueryRow(ctx, s, "SELECT {s:String}, {d:Date}, {n:Int64} + 1", store.Params{"s": hostile, "d": d("2023-07-31"), "n": int64(41)}, &got, &date, &n)
		if err != nil {
			t.Fatal(err)
		}
		if got != hostile || !date.Equal(d("2023-07-31")) || n != 42 {
			t.Errorf("got %q %v %d", got, date, n)
		}
		var arr []string
		if err := store.QueryRow(ctx, s, "SELECT {a:Array(String)}", store.Params{"a": []string{"a'b", `c\d`}}, &arr); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(arr, []string{"a'b", `c\d`}) {
			t.Errorf("array param = %q", arr)
		}
	})

	t.Run("ErrorsAreReported", func(t *testing.T) {
		s := open(t)
		if err := s.Exec(ctx, "SELECT no_such_column", nil); err == nil {
			t.Error("Exec of a bad query succeeded")
		}
		if _, err := s.Query(ctx, "SELECT * FROM no_such_table", nil); err == nil || !strings.Contains(err.Error(), "no_such_table") {
			t.Errorf("Query error = %v, want one naming the table", err)
		}
		var x int64
		if err := store.QueryRow(ctx, s, "SELECT 1 WHERE 0", nil, &x); !errors.Is(err, store.ErrNoRows) {
			t.Errorf("QueryRow on empty result = %v, want ErrNoRows", err)
		}
	})

	t.Run("InsertRoundTrip", func(t *testing.T) {
		s := open(t)
		if err := s.Exec(ctx, `CREATE TABLE ins (k String, n UInt32, d Date, nd Nullable(Date), b Bool, lc LowCardinality(String), ts DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY k`, nil); err != nil {
			t.Fatal(err)
		}
		const total = 120_000 // more than one chunk or batch
		ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		rows := func(yield func([]any, error) bool) {
			for i := range total {
				var nd any
				if i%2 == 0 {
					nd = d("2024-02-29")
				}
				if !yield([]any{fmt.Sprintf("k%06d", i), uint32(i), d("2023-07-31"), nd, i%3 == 0, "称" + fmt.Sprint(i%5), ts}, nil) {
					return
				}
			}
		}
		n, err := s.Insert(ctx, "ins", []string{"k", "n", "d", "nd", "b", "lc", "ts"}, rows)
		if err != nil {
			t.Fatal(err)
		}
		if n != total {
			t.Errorf("Insert returned %d, want %d", n, total)
		}
		var count, nulls, trues, sum uint64
		var minD time.Time
		var maxTS time.Time
		err = store.QueryRow(ctx, s, "SELECT count(), countIf(nd IS NULL), countIf(b), sum(n), min(d), max(ts) FROM ins", nil, &count, &nulls, &trues, &sum, &minD, &maxTS)
		if err != nil {
			t.Fatal(err)
		}
		if count != total || nulls != total/2 || trues != total/3 || sum != total*(total-1)/2 || !minD.Equal(d("2023-07-31")) || !maxTS.Equal(ts) {
			t.Errorf("count %d nulls %d trues %d sum %d min %v max %v", count, nulls, trues, sum, minD, maxTS)
		}
	})

	// A time keeps its instant whatever zone its column is typed in, at
	// midnight UTC too (a Date-looking value), before 1970 and with
	// nanoseconds, small insert and large.
	for _, copies := range []int{1, 5000} {
		t.Run(fmt.Sprintf("InsertKeepsInstantsInAnyZone/%dx", copies), func(t *testing.T) {
			s := open(t)
			if err := s.Exec(ctx, "CREATE TABLE tz (i UInt32, sh DateTime64(3, 'Asia/Shanghai'), utc DateTime64(9, 'UTC'), sec DateTime('Asia/Shanghai'), nsh Nullable(DateTime64(6, 'Asia/Shanghai')), d Date) ENGINE = MergeTree ORDER BY i", nil); err != nil {
				t.Fatal(err)
			}
			times := []time.Time{
				time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC),
				time.Date(2026, 7, 31, 16, 30, 0, 0, time.UTC), // 00:30 the next day in Shanghai
				time.Date(2026, 12, 6, 7, 1, 2, 123000000, zone.Shanghai),
				time.Date(1969, 12, 31, 23, 59, 58, 500000000, time.UTC),
			}
			rows := func(yield func([]any, error) bool) {
				for c := range copies {
					for i, tm := range times {
						if !yield([]any{uint32(c*len(times) + i), tm, tm, tm.Truncate(time.Second), tm, tm.UTC().Truncate(24 * time.Hour)}, nil) {
							return
						}
					}
				}
			}
			if _, err := s.Insert(ctx, "tz", []string{"i", "sh", "utc", "sec", "nsh", "d"}, rows); err != nil {
				t.Fatal(err)
			}
			for i, tm := range times {
				var sh, utc, sec, nsh, day time.Time
				if err := store.QueryRow(ctx, s, "SELECT sh, utc, sec, nsh, d FROM tz WHERE i = {i:UInt32}", store.Params{"i": uint32(i)}, &sh, &utc, &sec, &nsh, &day); err != nil {
					t.Fatal(err)
				}
				// DateTime and Date start at 1970: only DateTime64 holds the last case.
				inRange := tm.Unix() >= 0
				if !sh.Equal(tm) || !utc.Equal(tm) || !nsh.Equal(tm) || inRange && (!sec.Equal(tm.Truncate(time.Second)) || !day.Equal(tm.UTC().Truncate(24*time.Hour))) {
					t.Errorf("%v came back as %v, %v, %v, %v, %v", tm, sh, utc, sec, nsh, day)
				}
			}
		})
	}

	// Once as a small insert, once as a large one: an engine may send the
	// two differently (the embedded one inline or through a file).
	for _, copies := range []int{1, 5000} {
		t.Run(fmt.Sprintf("InsertKeepsAwkwardText/%dx", copies), func(t *testing.T) {
			s := open(t)
			if err := s.Exec(ctx, "CREATE TABLE aw (i UInt32, s String, n Nullable(String), a Array(String), m Map(String, String)) ENGINE = MergeTree ORDER BY i", nil); err != nil {
				t.Fatal(err)
			}
			awkward := []string{"tab\there", "line\nbreak", `back\slash`, `\N`, "quote'\"", "许昌（魏都）", "", "cr\rlf", "gbk \xd6\xd0\xce\xc4 bytes", "emoji 😀 \u2028", "nul \x00 byte"}
			rows := func(yield func([]any, error) bool) {
				for i := range copies * len(awkward) {
					w := awkward[i%len(awkward)]
					if !yield([]any{uint32(i), w, w, []string{w, "x"}, map[string]string{w: w, "k": "x"}}, nil) {
						return
					}
				}
			}
			if _, err := s.Insert(ctx, "aw", []string{"i", "s", "n", "a", "m"}, rows); err != nil {
				t.Fatal(err)
			}
			got, err := s.Query(ctx, "SELECT s, n, a, if(m[s] = s AND m['k'] = 'x' AND length(mapKeys(m)) = 2, 'yes', 'no') FROM aw ORDER BY i", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			i := 0
			for ; got.Next(); i++ {
				var str string
				var n any
				var arr []string
				var mapOK string
				if err := got.Scan(&str, &n, &arr, &mapOK); err != nil {
					t.Fatal(err)
				}
				w := awkward[i%len(awkward)]
				if str != w || n != w || len(arr) != 2 || arr[0] != w || mapOK != "yes" {
					t.Fatalf("row %d: got %q %q %q (map read back: %s), want %q", i, str, n, arr, mapOK, w)
				}
			}
			if err := got.Err(); err != nil {
				t.Fatal(err)
			}
			if i != copies*len(awkward) {
				t.Errorf("read back %d rows, want %d", i, copies*len(awkward))
			}
		})
	}

	t.Run("InsertStopsOnSourceError", func(t *testing.T) {
		s := open(t)
		if err := s.Exec(ctx, "CREATE TABLE e (k String) ENGINE = MergeTree ORDER BY k", nil); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		var seq iter.Seq2[[]any, error] = func(yield func([]any, error) bool) {
			if yield([]any{"a"}, nil) {
				yield(nil, boom)
			}
		}
		if _, err := s.Insert(ctx, "e", []string{"k"}, seq); !errors.Is(err, boom) {
			t.Errorf("Insert error = %v, want the source's", err)
		}
	})

	t.Run("ReplacingReadsLatestVersion", func(t *testing.T) {
		s := open(t)
		if err := s.Exec(ctx, "CREATE TABLE r (k String, v UInt64, x String) ENGINE = ReplacingMergeTree(v) ORDER BY k", nil); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"INSERT INTO r VALUES ('a', 1, 'old')", "INSERT INTO r VALUES ('a', 2, 'new'), ('b', 1, 'b')"} {
			if err := s.Exec(ctx, q, nil); err != nil {
				t.Fatal(err)
			}
		}
		n, err := store.Count(ctx, s, "SELECT count() FROM r", nil)
		if err != nil {
			t.Fatal(err)
		}
		var x string
		if err := store.QueryRow(ctx, s, "SELECT x FROM r WHERE k = 'a'", nil, &x); err != nil {
			t.Fatal(err)
		}
		if n != 2 || x != "new" {
			t.Errorf("plain reads see %d rows and x=%q; want 2 and \"new\" (final=1)", n, x)
		}
	})

	t.Run("ConcurrentQueries", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n int64
				if err := store.QueryRow(ctx, s, "SELECT sum(number) FROM numbers({n:UInt32})", store.Params{"n": uint32(1000 + i)}, &n); err != nil {
					errs <- err
					return
				}
				if want := int64((1000 + i) * (999 + i) / 2); n != want {
					errs <- fmt.Errorf("sum = %d, want %d", n, want)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("MigrateIsIdempotent", func(t *testing.T) {
		s := open(t)
		first, err := schema.Migrate(ctx, s, schema.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Applied) == 0 {
			t.Fatal("first Migrate applied nothing")
		}
		second, err := schema.Migrate(ctx, s, schema.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(second.Applied) != 0 || second.Current != first.Current {
			t.Errorf("second Migrate = %+v, want nothing applied at version %d", second, first.Current)
		}
		for _, table := range contract.Names() {
			if _, err := store.Count(ctx, s, "SELECT count() FROM "+table, nil); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
	})

	t.Run("MigrateRefusesWhileLeased", func(t *testing.T) {
		s := open(t)
		if _, err := schema.Migrate(ctx, s, schema.Options{}); err != nil {
			t.Fatal(err)
		}
		pending, err := schema.Pending(ctx, s)
		if err != nil || len(pending) != 0 {
			t.Fatalf("Pending after Migrate = %v, %v; want none", pending, err)
		}
		// A claim of a process killed long ago: lapsed, so it holds nothing.
		claim := `INSERT INTO leases (name, token, owner, claimed_at, expires_at, version)
			SELECT 'schema', {token:String}, {owner:String}, now64(3) - toIntervalSecond({age:UInt32}), now64(3) - toIntervalSecond({age:UInt32}) + toIntervalSecond({ttl:UInt32}), 1`
		if err := s.Exec(ctx, claim, store.Params{"token": "dead", "owner": "killed-host pid 3", "age": 600, "ttl": 300}); err != nil {
			t.Fatal(err)
		}
		// Force the migration step to run (it only runs with something pending).
		if err := s.Exec(ctx, "DROP TABLE schema_migrations", nil); err != nil {
			t.Fatal(err)
		}
		if pending, err := schema.Pending(ctx, s); err != nil || len(pending) == 0 {
			t.Fatalf("Pending without schema_migrations = %v, %v; want every migration", pending, err)
		}
		if _, err := schema.Migrate(ctx, s, schema.Options{}); err != nil {
			t.Fatalf("Migrate beside a lapsed lease: %v", err)
		}
		// A live claim of another process.
		if err := s.Exec(ctx, claim, store.Params{"token": "live", "owner": "other-host pid 7", "age": 1, "ttl": 3600}); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "DROP TABLE schema_migrations", nil); err != nil {
			t.Fatal(err)
		}
		_, err = schema.Migrate(ctx, s, schema.Options{})
		if !errors.Is(err, schema.ErrLocked) || !strings.Contains(err.Error(), "other-host pid 7") || !strings.Contains(err.Error(), " since ") {
			t.Fatalf("Migrate under a held lease = %v, want ErrLocked naming the holder and since when", err)
		}
		if err := schema.Unlock(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := schema.Migrate(ctx, s, schema.Options{}); err != nil {
			t.Errorf("Migrate after unlock: %v", err)
		}
	})

	t.Run("MigrateReportsHalfApplied", func(t *testing.T) {
		s := open(t)
		if _, err := schema.Migrate(ctx, s, schema.Options{}); err != nil {
			t.Fatal(err)
		}
		// Pretend migration 2 died half-way.
		err := s.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum, status, statements, statements_done, error, started_at, updated_at, applied_by)
			SELECT version, name, checksum, 'failed', statements, 1, 'Code: 241. MEMORY_LIMIT_EXCEEDED', started_at, updated_at + toIntervalMicrosecond(1), 'test' FROM schema_migrations FINAL WHERE version = 2`, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = schema.Migrate(ctx, s, schema.Options{})
		if !errors.Is(err, schema.ErrDirty) || !strings.Contains(err.Error(), "MEMORY_LIMIT_EXCEEDED") || !strings.Contains(err.Error(), "--retry") {
			t.Fatalf("Migrate with a failed step = %v, want ErrDirty with the error and the --retry hint", err)
		}
		res, err := schema.Migrate(ctx, s, schema.Options{Retry: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Applied) != 1 || !strings.HasPrefix(res.Applied[0], "0002_") {
			t.Errorf("retry applied %v, want only 0002", res.Applied)
		}
		states, err := schema.States(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if states[2].Status != schema.StatusApplied {
			t.Errorf("after retry, migration 2 is %q", states[2].Status)
		}
	})
}
