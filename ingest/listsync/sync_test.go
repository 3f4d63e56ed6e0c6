package listsync_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
)

func TestSyncEverySource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	results := e.mustSync()
	want := map[string]struct {
		list   string
		rows   int
		unused []string
	}{
		penalties:   {"penalties", 7, []string{"ILLEGACTTYPE"}},
		abnormal:    {"abnormal", 6, []string{"REDECORG_CN"}},
		dishonest:   {"dishonest", 5, []string{"dataSource"}},
		evaluations: {"public_eval", 8, []string{"序号"}},
	}
	for name, w := range want {
		r := result(t, results, name)
		if r.Status != listsync.StatusOK || !r.Complete || r.Rows != w.rows || r.Added != w.rows || r.Rejected != 0 {
			t.Errorf("%s: %+v", name, r)
		}
		if !slices.Equal(r.Unused, w.unused) {
			t.Errorf("%s: unused fields %v, want %v", name, r.Unused, w.unused)
		}
		if n := e.count("SELECT count() FROM "+w.list+" FINAL", nil); n != int64(w.rows) {
			t.Errorf("%s: %d rows in %s, want %d", name, n, w.list, w.rows)
		}
		if n := e.count("SELECT count() FROM raw_pages WHERE source = {s:String}", store.Params{"s": name}); n != int64(r.Pages) || n < 2 {
			t.Errorf("%s: %d raw pages for %d pages fetched", name, n, r.Pages)
		}
	}
	// Values came through every format: epoch milliseconds, GBK pages,
	// full-width codes, the grade label.
	var removed time.Time
	if err := store.QueryRow(context.Background(), e.s, "SELECT removed_on FROM abnormal FINAL WHERE uscc = '91411023MA212356XW'", nil, &removed); err != nil || removed.Format(time.DateOnly) != "2025-01-10" {
		t.Errorf("abnormal removed_on %v %v", removed, err)
	}
	var grade, label, name string
	if err := store.QueryRow(context.Background(), e.s, "SELECT grade, grade_label, name FROM public_eval FINAL WHERE uscc = '91411081MA312356X3'", nil, &grade, &label, &name); err != nil || grade != "C" || label != "中" || name != "禹州喆诚职业介绍有限公司" {
		t.Errorf("public_eval: %s %s %s %v", grade, label, name, err)
	}
	// The raw pages are kept byte for byte: GBK as received. (Read them
	// through base64Encode: the embedded engine returns strings as JSON,
	// which cannot carry bytes that are not UTF-8.)
	var b64, sum string
	if err := store.QueryRow(context.Background(), e.s, "SELECT base64Encode(body), sha256 FROM raw_pages WHERE source = {s:String} AND page = 1 LIMIT 1", store.Params{"s": evaluations}, &b64, &sum); err != nil {
		t.Fatal(err)
	}
	body, _ := base64.StdEncoding.DecodeString(b64)
	if h := sha256.Sum256(body); hex.EncodeToString(h[:]) != sum {
		t.Error("raw page differs from what was received")
	}
	if text, enc, err := fetch.DecodeText(body, ""); err != nil || enc != "GB18030" || !strings.Contains(text, "许昌堃元人力资源有限公司") {
		t.Errorf("raw page: %s %v", enc, err)
	}
	if n := e.count("SELECT count() FROM sync_pending", nil); n != 0 {
		t.Errorf("%d pending rows left after complete snapshots", n)
	}
	if strings.Count(e.log.String(), "does not use") != 4 {
		t.Errorf("unused fields should be reported once per source and run:\n%s", e.log.String())
	}

	// The same listings again change nothing.
	before := e.dump()
	for _, r := range e.mustSync() {
		if r.Added != 0 || r.Modified != 0 || r.Removed != 0 || r.Unchanged != r.Rows {
			t.Errorf("second sync of %s: %+v", r.Source, r)
		}
	}
	if after := e.dump(); stripSeen(after) != stripSeen(before) {
		t.Errorf("a second identical sync changed the lists:\n%s\n%s", before, after)
	}
}

