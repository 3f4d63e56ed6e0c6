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
//     new version of its row with removed_on (lists that have it), and
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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"time"
	"unicode"
	"unicode/utf8"

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

// Reject is a record that failed validation.
type Reject struct {
	Page, Record int
	Errors       []*contract.FieldError
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
	Unchanged                       int
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
	Queued       int      // records newly queued for review
	Unused       []string // source fields the mapping does not use
	// Mislabelled are the pages whose charset label was wrong (their
	// bytes were checked and read in the charset they are in), as
	// "page N: labelled utf-8, but its bytes are GB18030".
	Mislabelled []string
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
		fmt.Fprintf(&b, "; its data is stale: last success %s ago (%s), more than max_staleness %s", age(e.Age), e.LastSuccess.UTC().Format("2006-01-02 15:04 UTC"), age(e.MaxStaleness))
	default:
		fmt.Fprintf(&b, "; its data from %s ago (%s) stands", age(e.Age), e.LastSuccess.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if hint != "" {
		b.WriteString("\nhint: " + hint)
	}
	return b.String()
}

func (e *SourceError) Unwrap() error { return e.Err }

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
			if res.Pages > 0 && !errors.Is(err, ErrAssertion) && !errors.Is(err, ErrNotProven) && !errors.Is(err, fetch.ErrClaims) && !errors.Is(err, ErrMojibake) {
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
		r.log.Info("synced", "rows", res.Rows, "added", res.Added, "modified", res.Modified, "removed", res.Removed,
			"pending_removals", res.PendingRemovals, "held_removals", res.HeldRemovals, "rejected", res.Rejected, "pages", res.Pages)
	}
	return *res
}

