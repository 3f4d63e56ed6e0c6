package listsync_test

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"iter"
	"maps"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// memPeak samples the Go heap while a run goes on and keeps the peaks
// per phase: phase 0 is the fetch (pages stored one by one into
// sync_pending), phase 1 what follows the last page (reading the
// snapshot back, loading, first/last seen). It reads runtime/metrics,
// which does not stop the world: the live heap as of the last GC (what
// the run holds on to, whatever the GC's pacing), the in-use heap
// (HeapInuse: live plus garbage not yet collected) and the resident set.
type memPeak struct {
	phase atomic.Int32
	stop  chan struct{}
	done  chan struct{}
	live  [2]uint64
	inuse [2]uint64
	rss   [2]uint64
}

var memSamples = []string{"/gc/heap/live:bytes", "/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// heapNow returns the live and the in-use heap.
func heapNow() (live, inuse uint64) {
	s := make([]metrics.Sample, len(memSamples))
	for i, name := range memSamples {
		s[i].Name = name
	}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64() + s[2].Value.Uint64()
}

func startMemPeak() *memPeak {
	m := &memPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			live, inuse := heapNow()
			p := m.phase.Load()
			m.live[p] = max(m.live[p], live)
			m.inuse[p] = max(m.inuse[p], inuse)
			m.rss[p] = max(m.rss[p], rss())
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memPeak) end() { close(m.stop); <-m.done }

// rss is the process's resident set in bytes (Linux), 0 if unknown. It
// counts what the Go heap does not: the embedded engine's memory,
// results of queries held in C memory among it.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(string(f[1]), 10, 64)
	return pages * uint64(os.Getpagesize())
}

var syncRows = flag.String("sync-rows", "10000,40000", "BenchmarkSyncJSON: list sizes, comma-separated")

// BenchmarkSyncJSON measures a full listsync.Run of one JSON source, the
// publicity system's penalties API on the fixture (page/size/total, 100
// records a page, the fixture's maximum), into a fresh embedded store:
// fetch and store every page in sync_pending, read the snapshot back,
// validate and load it, write first/last seen, archive the raw pages.
//
// It runs at two list sizes (-args -sync-rows=50000,200000 for others;
// the default keeps one run under 20 s on two cores) and reports:
//
//   - rows/s, and the seconds of the fetch phase (up to the last page
//     stored) and of the load phase (everything after it);
//   - B/row: the peak growth of the live Go heap over its level before
//     the run, per row. The same B/row at both sizes means memory grows
//     in proportion to the list (the snapshot is held whole); a sync
//     that streamed would hold a bounded amount, and its B/row would
//     fall as the list grows. fetch-MB and load-MB are that peak growth
//     per phase;
//   - inuse-MB: the peak growth of HeapInuse, garbage included (what
//     the GC's pacing lets the heap reach);
//   - rss-MB: the peak growth of the resident set, which includes the
//     embedded engine's memory (query results are held in C memory
//     until read); the engine keeps caches, so it is indicative only;
//   - alloc-B/row: Go heap allocated per row.
//
// With -v it also logs the store time of each statement of the run.
func BenchmarkSyncJSON(b *testing.B) {
	for _, f := range strings.Split(*syncRows, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || n%100 != 0 {
			b.Fatalf("-sync-rows: %q is not a positive multiple of 100", f)
		}
		b.Run("rows="+strconv.Itoa(n), func(b *testing.B) { benchSyncJSON(b, n) })
	}
}

func benchSyncJSON(b *testing.B, rows int) {
	const size = 100
	fx := fixture.Start(fixture.Data{"penalties": fixture.GeneratePenalties(rows)}, fixture.Options{})
	b.Cleanup(fx.Close)
	cfg, err := listsync.ParseConfig(fx.SourcesTOML())
	if err != nil {
		b.Fatal(err)
	}
	var src listsync.Source
	for _, s := range cfg.Sources {
		if s.Name == penalties {
			src = s
		}
	}
	src.PageSize, src.Timeout, src.Retries = size, 30*time.Second, 0
	cfg.Sources = []listsync.Source{src}
	// The last page is full, so the listing is asked for one more
	// (docs/sync.md, section 2).
	benchSync(b, cfg, rows, rows/size+1)
}