// stripSeen drops the external_records lines, whose last_seen moves
// with every sync; the lists' lines carry batch ids, which only change
// when a row is written.
func stripSeen(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "publicity-") && !strings.HasPrefix(l, "creditchina-") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestSnapshotRemovesWhatVanished(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustSync(dishonest, penalties, abnormal)
	e.fx.SetRows("dishonest", without(e.fx.Rows("dishonest"), "uscc", "52411002MJ712356X0"))
	e.fx.SetRows("penalties", without(e.fx.Rows("penalties"), "record_id", "禹人社罚决字〔2026〕3号"))
	changed := e.fx.Rows("abnormal")
	changed[0]["reason"] = "未按规定期限公示年度报告（2024年度）"
	e.fx.SetRows("abnormal", changed)

	// The first snapshot without them only makes the removals pending;
	// the second confirms them, dated by the first: the day in China
	// when it ran (either side of midnight, if it ran across it).
	cst := time.FixedZone("CST", 8*3600)
	missedFrom := time.Now().In(cst).Format(time.DateOnly)
	res := e.mustSync(dishonest, penalties, abnormal)
	missedTo := time.Now().In(cst).Format(time.DateOnly)
	if d := result(t, res, dishonest); d.Removed != 0 || d.PendingRemovals != 1 {
		t.Errorf("dishonest, first snapshot: %+v", d)
	}
	if a := result(t, res, abnormal); a.Modified != 1 || a.Unchanged != 5 {
		t.Errorf("abnormal: %+v", a)
	}
	res = e.mustSync(dishonest, penalties)
	d := result(t, res, dishonest)
	if d.Removed != 1 || d.Rows != 4 || d.Unchanged != 4 {
		t.Errorf("dishonest: %+v", d)
	}
	var removed *time.Time
	if err := store.QueryRow(context.Background(), e.s, "SELECT removed_on FROM dishonest FINAL WHERE uscc = '52411002MJ712356X0'", nil, &removed); err != nil || removed == nil ||
		(removed.Format(time.DateOnly) != missedFrom && removed.Format(time.DateOnly) != missedTo) {
		t.Errorf("the vanished dishonest record: removed_on %v (%v), want %s (the day of the first snapshot without it)", removed, err, missedFrom)
	}
	// penalties has no removed_on: the record stays, the side table says,
	// and the run does not claim it removed (it was reported "removed 1",
	// while the penalty still counted for B6).
	if p := result(t, res, penalties); p.Removed != 0 || p.Unpublished != 1 {
		t.Errorf("penalties: removed %d, no longer published %d; want 0 and 1", p.Removed, p.Unpublished)
	}
	if n := e.count("SELECT count() FROM penalties FINAL", nil); n != 7 {
		t.Errorf("%d penalties, want all 7 kept", n)
	}
	if n := e.count("SELECT count() FROM external_records FINAL WHERE removed_on IS NOT NULL", nil); n != 2 {
		t.Errorf("%d records marked removed, want 2", n)
	}
	// Once removed, a record is not removed again; when it comes back it
	// is listed again.
	if d := result(t, e.mustSync(dishonest), dishonest); d.Removed != 0 {
		t.Errorf("removed twice: %+v", d)
	}
	e.fx.SetRows("dishonest", small(t)["dishonest"])
	if d := result(t, e.mustSync(dishonest), dishonest); d.Added != 1 {
		t.Errorf("record back: %+v", d)
	}
	if err := store.QueryRow(context.Background(), e.s, "SELECT removed_on FROM dishonest FINAL WHERE uscc = '52411002MJ712356X0'", nil, &removed); err != nil || removed != nil {
		t.Errorf("relisted record: removed_on %v %v", removed, err)
	}
	var first, last time.Time
	if err := store.QueryRow(context.Background(), e.s, "SELECT first_seen, last_seen FROM external_records FINAL WHERE source = {s:String} AND uscc = '52411002MJ712356X0'", store.Params{"s": dishonest}, &first, &last); err != nil || !first.Before(last) {
		t.Errorf("first_seen %v, last_seen %v (%v)", first, last, err)
	}
}