func (r *runner) lastSuccess(ctx context.Context, now bool) (*time.Time, error) {
	if now {
		t := time.Now().UTC()
		return &t, nil
	}
	var t *time.Time
	if err := store.QueryRow(ctx, r.s, r.q("last_success"), store.Params{"source": r.src.Name}, &t); err != nil && err != store.ErrNoRows {
		return nil, err
	}
	return t, nil
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
		same, why, err := r.firstPageUnchanged(ctx, st)
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
			if errors.Is(err, fetch.ErrClaims) {
				// A listing that contradicts itself is not resumed: the
				// next sync fetches a fresh snapshot.
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

// firstPageUnchanged fetches the listing's first page again and compares
// it with the one the open snapshot stored.
func (r *runner) firstPageUnchanged(ctx context.Context, st state) (bool, string, error) {
	var stored string
	var claimed int64
	if err := store.QueryRow(ctx, r.s, r.q("pending_first_page"), store.Params{"source": r.src.Name, "snapshot_id": st.SnapshotID}, &stored, &claimed); err != nil {
		if err == store.ErrNoRows {
			return false, "the first page was not stored", nil
		}
		return false, "", fmt.Errorf("read the open snapshot's first page: %w", err)
	}
	f, err := r.src.newFetcher(r.set, r.list, r.opt.Logger, st.Watermark)
	if err != nil {
		return false, "", err
	}
	var first page
	err = f.Fetch(ctx, "", func(p page) error {
		first = p
		return errFirstPage
	})
	if err != nil && !errors.Is(err, errFirstPage) {
		return false, "", err
	}
	if got := r.cleaned(first); pageDigest(got.Header, got.Records) != stored {
		return false, "page 1 is no longer what it was", nil
	}
	if int64(first.Claimed) != claimed {
		return false, fmt.Sprintf("the record count changed from %d to %d", claimed, first.Claimed), nil
	}
	return true, "", nil
}

// fetch stores the listing page by page; each page carries the position
// after it, so an interrupted sync resumes there. Pages are buffered and
// written in batches (see flushRecords); whatever was fetched is written
// before fetch returns, on failure and interruption too.
func (r *runner) fetch(ctx context.Context, st *state) error {
	f, err := r.src.newFetcher(r.set, r.list, r.opt.Logger, st.Watermark)
	if err != nil {
		return err
	}
	unused := map[string]bool{}
	defer func() {
		r.res.Unused = slices.Sorted(maps.Keys(unused))
		if len(unused) > 0 {
			// Once per run: a source that changed its shape is noticed.
			r.log.Warn("the source publishes fields the mapping does not use", "fields", strings.Join(r.res.Unused, ", "))
		}
	}()
	// The buffer is written even when the sync is interrupted: a write is
	// short, and what was fetched is not fetched again.
	wctx := context.WithoutCancel(ctx)
	buf := &pendingBuffer{lastFlush: time.Now()}
	stored := func(p bufferedPage) {
		for _, u := range p.unused {
			unused[u] = true
		}
		st.PagesDone++
		st.RowsDone += uint64(p.records)
		st.Position = p.position
		r.res.Pages++
		r.log.Debug("page stored", "page", p.number, "records", p.records)
	}
	fetched := st.RowsDone
	// A snapshot fetched whole by this run is what it stores: finalize
	// reads it from memory instead of back from sync_pending.
	mem := &memSnapshot{}
	if st.PagesDone > 0 {
		mem = nil
	}
	// Its records are validated meanwhile, as they arrive.
	var early *earlyValidation
	if mem != nil {
		early = r.validateEarly()
	}
	defer func() {
		if early != nil {
			early.finish()
		}
	}()
	defer func() {
		if len(r.res.Mislabelled) > 0 {
			// Once per run: the site's label is wrong, and someone
			// should know before it is wrong in a way no check catches.
			r.log.Warn("pages with a wrong charset label were read in the charset of their bytes", "pages", len(r.res.Mislabelled), "first", r.res.Mislabelled[0])
		}
	}()
	err = f.Fetch(ctx, st.Position, func(p page) error {
		if p.Mislabelled != "" {
			r.res.Mislabelled = append(r.res.Mislabelled, fmt.Sprintf("page %d: %s", p.Number, p.Mislabelled))
		}
		p = r.cleaned(p)
		if err := r.checkPage(p, st.Columns); err != nil {
			return err
		}
		position := p.Next
		if position == "" {
			position = endOfListing
		}
		r.addPage(buf, st.SnapshotID, p, position)
		if mem != nil {
			rows, ok := mem.add(p)
			switch {
			case !ok:
				mem = nil
			case len(rows) > 0 && early != nil:
				early.pages <- rows
			}
		}
		fetched += uint64(len(p.Records))
		if buf.due(time.Now()) {
			if err := r.flush(wctx, buf, stored); err != nil {
				return err
			}
		}
		if r.opt.Progress != nil {
			r.opt.Progress(Progress{Source: r.src.Name, Page: p.Number, Records: fetched, Total: p.Total})
		}
		return nil
	})
	ferr := r.flush(wctx, buf, stored)
	if werr := buf.wait(stored); ferr == nil {
		ferr = werr
	}
	if ferr != nil {
		if err == nil {
			return ferr
		}
		r.log.Error("pages fetched before the failure were not stored", "error", ferr)
	}
	if err == nil && mem != nil {
		r.mem = mem
		if early != nil {
			early.finish()
			r.mem.early, early = early, nil
		}
	}
	if err != nil {
		// The answer that failed is evidence: a challenge page, a
		// changed layout.
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Response != nil {
			resp := fe.Response
			if serr := r.storeEvidence(wctx, fe.Page, resp.URL, resp.Status, resp.Body, fe.Err.Error()); serr != nil {
				r.log.Error("the failed answer was not kept", "error", serr)
			}
		}
	}
	return err
}

// cleaned drops the columns the source is configured to ignore (a row
// number such as 序号 changes whenever rows shift, and says nothing).
func (r *runner) cleaned(p page) page {
	if len(r.src.IgnoreColumns) == 0 {
		return p
	}
	ignore := map[string]bool{}
	for _, c := range r.src.IgnoreColumns {
		ignore[columnName(c)] = true
	}
	var keep []int
	var header []string
	for i, h := range p.Header {
		if !ignore[columnName(h)] {
			keep = append(keep, i)
			header = append(header, h)
		}
	}
	if len(keep) == len(p.Header) {
		p.Unused = slices.DeleteFunc(slices.Clone(p.Unused), func(u string) bool { return ignore[columnName(u)] })
		return p
	}
	records := make([][]string, len(p.Records))
	for ri, rec := range p.Records {
		out := make([]string, 0, len(keep))
		for _, i := range keep {
			if i < len(rec) {
				out = append(out, rec[i])
			}
		}
		records[ri] = out
	}
	p.Header, p.Records = header, records
	p.Unused = slices.DeleteFunc(slices.Clone(p.Unused), func(u string) bool { return ignore[columnName(u)] })
	return p
}

// columnName compares column names as people write them: full-width and
// half-width alike, case and spaces ignored.
func columnName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(transform.NormalizeText(s)), ""))
}

