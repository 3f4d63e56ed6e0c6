package listsync

// Proving: a snapshot loads only when its pages make one listing
// (docs/sync.md); then it is loaded as any import is.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
)

func (r *runner) notProven(format string, a ...any) error {
	return r.failed(ErrNotProven, hintNotProven, format, a...)
}

// failed is a snapshot failing with sentinel, hint saying what to do.
func (r *runner) failed(sentinel error, hint, format string, a ...any) error {
	return &fetch.Error{Source: r.src.Name, Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...)), Hint: hint}
}

// KeyText shows a record key (its parts joined by U+001F) to people.
func KeyText(key string) string {
	var parts []string
	for _, p := range strings.Split(key, "\x1f") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " | ")
}

// prove checks that the stored pages make one listing: numbered 1…N
// without a gap, none empty before the last, one record count claimed
// by all of them, and that count equal to the records held. (Keys on
// two pages are found while parsing.) repeats are the keys a page lists
// twice, named when the count falls short by them.
func (r *runner) prove(pages []pendingPage, pending []pendingRow, repeats []string) error {
	perPage := map[int]int{}
	for _, pr := range pending {
		perPage[pr.page]++
	}
	claimed := int64(-1)
	claimPage := 0
	for i, p := range pages {
		if p.number != i+1 {
			return r.notProven("page %d is missing from the snapshot (pages stored: %d to %d)", i+1, pages[0].number, pages[len(pages)-1].number)
		}
		if perPage[p.number] == 0 && i < len(pages)-1 {
			return r.notProven("page %d of %d is empty", p.number, len(pages))
		}
		if p.claimed < 0 {
			continue
		}
		if claimed >= 0 && p.claimed != claimed && r.src.skips().On(fetch.CheckRecordCount) {
			return r.notProven("the source claimed %d records on page %d and %d on page %d: the list changed while it was read", claimed, claimPage, p.claimed, p.number)
		}
		claimed, claimPage = p.claimed, p.number
	}
	r.res.Claimed = int(claimed)
	if claimed >= 0 && r.src.skips().On(fetch.CheckRecordCount) {
		if held := int64(r.res.Rows + r.res.Rejected); held != claimed {
			why := ""
			if held+int64(len(repeats)) == claimed {
				// A page showing one record twice in place of another
				// looks the same: the count cannot tell them apart.
				why = fmt.Sprintf("; the difference is %d record(s) a page lists twice: %s. If the source really lists them twice, switch the check off for it in writing (skip_checks, docs/sync.md)",
					len(repeats), strings.Join(repeats[:min(len(repeats), 5)], ", "))
			}
			return r.notProven("the source claims %d records; the pages hold %d distinct ones (%d rejected)%s", claimed, r.res.Rows, r.res.Rejected, why)
		}
	}
	return nil
}

// assert applies the source's row-count assertions to a complete
// snapshot before anything of it is loaded.
func (r *runner) assert(ctx context.Context) error {
	n := r.res.Rows
	fail := func(format string, a ...any) error {
		return &fetch.Error{Source: r.src.Name, Err: fmt.Errorf("%w: %s", ErrAssertion, fmt.Sprintf(format, a...)),
			Hint: "nothing was loaded or removed and the previous data stands; if the source is serving a partial list, wait; if the list really changed that much, sync once with --accept-shrink or adjust min_rows/max_rows/max_shrink"}
	}
	if r.src.MinRows > 0 && n < r.src.MinRows {
		return fail("the snapshot has %d records, fewer than min_rows %d", n, r.src.MinRows)
	}
	if r.src.MaxRows > 0 && n > r.src.MaxRows {
		return fail("the snapshot has %d records, more than max_rows %d", n, r.src.MaxRows)
	}
	if r.src.Mode != ModeSnapshot || r.src.MaxShrink == 0 || r.opt.AcceptShrink {
		return nil
	}
	prev, ok, err := r.previous(ctx)
	if err != nil || !ok {
		return err
	}
	if float64(n) < float64(prev.rows)*(1-r.src.MaxShrink) {
		return fail("the snapshot has %d records, the previous complete one %d: it shrank by more than max_shrink %.0f%%", n, prev.rows, r.src.MaxShrink*100)
	}
	return nil
}

// snapshotSize is what a complete snapshot held: its distinct valid
// records and those it rejected.
type snapshotSize struct{ rows, rejected uint64 }

// held is every record the snapshot held, as its count proof counts them.
func (s snapshotSize) held() int { return int(s.rows + s.rejected) }

// previous reads the size of the source's last complete snapshot; ok is
// false when there is none.
func (r *runner) previous(ctx context.Context) (size snapshotSize, ok bool, err error) {
	err = store.QueryRow(ctx, r.s, r.q("previous_rows"), store.Params{"source": r.src.Name}, &size.rows, &size.rejected)
	if err == store.ErrNoRows {
		return size, false, nil
	}
	if err != nil {
		return size, false, fmt.Errorf("read the previous snapshot size: %w", err)
	}
	return size, true, nil
}