// Every fault a source shows must leave the lists exactly as they were:
// nothing removed, nothing modified, and the source reported.
func TestFailedSyncChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		source string
		fault  fixture.Fault
		status string
		want   error
	}{
		{"500 for good", penalties, fixture.Fault{Kind: fixture.ServerError, Page: 2}, listsync.StatusPartial, fetch.ErrStatus},
		{"429 beyond max_retry_after", penalties, fixture.Fault{Kind: fixture.TooManyRequests, RetryAfter: time.Hour}, listsync.StatusFailed, fetch.ErrStatus},
		{"slow for good", abnormal, fixture.Fault{Kind: fixture.Slow, Delay: time.Second, Page: 3}, listsync.StatusPartial, fetch.ErrTransport},
		{"truncated JSON for good", abnormal, fixture.Fault{Kind: fixture.Truncated, Page: 2}, listsync.StatusPartial, fetch.ErrMalformed},
		{"repeated page", penalties, fixture.Fault{Kind: fixture.RepeatPage, Page: 3}, listsync.StatusPartial, fetch.ErrIncomplete},
		{"empty page mid-run", penalties, fixture.Fault{Kind: fixture.EmptyPage, Page: 2}, listsync.StatusPartial, fetch.ErrIncomplete},
		{"snapshot stops half-way", dishonest, fixture.Fault{Kind: fixture.StopHalfway}, listsync.StatusFailed, listsync.ErrAssertion},
		{"521 challenge", abnormal, fixture.Fault{Kind: fixture.JSChallenge, Page: 2}, listsync.StatusPartial, fetch.ErrChallenge},
		{"412 challenge", dishonest, fixture.Fault{Kind: fixture.Precondition412}, listsync.StatusFailed, fetch.ErrChallenge},
		{"40001 refusal", dishonest, fixture.Fault{Kind: fixture.Refresh40001, Page: 2}, listsync.StatusPartial, fetch.ErrChallenge},
		{"CAPTCHA with 200", evaluations, fixture.Fault{Kind: fixture.Captcha, Page: 1}, listsync.StatusFailed, fetch.ErrChallenge},
		{"CAPTCHA on JSON API", penalties, fixture.Fault{Kind: fixture.Captcha, Page: 2}, listsync.StatusPartial, fetch.ErrChallenge},
		{"HTML layout changed", evaluations, fixture.Fault{Kind: fixture.LayoutChanged, Page: 2}, listsync.StatusPartial, fetch.ErrLayout},
		{"JSON layout changed", penalties, fixture.Fault{Kind: fixture.LayoutChanged}, listsync.StatusFailed, fetch.ErrLayout},
		{"truncated HTML", evaluations, fixture.Fault{Kind: fixture.Truncated, Page: 2}, listsync.StatusPartial, fetch.ErrIncomplete},
		{"pages that loop", dishonest, fixture.Fault{Kind: fixture.LoopBack}, listsync.StatusPartial, fetch.ErrIncomplete},
	}
	// One store for every case, each with its own copy of the sites:
	// every list already holds the data, so a case's first sync writes
	// nothing to the lists another case compares.
	shared := newEnv(t)
	shared.mustSync()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := shared.fork(t, tt.source, i)
			name := e.cfg.Sources[0].Name
			e.cfg.Sources[0].Timeout = 100 * time.Millisecond
			// Far past the fixture's pages: a listing that loops ends
			// here (ErrPageCap) if nothing notices the loop.
			e.cfg.Sources[0].MaxPages = 100
			e.mustSync(name)
			before := e.dump(name)
			// The source has changed since: one record gone, one
			// modified. A failed sync must apply neither.
			list := string(endpointOf[tt.source])
			rows := e.fx.Rows(list)
			rows[0]["name"] += "（变更）"
			e.fx.SetRows(list, rows[:len(rows)-1])
			e.fx.Inject(endpointOf[tt.source], tt.fault)

			res, err := e.sync(listsync.Options{}, name)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			r := result(t, res, name)
			if r.Status != tt.status || r.Complete {
				t.Errorf("status %s complete %v, want %s", r.Status, r.Complete, tt.status)
			}
			var se *listsync.SourceError
			if !errors.As(err, &se) || se.LastSuccess == nil || !strings.Contains(err.Error(), "stands") || !strings.Contains(err.Error(), "hint:") {
				t.Errorf("error %q: want a SourceError saying the previous data stands, with a hint", err)
			}
			if after := e.dump(name); after != before {
				t.Errorf("the failed sync changed stored data:\nbefore\n%s\nafter\n%s", before, after)
			}
			var status, errText string
			if err := store.QueryRow(context.Background(), e.s, "SELECT status, error FROM sync_runs FINAL WHERE run_id = {r:String}", store.Params{"r": r.RunID}, &status, &errText); err != nil || status != tt.status || errText == "" {
				t.Errorf("sync_runs: %s %q %v", status, errText, err)
			}
		})
	}
}

func TestTransientFaultsLoseNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source string
		fault  fixture.Fault
	}{
		{penalties, fixture.Fault{Kind: fixture.ServerError, Page: 2, Times: 2}},
		{abnormal, fixture.Fault{Kind: fixture.Truncated, Page: 3, Times: 1}},
		{dishonest, fixture.Fault{Kind: fixture.Slow, Page: 2, Times: 1, Delay: time.Second}},
		{evaluations, fixture.Fault{Kind: fixture.ServerError, Page: 1, Times: 1}},
	}
	e := newEnv(t)
	for _, tt := range tests {
		e.fx.Inject(endpointOf[tt.source], tt.fault)
	}
	for _, r := range e.mustSync() {
		pages := r.Pages
		want := pages + 1
		if r.Source == penalties {
			want = pages + 2
		}
		if got := e.fx.Requests(endpointOf[r.Source]); got != want || !r.Complete || r.Rejected != 0 {
			t.Errorf("%s: %d requests for %d pages, want %d; %+v", r.Source, got, pages, want, r)
		}
	}
	if n := e.count("SELECT count() FROM penalties FINAL", nil) + e.count("SELECT count() FROM abnormal FINAL", nil) + e.count("SELECT count() FROM dishonest FINAL", nil) + e.count("SELECT count() FROM public_eval FINAL", nil); n != 7+6+5+8 {
		t.Errorf("%d rows loaded, want all 26", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fx.Inject(fixture.Dishonest, fixture.Fault{Kind: fixture.TooManyRequests, Page: 2, Times: 1, RetryAfter: 400 * time.Millisecond})
	began := time.Now()
	r := result(t, e.mustSync(dishonest), dishonest)
	if took := time.Since(began); took < 400*time.Millisecond {
		t.Errorf("took %s; Retry-After asked for 400ms", took)
	}
	if !r.Complete || e.fx.Requests(fixture.Dishonest) != r.Pages+1 {
		t.Errorf("%+v after %d requests", r, e.fx.Requests(fixture.Dishonest))
	}
}

func TestResumeAfterInterruption(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Page 3 of 4 fails for good; pages 1 and 2 are kept.
	e.fx.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.ServerError, Page: 3})
	res, err := e.sync(listsync.Options{}, penalties)
	r := result(t, res, penalties)
	if err == nil || r.Status != listsync.StatusPartial || r.Pages != 2 {
		t.Fatalf("first run: %+v, %v", r, err)
	}
	if n := e.count("SELECT count() FROM penalties", nil); n != 0 {
		t.Errorf("%d penalties loaded from a partial snapshot", n)
	}
	e.fx.ClearFaults()
	requests := e.fx.Requests(fixture.Penalties)
	r = result(t, e.mustSync(penalties), penalties)
	if r.Resumed != 2 || r.Pages != 2 || !r.Complete || r.Rows != 7 {
		t.Errorf("resumed run: %+v", r)
	}
	if n := e.fx.Requests(fixture.Penalties) - requests; n != 4 {
		t.Errorf("the resumed run sent %d requests, want 4 (pages 1 and 2 to check they are unchanged, then pages 3 and 4)", n)
	}

	// An interruption (Ctrl-C) after page 2 resumes the same way.
	e.fx.SetRows("abnormal", e.fx.Rows("abnormal"))
	ctx, cancel := context.WithCancel(context.Background())
	_, err = listsync.Run(ctx, e.s, e.cfg, listsync.Options{Sources: []string{abnormal}, Progress: func(p listsync.Progress) {
		if p.Page == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	var status string
	if err := store.QueryRow(context.Background(), e.s, "SELECT status FROM sync_runs FINAL WHERE source = {s:String}", store.Params{"s": abnormal}, &status); err != nil || status != listsync.StatusPartial {
		t.Errorf("interrupted run recorded as %q (%v)", status, err)
	}
	r = result(t, e.mustSync(abnormal), abnormal)
	if r.Resumed != 2 || !r.Complete || r.Rows != 6 {
		t.Errorf("after the interruption: %+v", r)
	}

	// --full starts over.
	e.fx.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.ServerError, Page: 2, Times: 3})
	e.sync(listsync.Options{}, penalties)
	requests = e.fx.Requests(fixture.Penalties)
	res, err = e.sync(listsync.Options{Full: true}, penalties)
	if r := result(t, res, penalties); err != nil || r.Resumed != 0 || e.fx.Requests(fixture.Penalties)-requests != 4 {
		t.Errorf("--full: %+v %v after %d requests", r, err, e.fx.Requests(fixture.Penalties)-requests)
	}
}