// identity are the contract columns that make up a record's key, as the
// source publishes them (name stands for the derived name_key).
func (r *runner) identity() []string {
	var out []string
	for _, k := range r.list.Key {
		if k == "name_key" {
			k = "name"
		}
		out = append(out, k)
	}
	return out
}

// checkPage fails a page whose shape changed, before anything of it is
// stored: a column the last complete snapshot had is gone (renamed, say),
// or a row's key is empty. Such a page read as data would re-key every
// record, and the old keys would look removed.
func (r *runner) checkPage(p page, expected []string) error {
	if len(p.Header) == 0 && len(p.Records) == 0 {
		return nil
	}
	layout := func(format string, a ...any) error {
		e := &fetch.Error{Source: r.src.Name, URL: p.URL, Page: p.Number, Status: p.Status,
			Err: fmt.Errorf("%w: %s", fetch.ErrLayout, fmt.Sprintf(format, a...)), Hint: fetch.HintFor(fetch.ErrLayout)}
		e.Response = &fetch.Response{URL: p.URL, Status: p.Status, Body: p.Body}
		return e
	}
	m, err := r.list.Map(p.Header)
	if err != nil {
		return layout("the columns do not fit list %s: %v", r.list.Name, err)
	}
	for _, col := range expected {
		if !m.Has(col) {
			c, _ := r.list.Column(col)
			return layout("column %s (%s) is missing; the last complete snapshot had it; the page's columns are %q", col, c.Chinese, p.Header)
		}
	}
	type keyField struct {
		col string
		i   int
	}
	var keys []keyField
	for _, col := range r.identity() {
		if i := m.Index(col); i >= 0 {
			keys = append(keys, keyField{col, i})
		}
	}
	nameAt := m.Index("name")
	keyChars := r.src.skips().On(fetch.CheckKeyChars)
	for ri, rec := range p.Records {
		for _, k := range keys {
			if k.i < len(rec) && keyChars {
				// A key with a replacement or control character is a
				// page read in the wrong charset or cut apart: stored,
				// it would be a new record, and the real one would go
				// pending removal.
				if at := strings.IndexFunc(rec[k.i], badKeyRune); at >= 0 {
					r, _ := utf8.DecodeRuneInString(rec[k.i][at:])
					return layout("record %d: key field %s (%s) holds %U at byte %d: %q; the page was decoded wrongly or is corrupt", ri+1, k.col, p.Header[k.i], r, at, rec[k.i])
				}
			}
			if k.i < len(rec) && strings.TrimSpace(rec[k.i]) != "" {
				continue
			}
			// A record without a USCC is matched by its name: that is
			// data, not a broken row.
			if k.col == "uscc" && nameAt >= 0 && nameAt < len(rec) && strings.TrimSpace(rec[nameAt]) != "" {
				continue
			}
			return layout("record %d: key field %s (%s) is empty", ri+1, k.col, p.Header[k.i])
		}
	}
	return nil
}

// badKeyRune: what no key of a real list holds — U+FFFD (bytes that were
// not valid in the charset they were read in) and control characters.
func badKeyRune(r rune) bool { return r == utf8.RuneError || unicode.IsControl(r) }

// pageDigest identifies a page's content, to notice that a listing
// changed between an interrupted sync and its resumption.
func pageDigest(header []string, records [][]string) string {
	h, _ := json.Marshal(header)
	rs, _ := json.Marshal(records)
	return pageDigestOf(h, rs)
}

// pageDigestOf is pageDigest of the header and records as JSON: the
// digest of the JSON array of the two.
func pageDigestOf(header, records []byte) string {
	d := sha256.New()
	d.Write([]byte{'['})
	d.Write(header)
	d.Write([]byte{','})
	d.Write(records)
	d.Write([]byte{']'})
	return hex.EncodeToString(d.Sum(nil)[:12])
}

// parsed is a valid record of the snapshot: its key, its contract
// values as a JSON object of text (record, the form external_records
// keeps) and their hash, and the fields matching looks at.
type parsed struct {
	key                 string
	record              string
	hash                string
	extra               string
	uscc, name, nameKey string
}

// finalize proves the snapshot complete, loads it and records what it
// saw. It returns the contract columns the snapshot mapped.
// readSnapshot is a snapshot's records read under one mapping.
type readSnapshot struct {
	mapping  *contract.Mapping
	columns  []string      // contract columns the pages map
	records  []load.Parsed // validated: load.LoadParsed does not validate them again
	snapshot map[string]parsed
	order    []string
	encoding string
}

