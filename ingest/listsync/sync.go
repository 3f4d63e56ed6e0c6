// Package listsync keeps creditsync's copies of the external credit lists in
// step with their sources, following OpenSanctions' zavod: a source is a
// small configured fetcher (ingest/api, ingest/htmllist, or a file drop read
// with ingest/file); each sync fetches the list page by page into
// sync_pending, and only a complete listing that passes its row-count
// assertions is loaded (through load.Load, like any import). Then:
//
//   - records seen get first_seen/last_seen (external_records), and the
//     run counts what was added, modified and removed;
//   - a snapshot is complete only when it proves it: every page parsed
//     with the columns the source published before, no key on two
//     pages, no empty page before the last, the count the source claims
//     (API total, 共N条) equal to the distinct records held;
//   - a record missing from a complete snapshot is a pending removal,
//     which changes nothing; a later complete snapshot that lacks it too
//     confirms it, and only then is it removed, dated by the first: a
//     new version of its row with removed_on (lists that have it; the
//     others keep the record, reported as no longer published), and
//     removed_on in external_records. More confirmed removals than the
//     source's limits are held for a person (AcceptRemovals);
//   - records without a USCC whose name matches no institution or several
//     go to the review queue;
//   - fields the mapping does not use are reported once per run.
//
// A failed, partial or malformed fetch changes none of that: the previous
// state stands, the source is reported stale with its age, and the next
// sync resumes from the last page stored.
package listsync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Run statuses in sync_runs.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusPartial = "partial" // some pages fetched, then a failure or an interruption; resumable
	StatusFailed  = "failed"
)

// ErrAssertion means a complete snapshot failed its row-count
// assertions; nothing of it was loaded or removed.
var ErrAssertion = errors.New("row-count assertion failed")

// ErrNotProven means the pages fetched do not prove the listing
// complete: they overlap, skip, or disagree with the count the source
// claims. Nothing of it was loaded or removed, and the next sync starts
// the snapshot over.
var ErrNotProven = errors.New("the pages do not prove the listing complete")

// hintNotProven is what a person can do about ErrNotProven.
const hintNotProven = "nothing was loaded or removed and the previous data stands; the next sync fetches a fresh snapshot. " +
	"If it keeps failing, the site serves an inconsistent listing (an unstable sort, a wrong total): 'creditsync sync --replay RUN' shows what a run saw"

// Options tune Run.
type Options struct {
	Sources []string // names to sync; empty = every enabled source
	// Full discards interrupted snapshots and fetches from the first page.
	Full bool
	// AcceptShrink skips the max_shrink assertion, once, for a list that
	// really did shrink.
	AcceptShrink bool
	AllowList    transform.USCCAllowList
	Logger       *slog.Logger
	Progress     func(Progress)
	Now          func() time.Time
}

// Progress reports a fetched page. Pages are stored in batches: a page
// reported is stored by the time Run returns, whatever the outcome, unless
// storing it fails.
type Progress struct {
	Source  string
	Page    int
	Records uint64 // records fetched in the snapshot so far
	Total   int    // as the source announces it (records or pages), -1 if not
}

// Reject is a record that failed validation: record Record (from 1) of
// page Page.
type Reject struct {
	Page, Record int
	Errors       []*contract.FieldError
}

// String says where the record is and what is wrong with it: "page 3
// record 2: column 列入日期: invalid date: …".
func (rj Reject) String() string {
	why := make([]string, len(rj.Errors))
	for i, e := range rj.Errors {
		why[i] = e.Error()
	}
	return fmt.Sprintf("page %d record %d: %s", rj.Page, rj.Record, strings.Join(why, "; "))
}

// maxRejects bounds the rejects kept in a Result; all of them are in
// import_rejects.
const maxRejects = 200

