package listsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/api"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/htmllist"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// ReplayResult is what a past run's archived pages say when read again
// through today's configuration.
type ReplayResult struct {
	Source, List, RunID string
	Pages, Rows         int
	Rejected            int
	Claimed             int // -1: no count claimed
	// Against what the store holds now: records the pages have that are
	// new or changed, and listed records they lack.
	Added, Modified, Missing int
	// Err is why the pages do not make a complete snapshot (a changed
	// layout, overlapping pages, a count that does not match), nil when
	// they do.
	Err error
}

// replayer reads a listing from a past run's answers through the code a
// live fetch runs (fetch.Archive), so that a replay decides where the
// listing ends as the run did.
type replayer interface {
	Replay(ctx context.Context, archived fetch.Archive, fn func(page) error) error
	// mediaType is what the source's answers are, for their charset.
	mediaType() string
}

func (f apiFetcher) Replay(ctx context.Context, archived fetch.Archive, fn func(page) error) error {
	return f.c.Replay(ctx, archived, func(p api.Page) error { return fn(apiPage(p)) })
}

func (apiFetcher) mediaType() string { return "application/json" }

func (f htmlFetcher) Replay(ctx context.Context, archived fetch.Archive, fn func(page) error) error {
	return f.c.Replay(ctx, archived, func(p htmllist.Page) error { return fn(htmlPage(p)) })
}

func (htmlFetcher) mediaType() string { return "text/html" }

// ErrNoPages means a run has no archived pages to replay.
var ErrNoPages = errors.New("no archived pages")

// Replay re-reads the pages a past sync run fetched, as archived in
// raw_pages (and sync_pending for a snapshot still open), through the
// source's configuration of today, without the network, and checks them
// as a sync would: after a mapping fix, or to audit what a run saw. It
// writes nothing.
func Replay(ctx context.Context, s store.Store, cfg Config, runID string) (ReplayResult, error) {
	t := sql.Target{Cluster: s.Cluster()}
	var source string
	if err := store.QueryRow(ctx, s, sql.MustQuery(t, "sync/run_source"), store.Params{"run_id": runID}, &source); err != nil {
		if err == store.ErrNoRows {
			return ReplayResult{}, fmt.Errorf("no sync run %q; the runs are in sync_runs (creditsync sql \"SELECT run_id, source, status FROM sync_runs ORDER BY started_at DESC LIMIT 20\")", runID)
		}
		return ReplayResult{}, fmt.Errorf("read sync run: %w", err)
	}
	srcs, err := cfg.Enabled([]string{source})
	if err != nil {
		return ReplayResult{}, err
	}
	src := srcs[0]
	l, _ := contract.Lookup(src.List)
	res := ReplayResult{Source: src.Name, List: src.List, RunID: runID, Claimed: -1}
	r := &runner{s: s, t: t, set: cfg.Settings, src: src, list: l, opt: Options{Logger: slog.New(slog.DiscardHandler)}, now: time.Now(),
		res: &Result{Source: src.Name, List: src.List, Claimed: -1}, log: slog.New(slog.DiscardHandler)}
	// The HTML client asks for a page more after a lone page 1 holding
	// fewer records than the snapshot before: told as the run was.
	var prev snapshotSize
	if err := store.QueryRow(ctx, s, r.q("previous_rows_before"), store.Params{"source": src.Name, "run_id": runID}, &prev.rows, &prev.rejected); err != nil && err != store.ErrNoRows {
		return res, fmt.Errorf("read the snapshot before the run: %w", err)
	}
	f, err := src.newFetcher(cfg.Settings, l, r.log, nil, prev.held())
	if err != nil {
		return res, err
	}
	rp, ok := f.(replayer)
	if !ok {
		return res, fmt.Errorf("source %s reads files: replay the file itself with creditsync import", src.Name)
	}
	st, err := r.loadState(ctx)
	if err != nil {
		return res, err
	}
	rows, err := s.Query(ctx, sql.MustQuery(t, "sync/run_pages"), store.Params{"run_id": runID})
	if err != nil {
		return res, fmt.Errorf("read the run's pages: %w", err)
	}
	archived := fetch.Archive{}
	for rows.Next() {
		var number, status int
		var body, encoding, url string
		if err := rows.Scan(&number, &body, &encoding, &status, &url); err != nil {
			rows.Close()
			return res, err
		}
		header := http.Header{}
		if encoding != "" {
			header.Set("Content-Type", rp.mediaType()+"; charset="+encoding)
		}
		archived[number] = &fetch.Response{URL: url, Status: status, Header: header, Body: []byte(body)}
	}
	if err := rows.Close(); err != nil {
		return res, err
	}
	if len(archived) == 0 {
		return res, fmt.Errorf("%w for run %s: keep_raw_pages was off, or the run fetched nothing", ErrNoPages, runID)
	}
	// The pages are read as the run read them, one after the other, and
	// the listing ends where the same code ends it.
	var pending []pendingRow
	var pages []pendingPage
	last := 0
	err = rp.Replay(ctx, archived, func(p page) error {
		res.Pages++
		last = p.Number
		p = r.cleaned(p)
		if err := r.checkPage(p, st.Columns); err != nil {
			return err
		}
		pages = append(pages, pendingPage{number: p.Number, claimed: int64(p.Claimed), url: p.URL})
		for i, rec := range p.Records {
			pending = append(pending, pendingRow{page: p.Number, seq: i + 1, header: p.Header, fields: rec, headerText: fmt.Sprint(p.Header), enc: p.Encoding})
		}
		return nil
	})
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err != nil {
		res.Err = err
		return res, nil
	}
	if past := len(archived) - res.Pages; past > 0 {
		res.Err = fmt.Errorf("the listing, read as configured today, ends on page %d, and the run kept %d page(s) past it: the source's configuration changed since the run", last, past)
		return res, nil
	}
	rd, err := r.read(pending, pages, st.Columns)
	res.Rows, res.Rejected, res.Claimed = r.res.Rows, r.res.Rejected, r.res.Claimed
	if err != nil {
		if res.Err == nil {
			res.Err = err
		}
		return res, nil
	}
	before, err := r.readRecords(ctx)
	if err != nil {
		return res, err
	}
	// The checks finalize runs on the snapshot before anything of it
	// loads: a replay says what the run would do with its pages.
	if err := r.checkTwins(before, rd.snapshot, rd.order); err != nil {
		res.Err = err
		return res, nil
	}
	reg, err := r.readRegister(ctx, rd.snapshot, before)
	if err != nil {
		return res, err
	}
	if err := r.oneListingTwice(ctx, rd, reg); err != nil {
		res.Err = err
		return res, nil
	}
	for _, key := range rd.order {
		prev, seen := before[key]
		switch {
		case !seen || prev.removedOn != nil:
			res.Added++
		case prev.hash != rd.snapshot[key].hash:
			res.Modified++
		}
	}
	for key, k := range before {
		if _, ok := rd.snapshot[key]; !ok && k.removedOn == nil {
			res.Missing++
		}
	}
	return res, nil
}