// read parses the stored records of a snapshot and proves the pages one
// listing (see prove); columns are the last complete snapshot's.
func (r *runner) read(pending []pendingRow, pages []pendingPage, columns []string) (readSnapshot, error) {
	var err error
	// Pages may name different fields (an API omits a key no record of a
	// page has): the snapshot is read, and loaded as one batch, under the
	// union of its headers.
	var header []string
	index := map[string]int{}
	seenHeader := map[string]bool{}
	encoding := ""
	for _, pr := range pending {
		if encoding == "" || pr.enc == "XLSX" {
			encoding = pr.enc
		}
		if seenHeader[pr.headerText] {
			continue
		}
		seenHeader[pr.headerText] = true
		for _, h := range pr.header {
			if _, ok := index[h]; !ok {
				index[h] = len(header)
				header = append(header, h)
			}
		}
	}
	var m *contract.Mapping
	if len(pending) > 0 {
		columns = nil
		if m, err = r.list.Map(header); err != nil {
			return readSnapshot{}, &fetch.Error{Source: r.src.Name, Err: fmt.Errorf("%w: the pages' columns do not fit list %s: %v", fetch.ErrLayout, r.list.Name, err), Hint: fetch.HintFor(fetch.ErrLayout)}
		}
		m.AllowList = r.opt.AllowList
		m.SerialDates = encoding == "XLSX"
		for _, c := range r.list.Columns {
			if m.Has(c.Key) {
				columns = append(columns, c.Key)
			}
		}
	}
	snapshot := map[string]parsed{}
	onPage := map[string]int{}
	var order []string
	var records []load.Parsed
	var valid []parsed
	if e := r.early; e != nil && e.ok && len(seenHeader) == 1 && len(e.records) == len(pending) && e.headerText == pending[0].headerText &&
		e.width == len(header) && e.serialDates == m.SerialDates {
		// Validated while the pages were fetched, under this header.
		records, valid = e.records, e.valid
	} else {
		records, valid = make([]load.Parsed, len(pending)), make([]parsed, len(pending))
		r.validate(m, pending, len(header), index, records, valid)
	}
	r.early = nil
	for i, pr := range pending {
		if errs := records[i].Errors; len(errs) > 0 {
			r.res.Rejected++
			if len(r.res.Rejects) < maxRejects {
				r.res.Rejects = append(r.res.Rejects, Reject{Page: pr.page, Record: pr.seq, Errors: errs})
			}
			continue
		}
		p := valid[i]
		if first, dup := onPage[p.key]; dup && first != pr.page && r.src.skips().On(fetch.CheckOverlap) {
			return readSnapshot{}, r.notProven("record %s is on page %d and again on page %d: the pages overlap (an unstable sort, or the list changed while it was read)", KeyText(p.key), first, pr.page)
		} else if !dup {
			onPage[p.key] = pr.page
			order = append(order, p.key)
		}
		snapshot[p.key] = p // a repeat within a page: the later wins, as in load
	}
	r.res.Rows = len(snapshot)
	if err := r.prove(pages, pending); err != nil {
		return readSnapshot{}, err
	}
	return readSnapshot{mapping: m, columns: columns, records: records, snapshot: snapshot, order: order, encoding: encoding}, nil
}

// earlyValidation validates the records of a snapshot held in memory
// while its pages are fetched, in a goroutine of its own: what read
// would do after the last page, under the first page's header. read uses
// the result when every page had that header (its union is then that
// header), and validates again otherwise.
type earlyValidation struct {
	pages chan []pendingRow
	done  chan struct{}
	// Set by the goroutine; read after finish.
	ok          bool
	headerText  string
	width       int
	serialDates bool
	records     []load.Parsed
	valid       []parsed
}

