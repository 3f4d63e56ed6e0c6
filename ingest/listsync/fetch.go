package listsync

// Fetching: the pages of a snapshot, each checked as it arrives (its
// columns, its keys, its digest) and stored in raw_pages.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/htmllist"
	"github.com/xuchang-hrss/creditsync/transform"
)

// fetch stores the listing page by page; each page carries the position
// after it, so an interrupted sync resumes there. A page is checked as it
// arrives (checkPage), then stored and validated in a goroutine of its
// own (storePages) while the next page is fetched. Pages are buffered and
// written in batches (see flushRecords); whatever was fetched is written
// before fetch returns, on failure and interruption too.
func (r *runner) fetch(ctx context.Context, st *state) error {
	// An incremental listing holds what changed, and may be as short as
	// it likes.
	var prev snapshotSize
	if r.src.Mode == ModeSnapshot {
		var err error
		if prev, _, err = r.previous(ctx); err != nil {
			return err
		}
	}
	f, err := r.src.newFetcher(r.set, r.list, r.opt.Logger, st.Watermark, prev.held())
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
	var mem *memSnapshot
	if st.PagesDone == 0 {
		mem = &memSnapshot{}
	}
	// The buffer is written even when the sync is interrupted: a write is
	// short, and what was fetched is not fetched again.
	sp := r.storePages(context.WithoutCancel(ctx), st.SnapshotID, stored, mem)
	defer func() {
		if len(r.res.Mislabelled) > 0 {
			// Once per run: the site's label is wrong, and someone
			// should know before it is wrong in a way no check catches.
			r.log.Warn("pages with a wrong charset label were read in the charset of their bytes", "pages", len(r.res.Mislabelled), "first", r.res.Mislabelled[0])
		}
	}()
	bound := r.newListingBound()
	err = f.Fetch(ctx, st.Position, func(p page) error {
		if p.Mislabelled != "" {
			r.res.Mislabelled = append(r.res.Mislabelled, fmt.Sprintf("page %d: %s", p.Number, p.Mislabelled))
		}
		p = r.cleaned(p)
		if err := r.checkPage(p, st.Columns); err != nil {
			return err
		}
		if err := bound.page(p); err != nil {
			return err
		}
		if err := sp.failed(); err != nil {
			// A write failed: pages after it would leave a gap.
			return err
		}
		sp.pages <- p
		fetched += uint64(len(p.Records))
		if r.opt.Progress != nil {
			r.opt.Progress(Progress{Source: r.src.Name, Page: p.Number, Records: fetched, Total: p.Total})
		}
		return nil
	})
	close(sp.pages)
	<-sp.done
	if ferr := sp.err; ferr != nil && ferr != err {
		if err == nil {
			return ferr
		}
		r.log.Error("pages fetched before the failure were not stored", "error", ferr)
	}
	if err == nil && sp.mem != nil {
		r.mem = sp.mem
		if sp.early != nil {
			sp.early.finish()
			r.mem.early, sp.early = sp.early, nil
		}
	}
	if sp.early != nil {
		sp.early.finish()
	}
	if err != nil && len(st.Columns) == 0 {
		err = firstRead(err)
	}
	if err != nil {
		// The answer that failed is evidence: a challenge page, a
		// changed layout.
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Response != nil {
			resp := fe.Response
			if serr := r.storeEvidence(context.WithoutCancel(ctx), fe.Page, resp.URL, resp.Status, resp.Body, fe.Err.Error()); serr != nil {
				r.log.Error("the failed answer was not kept", "error", serr)
			}
		}
	}
	return err
}

// pageStore stores the pages fetch checked, in order, in a goroutine of
// its own: buffered and written in batches (flush), kept in memory (mem)
// and validated meanwhile (early) when the run fetches the whole
// snapshot. After a write failed it stores nothing more: pages after a
// gap would be resumed from.
type pageStore struct {
	pages chan page
	done  chan struct{}
	// Set by the goroutine; read after done.
	mem   *memSnapshot
	early *earlyValidation
	err   error // the first write that failed
	fail  atomic.Pointer[error]
}

// failed returns the error of a write that failed so far, if any.
func (sp *pageStore) failed() error {
	if e := sp.fail.Load(); e != nil {
		return *e
	}
	return nil
}