// Result is what one source's sync did.
type Result struct {
	Source, List, RunID, SnapshotID string
	Status                          string
	Complete                        bool // the whole listing was fetched and loaded
	Resumed                         int  // pages of the snapshot fetched by earlier runs
	Pages                           int  // pages fetched and stored by this run
	Rows                            int  // distinct valid records in the loaded snapshot
	Rejected                        int
	Rejects                         []Reject
	Added, Modified, Removed        int
	// Unpublished are confirmed removals from a list that has no removal
	// date (penalties, public_eval): the source no longer shows them,
	// external_records says so, and the list keeps them, so no grade
	// changes (see remove).
	Unpublished int
	Unchanged   int
	// Claimed is the record count the source claimed, -1 if none.
	Claimed int
	// PendingRemovals are listed records this snapshot lacks that wait
	// for a second complete snapshot; HeldRemovals are confirmed ones
	// held by the removal limits; Restored are pending removals
	// withdrawn because the record was seen again.
	PendingRemovals, HeldRemovals, Restored int
	// RemovalsSkipped says why a complete snapshot removed nothing.
	RemovalsSkipped string
	// RemovalsHeld says why confirmed removals wait for a person.
	RemovalsHeld string
	// HeldChanges are changes the source shows to listed records that
	// wait for a person, all told: the lists keep the stored version
	// (AcceptChanges); ChangesHeld says why those held by this run wait.
	HeldChanges int
	ChangesHeld string
	// ListedElsewhere are records this source shows ended, or ending
	// earlier, that another source lists in force longer, and records
	// it no longer publishes (a confirmed removal) that another source
	// still lists: the lists keep that source's version (docs/sync.md
	// §4), and ElsewhereWhy names the records and the sources. They
	// count neither as Removed nor as Unpublished.
	ListedElsewhere int
	ElsewhereWhy    string
	Queued          int      // records newly queued for review
	Unused          []string // source fields the mapping does not use
	// Mislabelled are the pages whose charset label was wrong (their
	// bytes were checked and read in the charset they are in), as
	// "page N: labelled utf-8, but its bytes are GB18030".
	Mislabelled []string
	// Misread are the modified records whose new text outside the key is
	// the old text read in the wrong charset (or the other way round), as
	// "record K: reason \"鏈…\" is \"未按…\" misread (UTF-8 read as GB18030)".
	Misread []string
	// Repeated are the records a snapshot holds again under a key, with
	// the same values, stored once: "决定书文号 X is on page 1 records 2
	// and 3, with the same values: stored once". (Different values under
	// one key fail the sync: ErrKeyConflict.)
	Repeated []string
	// SkippedChecks are the checks the source's configuration switched
	// off, "check: reason" (skip_checks).
	SkippedChecks []string
	Batches       []string // load batch ids
	// Steps are how long each phase of the run took (for --verbose and
	// the benchmarks); the load's own phases are prefixed "load: ".
	Steps       []load.Step
	Err         error
	LastSuccess *time.Time
	Stale       bool
}

// SourceError is a failed source, with how stale its data now is.
type SourceError struct {
	Source       string
	Err          error
	LastSuccess  *time.Time
	Age          time.Duration
	MaxStaleness time.Duration
}

func (e *SourceError) Error() string {
	msg, hint, _ := strings.Cut(e.Err.Error(), "\nhint: ")
	var b strings.Builder
	// Fetch errors start with the source's name too.
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, e.Source+": "), e.Source+" ")
	fmt.Fprintf(&b, "source %s: %s", e.Source, msg)
	switch {
	case e.LastSuccess == nil:
		b.WriteString("; it has never synced successfully")
	case e.Age > e.MaxStaleness:
		fmt.Fprintf(&b, "; its data is stale: last success %s ago (%s), more than max_staleness %s", age(e.Age), clock(*e.LastSuccess), age(e.MaxStaleness))
	default:
		fmt.Fprintf(&b, "; its data from %s ago (%s) stands", age(e.Age), clock(*e.LastSuccess))
	}
	if hint != "" {
		b.WriteString("\nhint: " + hint)
	}
	return b.String()
}

func (e *SourceError) Unwrap() error { return e.Err }

// DataAge says how old a source's data is, for run reports: "data from
// 2026-12-05 16:06 CST, 23h old", or that it was never synced.
func DataAge(last *time.Time, now time.Time) string {
	if last == nil {
		return "never synced: no data"
	}
	return "data from " + clock(*last) + ", " + age(now.Sub(*last)) + " old"
}