var syncHTMLRows = flag.String("sync-html-rows", "10000,40000", "BenchmarkSyncHTML: list sizes, comma-separated")

// BenchmarkSyncHTML is BenchmarkSyncJSON for an HTML list source, end to
// end: the example config's city-abnormal-pages source (a city
// market-regulation site's 经营异常名录) synced from the fixture's GBK
// pages of 100 rows (a row-number column, 共N条记录 … 共M页, 暂无数据 past
// the end): fetch, decode, parse, store every page, prove and load the
// snapshot, first/last seen. It reports the same metrics.
func BenchmarkSyncHTML(b *testing.B) {
	for _, f := range strings.Split(*syncHTMLRows, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || n%100 != 0 {
			b.Fatalf("-sync-html-rows: %q is not a positive multiple of 100", f)
		}
		b.Run("rows="+strconv.Itoa(n), func(b *testing.B) { benchSyncHTML(b, n) })
	}
}

// benchAbnormal generates n distinct abnormal-operations listings.
func benchAbnormal(n int) []fixture.Row {
	counties := []string{"魏都区", "建安区", "禹州市", "长葛市", "鄢陵县", "襄城县"}
	reasons := []string{"未按规定期限公示年度报告", "通过登记的住所或者经营场所无法联系", "公示企业信息隐瞒真实情况、弄虚作假"}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]fixture.Row, n)
	for i := range rows {
		county := counties[i%len(counties)]
		rows[i] = fixture.Row{
			"uscc":      fixture.USCC(i),
			"name":      fmt.Sprintf("许昌%s第%d人力资源服务(分部)有限公司", county, i+1),
			"listed_on": day.AddDate(0, 0, i%900).Format(time.DateOnly),
			"reason":    reasons[i%len(reasons)],
			"authority": "许昌市" + county + "市场监督管理局",
		}
	}
	return rows
}

func benchSyncHTML(b *testing.B, rows int) {
	const size = 100
	fx := fixture.Start(fixture.Data{"abnormal": benchAbnormal(rows)}, fixture.Options{PageSize: size})
	b.Cleanup(fx.Close)
	example, err := listsync.LoadConfig(example)
	if err != nil {
		b.Fatal(err)
	}
	var cfg listsync.Config
	for _, s := range example.Sources {
		if s.Name == cityAbnormal {
			s.PageTemplate = fx.URL(fixture.AbnormalPages) + "?page={page}"
			s.Disabled, s.Rate, s.Retries, s.Timeout = false, 0, 0, 30*time.Second
			cfg = listsync.Config{Settings: example.Settings, Sources: []listsync.Source{s}}
		}
	}
	if len(cfg.Sources) != 1 {
		b.Fatalf("the example config has no source %s", cityAbnormal)
	}
	// The last page is full, so the listing is asked for one more, even
	// where the site shows a page count (docs/sync.md, section 2).
	benchSync(b, cfg, rows, rows/size+1)
}