// storePages starts the goroutine of a pageStore; stored is called for
// each page written, in order. mem nil: the run does not hold the
// snapshot in memory.
func (r *runner) storePages(ctx context.Context, snapshot string, stored func(bufferedPage), mem *memSnapshot) *pageStore {
	sp := &pageStore{pages: make(chan page, 8), done: make(chan struct{}), mem: mem}
	if mem != nil {
		// Its records are validated meanwhile, as they arrive.
		sp.early = r.validateEarly()
	}
	buf := &pendingBuffer{lastFlush: time.Now()}
	setErr := func(err error) {
		sp.err = err
		sp.fail.Store(&err)
	}
	go func() {
		defer close(sp.done)
		for p := range sp.pages {
			if sp.err != nil {
				continue // drain
			}
			position := p.Next
			if position == "" {
				position = endOfListing
			}
			r.addPage(buf, snapshot, p, position)
			if sp.mem != nil {
				rows, ok := sp.mem.add(p)
				switch {
				case !ok:
					sp.mem = nil
				case len(rows) > 0 && sp.early != nil:
					sp.early.pages <- rows
				}
			}
			if buf.due(time.Now()) {
				if err := r.flush(ctx, buf, stored); err != nil {
					setErr(err)
				}
			}
		}
		if sp.err != nil {
			return
		}
		err := r.flush(ctx, buf, stored)
		if werr := buf.wait(stored); err == nil {
			err = werr
		}
		if err != nil {
			setErr(err)
		}
	}()
	return sp
}

// ErrNotAsConfigured means the pages of a source that has never
// completed a sync do not read as it is configured (its selectors, its
// header, its field mapping): what is a layout change (fetch.ErrLayout,
// which it wraps) once a sync has read the source, since nothing can
// have changed before.
var ErrNotAsConfigured = errors.New("the pages do not read as configured")

// hintNotAsConfigured is what a person can do about ErrNotAsConfigured.
const hintNotAsConfigured = "no sync of this source has completed, so nothing changed on its side: check the source's configuration (row_selector, header_selector or cells, fields, ignore_columns, page_count_selector and record_count_selector with their patterns) against the page kept in raw_pages"

// notAsConfigured is a layout error of a source never synced, or a count
// its page 1 does not state as configured: it reads as
// ErrNotAsConfigured and is still what it wraps (fetch.ErrLayout,
// fetch.ErrIncomplete).
type notAsConfigured struct{ err error }

func (e notAsConfigured) Error() string {
	msg := e.err.Error()
	for _, sentinel := range []error{fetch.ErrLayout, fetch.ErrIncomplete} {
		if errors.Is(e.err, sentinel) {
			return strings.Replace(msg, sentinel.Error(), ErrNotAsConfigured.Error()+" (the source has never synced)", 1)
		}
	}
	return ErrNotAsConfigured.Error() + " (the source has never synced): " + msg
}

func (e notAsConfigured) Unwrap() error        { return e.err }
func (e notAsConfigured) Is(target error) bool { return target == ErrNotAsConfigured }

// firstRead words a layout error of a source that has never completed a
// sync (no columns known from a complete snapshot) as the configuration
// not fitting the pages: a first sync can never be a layout change. So is
// a count its page 1 does not state where the configuration says
// (htmllist.ErrUnreadClaim: a page_count_pattern that does not read the
// pager): no page before it stated one, so nothing broke off. (Its hint
// said "the listing broke off; the next sync resumes from the last
// complete page", and the next sync failed the same way.) On a later
// page it is a page cut short, as on any sync.
func firstRead(err error) error {
	var fe *fetch.Error
	if !errors.As(err, &fe) || !errors.Is(fe.Err, fetch.ErrLayout) && !(errors.Is(fe.Err, htmllist.ErrUnreadClaim) && fe.Page == 1) {
		return err
	}
	fe.Err, fe.Hint = notAsConfigured{fe.Err}, hintNotAsConfigured
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
	refuse := func(sentinel error, hint, format string, a ...any) error {
		e := &fetch.Error{Source: r.src.Name, URL: p.URL, Page: p.Number, Status: p.Status,
			Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...)), Hint: hint}
		e.Response = &fetch.Response{URL: p.URL, Status: p.Status, Body: p.Body}
		return e
	}
	layout := func(format string, a ...any) error {
		return refuse(fetch.ErrLayout, fetch.HintFor(fetch.ErrLayout), format, a...)
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
					// A page of the wrong text, not of another
					// layout: reported as a layout change, its hint
					// sent people to the selectors.
					return refuse(fetch.ErrCharset, hintKeyChars, "record %d: key field %s (%s) holds %U at byte %d: %q; the page was decoded wrongly or is corrupt", ri+1, k.col, p.Header[k.i], r, at, rec[k.i])
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

// hintKeyChars is what a person can do about a key holding U+FFFD or a
// control character.
const hintKeyChars = "the text is broken, not the layout: bytes decoded in the wrong charset, by the site or a system before it (U+FFFD is what a decoder writes for bytes it could not read), or a corrupt page. Nothing of the snapshot was stored; check the page kept in raw_pages and the site (key_chars may be switched off only in writing)"

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