// clock writes an instant as the bureau reads it, in Asia/Shanghai.
func clock(t time.Time) string { return t.In(zone.Shanghai).Format("2006-01-02 15:04 MST") }

// age writes a duration in days past two days, else hours, else seconds.
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + "d"
	case d >= time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
	return d.Round(time.Second).String()
}

// Run syncs the chosen sources one after the other. Every source gets a
// Result; the error joins the *SourceError of each failed one.
func Run(ctx context.Context, s store.Store, cfg Config, opt Options) ([]Result, error) {
	sources, err := cfg.Enabled(opt.Sources)
	if err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	var results []Result
	var errs []error
	for _, src := range sources {
		if ctx.Err() != nil {
			break
		}
		res := syncSource(ctx, s, cfg.Settings, src, opt)
		results = append(results, res)
		if res.Err != nil {
			errs = append(errs, res.Err)
		}
	}
	if err := ctx.Err(); err != nil && len(errs) == 0 {
		errs = append(errs, err)
	}
	return results, errors.Join(errs...)
}

type runner struct {
	s    store.Store
	t    sql.Target
	set  Settings
	src  Source
	list *contract.List
	opt  Options
	log  *slog.Logger
	now  time.Time
	res  *Result
	// layout is how parse reads the list's rows, made at the first.
	layout *recordLayout
	// mem is the snapshot as this run fetched and stored it, when it
	// fetched every page of it (see memSnapshot).
	mem   *memSnapshot
	early *earlyValidation // of mem, for read
	lap   time.Time        // when the current step began
	// twoVersions says why the snapshot's pages may be of two versions
	// of the listing (firstPageAgain): it removes nothing.
	twoVersions string
}

func syncSource(ctx context.Context, s store.Store, set Settings, src Source, opt Options) Result {
	now := opt.Now()
	l, _ := contract.Lookup(src.List) // validated with the config
	res := &Result{Source: src.Name, List: src.List, RunID: newID(now), Status: StatusRunning, Claimed: -1, SkippedChecks: src.Skipped()}
	r := &runner{s: s, t: sql.Target{Cluster: s.Cluster()}, set: set, src: src, list: l, opt: opt, now: now, res: res,
		log: opt.Logger.With("source", src.Name), lap: time.Now()}
	if len(res.SkippedChecks) > 0 {
		// Every run says so: a check off is a guarantee off.
		r.log.Warn("checks switched off by the configuration (skip_checks)", "checks", strings.Join(res.SkippedChecks, "; "))
	}
	err := r.run(ctx)
	// The outcome is recorded even when the sync was interrupted.
	bg := context.WithoutCancel(ctx)
	errText := ""
	if err != nil {
		if res.Status == StatusRunning || res.Status == StatusOK {
			res.Status = StatusFailed
			if res.Pages > 0 && !errors.Is(err, ErrAssertion) && !errors.Is(err, ErrNotProven) && !errors.Is(err, fetch.ErrClaims) && !errors.Is(err, ErrMojibake) && !errors.Is(err, ErrKeyConflict) {
				res.Status = StatusPartial
			}
		}
		errText = err.Error()
	}
	if perr := r.putRun(bg, true, errText); perr != nil && err == nil {
		err = perr
		res.Status = StatusFailed
	}
	last, lerr := r.lastSuccess(bg, res.Status == StatusOK)
	if lerr == nil {
		res.LastSuccess = last
		res.Stale = last == nil || now.Sub(*last) > src.staleAfter(set)
	}
	if err != nil {
		se := &SourceError{Source: src.Name, Err: err, LastSuccess: last, MaxStaleness: src.staleAfter(set)}
		if last != nil {
			se.Age = now.Sub(*last)
		}
		res.Err = se
		first, _, _ := strings.Cut(err.Error(), "\nhint: ")
		r.log.Error("sync failed", "status", res.Status, "pages", res.Pages, "error", first)
	} else {
		r.log.Info("synced", "rows", res.Rows, "added", res.Added, "modified", res.Modified, "removed", res.Removed, "unpublished", res.Unpublished,
			"pending_removals", res.PendingRemovals, "held_removals", res.HeldRemovals, "held_changes", res.HeldChanges, "listed_elsewhere", res.ListedElsewhere, "rejected", res.Rejected, "pages", res.Pages)
	}
	return *res
}