// finalize proves the snapshot complete, loads it and records what it
// saw. It returns the contract columns the snapshot mapped.
func (r *runner) finalize(ctx context.Context, st state) ([]string, error) {
	var pending []pendingRow
	var pages []pendingPage
	if r.mem != nil {
		pending, pages, r.early = r.mem.rows, r.mem.pages, r.mem.early
		r.mem = nil
	} else {
		var err error
		if pending, err = r.readPending(ctx, st.SnapshotID); err != nil {
			return nil, err
		}
		if pages, err = r.readPages(ctx, st.SnapshotID); err != nil {
			return nil, err
		}
		r.step("read the snapshot back")
	}
	rd, err := r.read(pending, pages, st.Columns)
	if err != nil {
		return nil, err
	}
	if len(r.res.Repeated) > 0 {
		// Once per run: the site lists a record twice, which is harmless
		// but worth knowing.
		r.log.Warn("records listed twice with the same values were stored once", "records", len(r.res.Repeated), "first", r.res.Repeated[0])
	}
	r.step("validate and prove the snapshot")
	m, columns, records, snapshot, order, encoding := rd.mapping, rd.columns, rd.records, rd.snapshot, rd.order, rd.encoding
	if err := r.assert(ctx); err != nil {
		return nil, err
	}
	before, err := r.readRecords(ctx)
	if err != nil {
		return nil, err
	}
	if r.twoVersions, err = r.firstPageAgain(ctx, st, len(pages), snapshot, before); err != nil {
		return nil, err
	}
	r.step("read the known records (and page 1 again)")
	// Before the load: a snapshot that misreads its records must leave
	// the list tables as they were.
	if err := r.checkTwins(before, snapshot, order); err != nil {
		return nil, err
	}
	if r.res.Misread = r.misreadChanges(before, snapshot, order); len(r.res.Misread) > 0 {
		// Once per run, as a wrong label is: the text is valid and
		// loaded, but someone should look at the site.
		r.log.Warn("records changed only by text read in the wrong charset", "records", len(r.res.Misread), "first", r.res.Misread[0])
	}
	// What the snapshot changes in external_records is written while the
	// batch loads, and attached only when it loaded.
	reg, err := r.readRegister(ctx, snapshot, before)
	if err != nil {
		return nil, err
	}
	if err := r.oneListingTwice(ctx, rd, reg); err != nil {
		return nil, err
	}
	others, err := r.publishedElsewhere(ctx, order)
	if err != nil {
		return nil, err
	}
	plan := r.planSightings(st, snapshot, order, before, reg, others)
	if len(plan.changeHeld)+len(plan.outranked)+len(plan.noReload) > 0 {
		// A held change is not loaded: the lists keep the stored
		// version until a person accepts it. Nor is a version another
		// source's outranks, or an unchanged one that would only
		// replace another source's (see planSightings).
		kept := make([]load.Parsed, 0, len(records))
		for i, rec := range records {
			if k := rd.keys[i]; !plan.changeHeld[k] && !plan.outranked[k] && !plan.noReload[k] {
				kept = append(kept, rec)
			}
		}
		records = kept
	}
	rs := r.stageRecords(ctx, plan.rows)
	if len(records) > 0 {
		lr, err := load.LoadParsed(ctx, r.s, m, r.list, load.Source{Name: r.src.Name, Ref: r.src.location(), Encoding: encoding}, seq(records))
		if err != nil {
			err = fmt.Errorf("load %s: %w", r.list.Name, err)
			if aerr := rs.abandon(ctx); aerr != nil {
				err = errors.Join(err, aerr)
			}
			return nil, err
		}
		r.res.Batches = append(r.res.Batches, lr.BatchID)
		for _, s := range lr.Steps {
			r.res.Steps = append(r.res.Steps, load.Step{Name: "load: " + s.Name, Duration: s.Duration})
		}
		r.lap = time.Now()
	}
	if len(plan.handOver) > 0 {
		var extras []string
		for _, k := range before {
			extras = append(extras, k.extra)
		}
		if err := r.handOver(ctx, r.src.location()+", which ends them earlier than another source", plan.handOver, others, extras); err != nil {
			if aerr := rs.abandon(ctx); aerr != nil {
				err = errors.Join(err, aerr)
			}
			return nil, err
		}
	}
	if err := r.sightings(ctx, st, plan, rs, before); err != nil {
		return nil, err
	}
	r.step("first/last seen and removals")
	err = r.queueForReview(ctx, snapshot, order, plan.changeHeld)
	r.step("review queue")
	return columns, err
}