func TestShrinkAssertion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustSync(dishonest)
	e.fx.SetRows("dishonest", e.fx.Rows("dishonest")[:2])
	_, err := e.sync(listsync.Options{}, dishonest)
	if !errors.Is(err, listsync.ErrAssertion) || !strings.Contains(err.Error(), "shrank") {
		t.Fatalf("error %v, want the shrink assertion", err)
	}
	if n := e.count("SELECT count() FROM external_records FINAL WHERE removed_on IS NOT NULL", nil); n != 0 {
		t.Errorf("%d records removed by a snapshot that failed its assertion", n)
	}
	// A list that really shrank is accepted when told so: its removals
	// pend, and the next snapshot (told again) confirms them.
	e.source(dishonest).MaxRemovalShare = 0
	res, err := e.sync(listsync.Options{AcceptShrink: true}, dishonest)
	if r := result(t, res, dishonest); err != nil || r.PendingRemovals != 3 {
		t.Errorf("--accept-shrink: %+v %v", r, err)
	}
	res, err = e.sync(listsync.Options{AcceptShrink: true}, dishonest)
	if r := result(t, res, dishonest); err != nil || r.Removed != 3 {
		t.Errorf("--accept-shrink, second snapshot: %+v %v", r, err)
	}

	e.source(evaluations).MinRows = 10
	if _, err := e.sync(listsync.Options{}, evaluations); !errors.Is(err, listsync.ErrAssertion) || !strings.Contains(err.Error(), "min_rows") {
		t.Errorf("min_rows: %v", err)
	}
	if n := e.count("SELECT count() FROM public_eval", nil); n != 0 {
		t.Errorf("%d evaluations loaded from a snapshot under min_rows", n)
	}
}

// A record that fails validation might be a listed entry: removals wait
// until the snapshot validates fully.
func TestRejectedRecordsBlockRemovals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustSync(dishonest)
	rows := e.fx.Rows("dishonest")
	rows[1]["listed_on"] = "2025-13-45"
	e.fx.SetRows("dishonest", rows[:4])
	r := result(t, e.mustSync(dishonest), dishonest)
	if r.Rejected != 1 || r.Removed != 0 || r.RemovalsSkipped == "" || len(r.Rejects) != 1 || r.Rejects[0].Page != 1 {
		t.Errorf("%+v", r)
	}
	if n := e.count("SELECT count() FROM import_rejects WHERE list = 'dishonest'", nil); n != 1 {
		t.Errorf("%d rejects recorded", n)
	}
}

// A rejected record of a listing read page by page is recorded where a
// person finds it: its page's own address and its place on that page. It
// was recorded under the page template (?page={page}) with a number
// counted across every page, which named no page and no record there.
func TestRejectNamesItsPage(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	rows := e.fx.Rows("abnormal")
	rows[3]["listed_on"] = "2025-13-01" // page 2, record 2: pages of two
	e.fx.SetRows("abnormal", rows)
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if r.Rejected != 1 || len(r.Rejects) != 1 {
		t.Fatalf("%+v", r)
	}
	if got := r.Rejects[0].String(); !strings.HasPrefix(got, "page 2 record 2: column 列入日期: ") || !strings.Contains(got, "2025-13-01") {
		t.Errorf("the reject reads %q, want its page, record, column and value", got)
	}
	var ref, column, value string
	var line uint32
	if err := store.QueryRow(context.Background(), e.s, "SELECT source_ref, line, column, value FROM import_rejects WHERE list = 'abnormal'", nil, &ref, &line, &column, &value); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(ref, e.fx.URL(fixture.AbnormalPages)+"?page=2") || line != 2 || column != "列入日期" || value != "2025-13-01" {
		t.Errorf("import_rejects: %s line %d, %s = %q; want page 2's address, its record 2, 列入日期 = 2025-13-01", ref, line, column, value)
	}
}