func (r *runner) validateEarly() *earlyValidation {
	if r.layout == nil {
		r.layout = newRecordLayout(r.list)
	}
	e := &earlyValidation{pages: make(chan []pendingRow, 16), done: make(chan struct{}), ok: true}
	go func() {
		defer close(e.done)
		var m *contract.Mapping
		index := map[string]int{}
		for rows := range e.pages {
			for _, pr := range rows {
				if !e.ok {
					break // drain the channel
				}
				if m == nil {
					var header []string
					for _, h := range pr.header {
						if _, ok := index[h]; !ok {
							index[h] = len(header)
							header = append(header, h)
						}
					}
					var err error
					if m, err = r.list.Map(header); err != nil {
						e.ok = false
						break
					}
					m.AllowList = r.opt.AllowList
					m.SerialDates = pr.enc == "XLSX"
					e.headerText, e.width, e.serialDates = pr.headerText, len(header), m.SerialDates
				}
				if pr.headerText != e.headerText || (pr.enc == "XLSX") != e.serialDates {
					e.ok = false
					break
				}
				fields := make([]string, e.width)
				for fi, h := range pr.header {
					if fi < len(pr.fields) {
						fields[index[h]] = pr.fields[fi]
					}
				}
				row, errs := m.Parse(fields)
				e.records = append(e.records, load.Parsed{Line: len(e.records) + 1, Fields: fields, Row: row, Errors: errs})
				var p parsed
				if len(errs) == 0 {
					p = r.parse(row)
				}
				e.valid = append(e.valid, p)
			}
		}
	}()
	return e
}

// finish waits for every page handed on to be validated.
func (e *earlyValidation) finish() {
	select {
	case <-e.done:
		return
	default:
	}
	close(e.pages)
	<-e.done
}

// validate parses every pending record under m (its fields put in the
// order of the snapshot's header, of width fields) into records and, when
// valid, valid, on every core: validation is most of a sync's own work.
func (r *runner) validate(m *contract.Mapping, pending []pendingRow, width int, index map[string]int, records []load.Parsed, valid []parsed) {
	if len(pending) == 0 {
		return
	}
	if r.layout == nil {
		r.layout = newRecordLayout(r.list)
	}
	one := func(i int) {
		pr := pending[i]
		fields := make([]string, width)
		for fi, h := range pr.header {
			if fi < len(pr.fields) {
				fields[index[h]] = pr.fields[fi]
			}
		}
		row, errs := m.Parse(fields)
		records[i] = load.Parsed{Line: i + 1, Fields: fields, Row: row, Errors: errs}
		if len(errs) == 0 {
			valid[i] = r.parse(row)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(pending)+999)/1000)
	var wg gosync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(pending); i += workers {
				one(i)
			}
		})
	}
	wg.Wait()
}

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
	r.step("validate and prove the snapshot")
	m, columns, records, snapshot, order, encoding := rd.mapping, rd.columns, rd.records, rd.snapshot, rd.order, rd.encoding
	if err := r.assert(ctx); err != nil {
		return nil, err
	}
	before, err := r.readRecords(ctx)
	if err != nil {
		return nil, err
	}
	// Before the load: a snapshot that misreads its records must leave
	// the list tables as they were.
	if err := r.checkTwins(before, snapshot, order); err != nil {
		return nil, err
	}
	if len(records) > 0 {
		ref := r.src.URL
		if r.src.Kind == KindFile {
			ref = r.src.Path
		}
		lr, err := load.LoadParsed(ctx, r.s, m, r.list, load.Source{Name: r.src.Name, Ref: ref, Encoding: encoding}, seq(records))
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", r.list.Name, err)
		}
		r.res.Batches = append(r.res.Batches, lr.BatchID)
		for _, s := range lr.Steps {
			r.res.Steps = append(r.res.Steps, load.Step{Name: "load: " + s.Name, Duration: s.Duration})
		}
		r.lap = time.Now()
	}
	if err := r.sightings(ctx, st, snapshot, order, before); err != nil {
		return nil, err
	}
	r.step("first/last seen and removals")
	err = r.queueForReview(ctx, snapshot, order)
	r.step("review queue")
	return columns, err
}

// step records how long the phase that ends now took.
func (r *runner) step(name string) {
	now := time.Now()
	if r.lap.IsZero() {
		r.lap = now
	}
	r.res.Steps = append(r.res.Steps, load.Step{Name: name, Duration: now.Sub(r.lap)})
	r.lap = now
}

// recordLayout is how parse reads a list's rows: the stored columns in
// the order of their names (the JSON object's), where each is in a row,
// and where the key columns are among them.
type recordLayout struct {
	names               []string
	index               []int // of each name in row.Values
	key                 []int // positions in names of the list's key columns
	uscc, name, nameKey int   // positions in names, -1 when absent
}

func newRecordLayout(l *contract.List) *recordLayout {
	stored := l.StoredColumns()
	names := slices.Sorted(slices.Values(stored))
	lay := &recordLayout{names: names, uscc: -1, name: -1, nameKey: -1}
	for i, n := range names {
		lay.index = append(lay.index, slices.Index(stored, n))
		switch n {
		case "uscc":
			lay.uscc = i
		case "name":
			lay.name = i
		case "name_key":
			lay.nameKey = i
		}
	}
	for _, k := range l.Key {
		lay.key = append(lay.key, slices.Index(names, k))
	}
	return lay
}