// benchSync runs the one source of cfg into a fresh store b.N times and
// reports the metrics BenchmarkSyncJSON describes. Every run must load
// rows new records from pages pages.
func benchSync(b *testing.B, cfg listsync.Config, rows, pages int) {
	name := cfg.Sources[0].Name
	var fetchSec, loadSec float64
	var liveGrowth, inuseGrowth, rssGrowth [2]uint64
	var allocated uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := newTimedStore(storetest.OpenMigrated(b))
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		liveBefore, inuseBefore := heapNow()
		rssBefore := rss()
		mem := startMemPeak()
		var fetched time.Time
		progress := func(p listsync.Progress) {
			if p.Records >= uint64(rows) && fetched.IsZero() {
				fetched = time.Now()
				mem.phase.Store(1)
			}
		}
		b.StartTimer()
		started := time.Now()
		res, err := listsync.Run(context.Background(), s, cfg, listsync.Options{Sources: []string{name}, Progress: progress})
		finished := time.Now()
		b.StopTimer()
		mem.end()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if err != nil || len(res) != 1 || res[0].Status != listsync.StatusOK || res[0].Rows != rows || res[0].Added != rows || res[0].Pages != pages {
			b.Fatalf("sync: %+v: %v", res, err)
		}
		if fetched.IsZero() {
			b.Fatal("no progress report for the last page")
		}
		if testing.Verbose() {
			s.report(b, finished.Sub(started))
			var sb strings.Builder
			for _, st := range res[0].Steps {
				fmt.Fprintf(&sb, "\n%9s %s", st.Duration.Round(time.Millisecond), st.Name)
			}
			b.Log("steps:" + sb.String())
		}
		fetchSec += fetched.Sub(started).Seconds()
		loadSec += finished.Sub(fetched).Seconds()
		allocated += after.TotalAlloc - before.TotalAlloc
		for p := range 2 {
			liveGrowth[p] = max(liveGrowth[p], sub(mem.live[p], liveBefore))
			inuseGrowth[p] = max(inuseGrowth[p], sub(mem.inuse[p], inuseBefore))
			rssGrowth[p] = max(rssGrowth[p], sub(mem.rss[p], rssBefore))
		}
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	const mb = 1 << 20
	b.ReportMetric(float64(rows)*n/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(fetchSec/n, "fetch-s")
	b.ReportMetric(loadSec/n, "load-s")
	b.ReportMetric(float64(max(liveGrowth[0], liveGrowth[1]))/float64(rows), "B/row")
	b.ReportMetric(float64(liveGrowth[0])/mb, "fetch-MB")
	b.ReportMetric(float64(liveGrowth[1])/mb, "load-MB")
	b.ReportMetric(float64(max(inuseGrowth[0], inuseGrowth[1]))/mb, "inuse-MB")
	b.ReportMetric(float64(max(rssGrowth[0], rssGrowth[1]))/mb, "rss-MB")
	b.ReportMetric(float64(allocated)/n/float64(rows), "alloc-B/row")
}

// timedStore adds up the wall time of every statement a run sends, by
// statement, to show where a sync's time goes (-v prints it). A Query
// counts until it returns (the embedded engine has the whole result by
// then), an Insert until its rows are all sent, which includes producing
// them.
type timedStore struct {
	store.Store
	mu    sync.Mutex
	spent map[string]time.Duration
	calls map[string]int
}

func newTimedStore(s store.Store) *timedStore {
	return &timedStore{Store: s, spent: map[string]time.Duration{}, calls: map[string]int{}}
}

func (t *timedStore) add(what string, since time.Time) {
	t.mu.Lock()
	t.spent[what] += time.Since(since)
	t.calls[what]++
	t.mu.Unlock()
}

// statement names a query by its first line that is not a comment.
func statement(q string) string {
	for l := range strings.Lines(q) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return l[:min(len(l), 70)]
		}
	}
	return "?"
}

func (t *timedStore) Exec(ctx context.Context, q string, p store.Params) error {
	defer t.add(statement(q), time.Now())
	return t.Store.Exec(ctx, q, p)
}

func (t *timedStore) Query(ctx context.Context, q string, p store.Params) (store.Rows, error) {
	defer t.add(statement(q), time.Now())
	return t.Store.Query(ctx, q, p)
}

func (t *timedStore) Insert(ctx context.Context, table string, columns []string, rows iter.Seq2[[]any, error]) (int64, error) {
	defer t.add("INSERT rows INTO "+table, time.Now())
	return t.Store.Insert(ctx, table, columns, rows)
}

func (t *timedStore) report(b *testing.B, total time.Duration) {
	names := slices.SortedFunc(maps.Keys(t.spent), func(x, y string) int { return cmp.Compare(t.spent[y], t.spent[x]) })
	var sb strings.Builder
	var sum time.Duration
	fmt.Fprintf(&sb, "store time by statement (run took %s):\n", total.Round(time.Millisecond))
	for _, k := range names {
		sum += t.spent[k]
		fmt.Fprintf(&sb, "%9s %5.1f%% %6d× %s\n", t.spent[k].Round(time.Millisecond), 100*t.spent[k].Seconds()/total.Seconds(), t.calls[k], k)
	}
	fmt.Fprintf(&sb, "%9s %5.1f%% outside the store (fetching, parsing, hashing)", (total - sum).Round(time.Millisecond), 100*(total-sum).Seconds()/total.Seconds())
	b.Log(sb.String())
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}