func (r *runner) run(ctx context.Context) error {
	st, err := r.loadState(ctx)
	if err != nil {
		return err
	}
	resume := st.SnapshotID != "" && !r.opt.Full && r.src.Kind != KindFile && st.Started != nil && r.now.Sub(*st.Started) <= r.set.ResumeWithin
	if resume && st.PagesDone > 0 && st.Position != endOfListing {
		// Pages fetched by an earlier run are only worth keeping if the
		// listing has not changed since: a record dropped on page 1
		// shifts every later row, and stitching the old pages to the new
		// ones would lose one record and keep another twice.
		same, why, err := r.listingUnchanged(ctx, st)
		if err != nil {
			return err
		}
		if !same {
			r.log.Info("the source changed since the interrupted snapshot; starting over", "snapshot", st.SnapshotID, "reason", why)
			resume = false
		}
	}
	if resume {
		r.res.Resumed = int(st.PagesDone)
		r.log.Info("resuming an interrupted snapshot", "snapshot", st.SnapshotID, "pages_done", st.PagesDone, "records", st.RowsDone)
	} else {
		if st.SnapshotID != "" {
			r.log.Info("starting over", "abandoned_snapshot", st.SnapshotID, "pages_done", st.PagesDone, "full", r.opt.Full)
			if err := r.closeSnapshot(ctx); err != nil {
				return err
			}
		}
		started := r.now.UTC()
		st = state{SnapshotID: r.res.RunID, Started: &started, Watermark: st.Watermark, Columns: st.Columns}
		if err := r.saveState(ctx, st); err != nil {
			return err
		}
	}
	r.res.SnapshotID = st.SnapshotID
	if err := r.putRun(ctx, false, ""); err != nil {
		return err
	}

	r.step("prepare")
	if st.Position != endOfListing {
		if err := r.fetch(ctx, &st); err != nil {
			if errors.Is(err, fetch.ErrClaims) || errors.Is(err, ErrNotProven) || errors.Is(err, ErrAssertion) {
				// A listing that contradicts itself, or goes on past its
				// count or max_rows, is not resumed: the next sync
				// fetches a fresh snapshot.
				bg := context.WithoutCancel(ctx)
				cerr := r.closeSnapshot(bg)
				if cerr == nil {
					cerr = r.saveState(bg, state{Watermark: st.Watermark, Columns: st.Columns})
				}
				return errors.Join(err, cerr)
			}
			return err
		}
	}
	r.step("fetch and store the pages")
	columns, err := r.finalize(ctx, st)
	if err != nil && len(st.Columns) == 0 {
		err = firstRead(err)
	}
	if err != nil {
		// A snapshot that cannot be loaded is not resumed: the next sync
		// fetches a fresh one.
		bg := context.WithoutCancel(ctx)
		cerr := r.closeSnapshot(bg)
		if cerr == nil {
			cerr = r.saveState(bg, state{Watermark: st.Watermark, Columns: st.Columns})
		}
		if cerr != nil {
			return errors.Join(err, fmt.Errorf("abandon the snapshot (the next sync resumes it instead): %w", cerr))
		}
		return err
	}
	watermark := st.Watermark
	if r.src.Mode == ModeIncremental {
		watermark = st.Started
	}
	if err := r.closeSnapshot(ctx); err != nil {
		return err
	}
	if err := r.saveState(ctx, state{Watermark: watermark, Columns: columns}); err != nil {
		return err
	}
	r.step("close the snapshot")
	r.res.Status, r.res.Complete = StatusOK, true
	return nil
}

// errFirstPage stops a fetch after its first page.
var errFirstPage = errors.New("first page read")

// step records how long the phase that ends now took.
func (r *runner) step(name string) {
	now := time.Now()
	if r.lap.IsZero() {
		r.lap = now
	}
	r.res.Steps = append(r.res.Steps, load.Step{Name: name, Duration: now.Sub(r.lap)})
	r.lap = now
}

// seq yields a slice as an error-free sequence, the shape load and the
// store take.
func seq[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}