// parse derives a record's key, its contract values as text and their
// hash. The record's text is what json.Marshal makes of the map from
// column to value (keys sorted, HTML-safe escaping), written without the
// map: it is hashed, and a hash that changed counts as a modification.
func (r *runner) parse(row *contract.Row) parsed {
	lay := r.layout
	if lay == nil {
		lay = newRecordLayout(r.list)
		r.layout = lay
	}
	vals := make([]string, len(lay.names))
	b := make([]byte, 0, 512)
	b = append(b, '{')
	for i, n := range lay.names {
		vals[i] = text(row.Values[lay.index[i]])
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, n)
		b = append(b, ':')
		b = appendJSONString(b, vals[i])
	}
	b = append(b, '}')
	sum := sha256.Sum256(b)
	keys := make([]string, len(lay.key))
	for i, k := range lay.key {
		if k >= 0 {
			keys[i] = vals[k]
		}
	}
	at := func(i int) string {
		if i < 0 {
			return ""
		}
		return vals[i]
	}
	extra := ""
	if len(row.Extra) > 0 {
		e, _ := json.Marshal(row.Extra)
		extra = string(e)
	}
	return parsed{key: strings.Join(keys, "\x1f"), record: string(b), hash: hex.EncodeToString(sum[:16]), extra: extra,
		uscc: at(lay.uscc), name: at(lay.name), nameKey: at(lay.nameKey)}
}

// appendJSONString appends s as encoding/json writes a string: HTML-safe
// (<, > and & escaped), U+2028 and U+2029 escaped, invalid UTF-8 as
// U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.Format(time.DateOnly)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func (r *runner) notProven(format string, a ...any) error {
	return &fetch.Error{Source: r.src.Name, Err: fmt.Errorf("%w: %s", ErrNotProven, fmt.Sprintf(format, a...)), Hint: hintNotProven}
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
// two pages are found while parsing.)
func (r *runner) prove(pages []pendingPage, pending []pendingRow) error {
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
			return r.notProven("the source claims %d records; the pages hold %d distinct ones (%d rejected)", claimed, r.res.Rows, r.res.Rejected)
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
	var prev uint64
	if err := store.QueryRow(ctx, r.s, r.q("previous_rows"), store.Params{"source": r.src.Name}, &prev); err != nil {
		if err == store.ErrNoRows {
			return nil
		}
		return fmt.Errorf("read the previous snapshot size: %w", err)
	}
	if float64(n) < float64(prev)*(1-r.src.MaxShrink) {
		return fail("the snapshot has %d records, the previous complete one %d: it shrank by more than max_shrink %.0f%%", n, prev, r.src.MaxShrink*100)
	}
	return nil
}