// A site that mistypes a date as one to come (2062-06-07 for
// 2026-06-07) lists no real record: the date is the record's key on the
// lists keyed by date, so stored it was a new record, the real one went
// missing and was removed (C6 lifted), and on penalties it was a
// modification taken at its word. A listing, decision or evaluation
// dated after the day of the sync is rejected, naming the date, and
// blocks the snapshot's removals as any rejected record does.
func TestDatesToComeAreRejected(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		source, list, column string
		row                  int // one whose other dates allow the typo
	}{
		{abnormal, "abnormal", "listed_on", 0},
		{dishonest, "dishonest", "listed_on", 0},
		{penalties, "penalties", "decided_on", 1},
		{evaluations, "public_eval", "evaluated_on", 0},
	} {
		t.Run(tt.source, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.mustSync(tt.source)
			clean := e.state()
			rows := e.fx.Rows(tt.list)
			typo := maps.Clone(rows[tt.row])
			typo[tt.column] = "20" + typo[tt.column][3:4] + typo[tt.column][2:3] + typo[tt.column][4:] // 2026-… as 2062-…
			rows[tt.row] = typo
			e.fx.SetRows(tt.list, rows)
			for range 2 { // the second would confirm a removal the first proposed
				r := result(t, e.mustSync(tt.source), tt.source)
				if r.Rejected != 1 || r.Removed != 0 || r.PendingRemovals != 0 || r.Modified != 0 || r.RemovalsSkipped == "" || len(r.Rejects) != 1 {
					t.Fatalf("%+v", r)
				}
				if got := r.Rejects[0].Errors[0]; !strings.Contains(got.Detail, typo[tt.column]+" is after the day of the sync") {
					t.Errorf("rejected as %v, want the date %s named as one to come", got, typo[tt.column])
				}
			}
			if got := e.state(); got != clean {
				t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
			}
		})
	}
}

func TestCredentialsNeverShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const secret = "wrong-token-that-must-stay-secret"
	os.Setenv("SYNC_TEST_WRONG_TOKEN", secret)
	os.Setenv("SYNC_TEST_WRONG_KEY", secret+"-key")
	e.source(penalties).TokenEnv = "SYNC_TEST_WRONG_TOKEN"
	e.source(dishonest).TokenEnv = "SYNC_TEST_WRONG_KEY"
	res, err := e.sync(listsync.Options{}, penalties, dishonest)
	if !errors.Is(err, fetch.ErrAuth) {
		t.Fatalf("error %v, want ErrAuth", err)
	}
	var stored strings.Builder
	rows, qerr := e.s.Query(context.Background(), "SELECT url, body, error FROM raw_pages UNION ALL SELECT source, error, '' FROM sync_runs", nil)
	if qerr != nil {
		t.Fatal(qerr)
	}
	for rows.Next() {
		for _, v := range rows.Values() {
			stored.WriteString(v.(string) + "\n")
		}
	}
	rows.Close()
	if !strings.Contains(stored.String(), "token无效: [redacted]") {
		t.Errorf("the echoing 401 body was not kept (redacted) as evidence:\n%s", stored.String())
	}
	for where, text := range map[string]string{"error": err.Error(), "log": e.log.String(), "store": stored.String(), "result": result(t, res, dishonest).Err.Error()} {
		if strings.Contains(text, secret) {
			t.Errorf("the credential appears in the %s:\n%s", where, text)
		}
	}
	// A missing variable is named, not its value.
	e.source(penalties).TokenEnv = "SYNC_TEST_UNSET_TOKEN"
	if _, err := e.sync(listsync.Options{}, penalties); !errors.Is(err, fetch.ErrSecret) || !strings.Contains(err.Error(), "SYNC_TEST_UNSET_TOKEN") {
		t.Errorf("missing token: %v", err)
	}
}

func TestReviewQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	inst, _ := contract.Lookup("institutions")
	if _, err := file.Import(context.Background(), e.s, inst, "testdata/institutions.csv", file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res := e.mustSync()
	// Without a USCC: 襄城县兴业劳务服务有限公司 (penalties) matches one
	// institution; 长葛市金桥人才服务有限公司 (abnormal) none; 许昌人和劳务派遣有限公司
	// (public_eval) two.
	if q := result(t, res, penalties).Queued + result(t, res, abnormal).Queued + result(t, res, evaluations).Queued; q != 2 {
		t.Errorf("%d records queued, want 2", q)
	}
	items, err := listsync.Review(context.Background(), e.s, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("review items %+v", items)
	}
	got := map[string]int{}
	for _, it := range items {
		got[it.Name] = len(it.Candidates)
	}
	if got["长葛市金桥人才服务有限公司"] != 0 || got["许昌人和劳务派遣有限公司"] != 2 {
		t.Errorf("review items %+v", items)
	}
	// A second sync does not queue them again; an institution registered
	// under the name settles the item.
	if res := e.mustSync(abnormal); result(t, res, abnormal).Queued != 0 {
		t.Error("queued twice")
	}
	if _, err := file.Import(context.Background(), e.s, inst, writeCSV(t, "统一社会信用代码,机构名称,许可日期\n91411082MA412356XP,长葛市金桥人才服务有限公司,2020-01-01\n"), file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if items, _ := listsync.Review(context.Background(), e.s, "abnormal"); len(items) != 0 {
		t.Errorf("settled item still listed: %+v", items)
	}
	// A record imported from a file waits for a person as a synced one:
	// the review reads the lists, not how their records came.
	pen, _ := contract.Lookup("penalties")
	if _, err := file.Import(context.Background(), e.s, pen, writeCSV(t, "行政处罚决定书文号,统一社会信用代码,机构名称,处罚决定日期,处罚机关,处罚内容\n许人社罚〔2024〕99号,,许昌某某不在名录人力资源有限公司,2024-03-01,许昌市人社局,罚款\n"), file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	items, err = listsync.Review(context.Background(), e.s, "penalties")
	if err != nil || len(items) != 1 || items[0].Name != "许昌某某不在名录人力资源有限公司" || items[0].Source != "file" || items[0].RecordKey != "许人社罚〔2024〕99号" {
		t.Errorf("an imported record naming no institution: %+v, %v", items, err)
	}
}

func TestIncrementalNeverRemoves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src := e.source(penalties)
	src.Mode, src.SinceParam = listsync.ModeIncremental, "since"
	e.mustSync(penalties)
	// Only decisions since the watermark come back; the rest must stay.
	r := result(t, e.mustSync(penalties), penalties)
	if r.Removed != 0 || e.count("SELECT count() FROM penalties FINAL", nil) != 7 {
		t.Errorf("incremental sync: %+v", r)
	}
	var url string
	if err := store.QueryRow(context.Background(), e.s, "SELECT url FROM raw_pages WHERE source = {s:String} ORDER BY fetched_at DESC LIMIT 1", store.Params{"s": penalties}, &url); err != nil || !strings.Contains(url, "since=") {
		t.Errorf("last URL %q (%v): want the watermark sent", url, err)
	}
}

// A record one source dropped but another still lists stays listed.
func TestRemovalRespectsOtherSources(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.fork(t, dishonest, 1)
	e.cfg.Sources = append(e.cfg.Sources, other.cfg.Sources[0])
	e.mustSync(dishonest, other.cfg.Sources[0].Name)
	other.fx.SetRows("dishonest", without(other.fx.Rows("dishonest"), "uscc", "52411002MJ712356X0"))
	e.mustSync(other.cfg.Sources[0].Name)
	// Kept, not removed: the run said "removed 1" (siteprobe6 defect 4).
	if r := result(t, e.mustSync(other.cfg.Sources[0].Name), other.cfg.Sources[0].Name); r.Removed != 0 || r.ListedElsewhere != 1 {
		t.Fatalf("%+v; want nothing removed, 1 kept as another source lists it", r)
	}
	if n := e.count("SELECT count() FROM dishonest FINAL WHERE removed_on IS NOT NULL", nil); n != 1 {
		t.Errorf("%d dishonest rows removed, want only the one published with a removal date", n)
	}
	e.fx.SetRows("dishonest", without(e.fx.Rows("dishonest"), "uscc", "52411002MJ712356X0"))
	e.mustSync(dishonest)
	e.mustSync(dishonest)
	if n := e.count("SELECT count() FROM dishonest FINAL WHERE removed_on IS NOT NULL", nil); n != 2 {
		t.Errorf("%d dishonest rows removed once no source lists it, want 2", n)
	}
}
