package listsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
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

// parser reads an archived page without the network.
type parser interface {
	Parse(number int, body []byte, encoding string) (page, error)
}

func (f apiFetcher) Parse(number int, body []byte, encoding string) (page, error) {
	p, err := f.c.Parse(number, body, "application/json; charset="+encoding)
	return page{Number: p.Number, Body: body, Encoding: p.Encoding, Header: p.Header, Records: p.Records, Unused: p.Unused, Total: p.Total, Claimed: p.Claimed}, err
}

func (f htmlFetcher) Parse(number int, body []byte, encoding string) (page, error) {
	p, err := f.c.Parse(number, body, "text/html; charset="+encoding)
	return page{Number: p.Number, Body: body, Encoding: p.Encoding, Header: p.Header, Records: p.Records, Unused: p.Unused, Total: p.Total, Claimed: p.Claimed}, err
}

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
	f, err := src.newFetcher(cfg.Settings, l, r.log, nil, 0)
	if err != nil {
		return res, err
	}
	ps, ok := f.(parser)
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
	var pending []pendingRow
	var pages []pendingPage
	for rows.Next() {
		var number int
		var body, encoding string
		if err := rows.Scan(&number, &body, &encoding); err != nil {
			rows.Close()
			return res, err
		}
		res.Pages++
		p, err := ps.Parse(number, []byte(body), encoding)
		if err == nil {
			p = r.cleaned(p)
			err = r.checkPage(p, st.Columns)
		}
		if err != nil && res.Err == nil {
			res.Err = fmt.Errorf("page %d: %w", number, err)
		}
		pages = append(pages, pendingPage{number: number, claimed: int64(p.Claimed)})
		for i, rec := range p.Records {
			pending = append(pending, pendingRow{page: number, seq: i + 1, header: p.Header, fields: rec, headerText: fmt.Sprint(p.Header), enc: p.Encoding})
		}
	}
	if err := rows.Close(); err != nil {
		return res, err
	}
	if res.Pages == 0 {
		return res, fmt.Errorf("%w for run %s: keep_raw_pages was off, or the run fetched nothing", ErrNoPages, runID)
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