// day is the calendar day in China of an instant, as a Date value.
func day(t time.Time) time.Time {
	d := t.In(zone.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// sightings records first/last seen, counts the changes, and walks the
// removals of a complete snapshot: a listed record it lacks becomes a
// pending removal; one an earlier complete snapshot lacked too is
// confirmed and removed, within the source's limits.
func (r *runner) sightings(ctx context.Context, st state, snapshot map[string]parsed, order []string, before map[string]known) error {
	now := time.Now().UTC()
	rows := make([]recordRow, 0, len(order))
	for _, key := range order {
		p := snapshot[key]
		prev, seen := before[key]
		switch {
		case !seen || prev.removedOn != nil:
			r.res.Added++
		case prev.hash != p.hash:
			r.res.Modified++
		default:
			r.res.Unchanged++
		}
		if seen && prev.removedOn == nil && prev.missedOn != nil {
			r.res.Restored++
		}
		first := now
		if seen {
			first = prev.firstSeen
		}
		rows = append(rows, recordRow{key: key, k: known{uscc: p.uscc, name: p.name, hash: p.hash, record: p.record,
			extra: p.extra, firstSeen: first, lastSeen: now, lastSnapshot: st.SnapshotID}})
	}
	if r.res.Restored > 0 {
		r.log.Info("pending removals withdrawn: the records are listed again", "records", r.res.Restored)
	}
	if r.src.Mode != ModeSnapshot {
		return r.writeRecords(ctx, rows)
	}
	if r.res.Rejected > 0 {
		// A rejected record may be one that is still listed; removing
		// it would be a guess.
		r.res.RemovalsSkipped = fmt.Sprintf("%d record(s) were rejected and might be entries still listed; nothing is removed until the snapshot validates fully", r.res.Rejected)
		r.log.Warn("removals skipped", "reason", r.res.RemovalsSkipped)
		return r.writeRecords(ctx, rows)
	}
	var missed, confirmed []string
	listed := 0
	for _, key := range slices.Sorted(maps.Keys(before)) {
		prev := before[key]
		if prev.removedOn != nil {
			continue
		}
		listed++
		if _, ok := snapshot[key]; ok {
			continue
		}
		switch {
		case prev.missedOn == nil:
			missed = append(missed, key)
		case prev.held:
			r.res.HeldRemovals++
		case prev.missedSnapshot != st.SnapshotID && prev.missedAt != nil && st.Started.Sub(*prev.missedAt) >= r.src.ConfirmRemovalsAfter:
			confirmed = append(confirmed, key)
		default:
			r.res.PendingRemovals++
		}
	}
	// First sightings of a gap: pending, dated by this snapshot.
	missedOn, missedAt := day(*st.Started), st.Started.UTC()
	var pendingRows []recordRow
	for _, key := range missed {
		k := before[key]
		k.missedOn, k.missedSnapshot, k.missedAt = &missedOn, st.SnapshotID, &missedAt
		pendingRows = append(pendingRows, recordRow{key: key, k: k})
	}
	r.res.PendingRemovals += len(missed)
	if len(missed) > 0 {
		r.log.Info("records missing from the snapshot: pending removals until a later complete snapshot confirms them", "records", len(missed))
	}
	if why := r.overLimit(len(confirmed), listed); why != "" {
		for _, key := range confirmed {
			k := before[key]
			k.held = true
			pendingRows = append(pendingRows, recordRow{key: key, k: k})
		}
		r.res.HeldRemovals += len(confirmed)
		r.res.RemovalsHeld = why
		r.log.Warn("removals held for a person", "records", len(confirmed), "reason", why)
		confirmed = nil
	}
	// The records seen and the removals pending or held in one insert:
	// their keys are distinct.
	if err := r.writeRecords(ctx, append(rows, pendingRows...)); err != nil {
		return err
	}
	return r.remove(ctx, "not in snapshots "+st.SnapshotID+" of "+r.src.Name, confirmed, before)
}

// overLimit says why n confirmed removals out of listed records are too
// many for one run, or "" when they are not.
func (r *runner) overLimit(n, listed int) string {
	switch {
	case n == 0:
		return ""
	case r.src.MaxRemovals > 0 && n > r.src.MaxRemovals:
		return fmt.Sprintf("%d confirmed removals are more than max_removals %d", n, r.src.MaxRemovals)
	case r.src.MaxRemovalShare > 0 && n >= 2 && float64(n) > r.src.MaxRemovalShare*float64(listed):
		return fmt.Sprintf("%d confirmed removals of %d listed records are more than max_removal_share %.0f%%", n, listed, r.src.MaxRemovalShare*100)
	}
	return ""
}

// remove writes confirmed removals: removed_on = the day of the first
// complete snapshot that lacked the record, in external_records and, for
// lists that have the column, in a new version of the list's row.
// last_seen stays when the record was last seen.
func (r *runner) remove(ctx context.Context, ref string, keys []string, before map[string]known) error {
	_, hasRemoved := r.list.Column("removed_on")
	var marked []recordRow
	var gone []string
	values := map[string]map[string]string{}
	for _, key := range keys {
		k := before[key]
		k.removedOn, k.held = k.missedOn, false
		marked = append(marked, recordRow{key: key, k: k})
		if !hasRemoved {
			continue
		}
		v, err := k.values()
		if err != nil {
			return fmt.Errorf("known record %q: %w", key, err)
		}
		if v["removed_on"] == "" {
			gone = append(gone, key)
			values[key] = v
		}
	}
	r.res.Removed += len(keys)
	elsewhere, err := r.listedElsewhere(ctx, gone)
	if err != nil {
		return err
	}
	var reemit [][]string
	var header []string
	for _, key := range gone {
		if !elsewhere[key] {
			if header == nil {
				header = r.removalHeader(before)
			}
			reemit = append(reemit, r.removalFields(header, values[key], before[key], *before[key].missedOn))
		}
	}
	if len(reemit) > 0 {
		m, err := r.list.Map(header)
		if err != nil {
			return fmt.Errorf("removal batch: %w", err)
		}
		m.AllowList = r.opt.AllowList
		records := make([]load.Record, len(reemit))
		for i, f := range reemit {
			records[i] = load.Record{Line: i + 1, Fields: f}
		}
		lr, err := load.Load(ctx, r.s, m, r.list, load.Source{Name: r.src.Name, Ref: ref, Encoding: "UTF-8"}, seq(records))
		if err != nil {
			return fmt.Errorf("write removals: %w", err)
		}
		if lr.Rejected > 0 {
			return fmt.Errorf("write removals: %d of %d rows rejected: %v", lr.Rejected, len(records), lr.Rejects[0].Errors[0])
		}
		r.res.Batches = append(r.res.Batches, lr.BatchID)
	}
	return r.writeRecords(ctx, marked)
}

// listedElsewhere returns which of keys another source still lists.
func (r *runner) listedElsewhere(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := r.s.Query(ctx, r.q("listed_elsewhere"), store.Params{"list": r.list.Name, "source": r.src.Name, "keys": keys})
	if err != nil {
		return nil, fmt.Errorf("check other sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// removalHeader is the contract columns, then every extra field the
// removed records carried, so their new version keeps them.
func (r *runner) removalHeader(before map[string]known) []string {
	var header []string
	for _, c := range r.list.Columns {
		header = append(header, c.Key)
	}
	extra := map[string]bool{}
	for _, k := range before {
		var e map[string]string
		if json.Unmarshal([]byte(k.extra), &e) == nil {
			for name := range e {
				extra[name] = true
			}
		}
	}
	return append(header, slices.Sorted(maps.Keys(extra))...)
}

func (r *runner) removalFields(header []string, record map[string]string, k known, day time.Time) []string {
	var extra map[string]string
	_ = json.Unmarshal([]byte(k.extra), &extra)
	fields := make([]string, len(header))
	for i, h := range header {
		switch {
		case h == "removed_on":
			fields[i] = day.Format(time.DateOnly)
		case h == "grade" && record["grade_label"] != "":
			fields[i] = record["grade_label"] // the label as published
		case i < len(r.list.Columns):
			fields[i] = record[h]
		default:
			fields[i] = extra[h]
		}
	}
	return fields
}

// queueForReview queues the snapshot's records without a USCC whose
// normalised name matches no institution or several.
func (r *runner) queueForReview(ctx context.Context, snapshot map[string]parsed, order []string) error {
	byName := map[string][]string{} // name_key → record keys
	for _, key := range order {
		p := snapshot[key]
		if p.uscc == "" && p.nameKey != "" {
			byName[p.nameKey] = append(byName[p.nameKey], key)
		}
	}
	if len(byName) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(byName))
	matches := map[string][]string{}
	rows, err := r.s.Query(ctx, r.q("institution_matches"), store.Params{"name_keys": names})
	if err != nil {
		return fmt.Errorf("match names to institutions: %w", err)
	}
	for rows.Next() {
		var nk string
		var usccs []string
		if err := rows.Scan(&nk, &usccs); err != nil {
			rows.Close()
			return err
		}
		matches[nk] = usccs
	}
	if err := rows.Close(); err != nil {
		return err
	}
	queued := map[string]bool{}
	qrows, err := r.s.Query(ctx, r.q("review_keys"), store.Params{"list": r.list.Name})
	if err != nil {
		return fmt.Errorf("read the review queue: %w", err)
	}
	for qrows.Next() {
		var k string
		if err := qrows.Scan(&k); err != nil {
			qrows.Close()
			return err
		}
		queued[k] = true
	}
	if err := qrows.Close(); err != nil {
		return err
	}
	now := time.Now().UTC()
	var add [][]any
	for _, nk := range names {
		cands := matches[nk]
		if len(cands) == 1 {
			continue
		}
		sort.Strings(cands)
		for _, key := range byName[nk] {
			if queued[key] {
				continue
			}
			add = append(add, []any{r.list.Name, key, r.src.Name, snapshot[key].name, nk, append([]string{}, cands...), now, nextVersion()})
		}
	}
	if len(add) == 0 {
		return nil
	}
	_, err = r.s.Insert(ctx, tableReview, []string{"list", "record_key", "source", "name", "name_key", "candidates", "queued_at", "version"}, seq(add))
	if err != nil {
		return fmt.Errorf("queue records for review: %w", err)
	}
	r.res.Queued = len(add)
	return nil
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
