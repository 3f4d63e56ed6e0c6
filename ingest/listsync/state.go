package listsync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Tables written with Store.Insert (row data, not statements).
const (
	tableRawPages = "raw_pages"
	tablePending  = "sync_pending"
	tableRecords  = "external_records"
	tableReview   = "review_queue"
)

// endOfListing is the position of a snapshot whose every page has been
// fetched: a run that dies before loading it goes straight to loading
// next time instead of fetching it again.
// Resume tokens are JSON, so this cannot be one.
const endOfListing = "<end of listing>"

// state is where a source's snapshot stands: its row of sync_state and,
// read from its pages, the position to resume from.
type state struct {
	SnapshotID string
	Started    *time.Time
	Watermark  *time.Time
	Position   string // resume token after the last stored page; "" = from the start
	PagesDone  uint64
	RowsDone   uint64
	// Columns are the contract columns the last complete snapshot
	// mapped: a page without one of them has changed its layout.
	Columns []string
}

// nextVersion orders the rows a process writes to ReplacingMergeTree
// tables: the engine's clock, read when a source's run loads its state
// (loadState), plus this process's monotonic time since (store.Version).
func nextVersion() uint64 { return store.NextVersion() }

func newID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (r *runner) q(name string) string { return sql.MustQuery(r.t, "sync/"+name) }

func (r *runner) loadState(ctx context.Context) (state, error) {
	var st state
	if err := store.SyncVersions(ctx, r.s); err != nil {
		return st, err
	}
	err := store.QueryRow(ctx, r.s, r.q("state_get"), store.Params{"source": r.src.Name}, &st.SnapshotID, &st.Started, &st.Watermark, &st.Columns)
	if err == store.ErrNoRows {
		return state{}, nil
	}
	if err != nil {
		return st, fmt.Errorf("read sync state: %w", err)
	}
	if st.SnapshotID == "" {
		return st, nil
	}
	err = store.QueryRow(ctx, r.s, r.q("pending_position"), store.Params{"source": r.src.Name, "snapshot_id": st.SnapshotID}, &st.Position, &st.PagesDone, &st.RowsDone)
	if err != nil {
		return st, fmt.Errorf("read the open snapshot's position: %w", err)
	}
	return st, nil
}

func (r *runner) saveState(ctx context.Context, st state) error {
	err := r.s.Exec(ctx, r.q("state_put"), store.Params{
		"source": r.src.Name, "snapshot_id": st.SnapshotID, "snapshot_started": timeOrNil(st.Started),
		"watermark": timeOrNil(st.Watermark), "columns": nonNil(st.Columns), "version": nextVersion(),
	})
	if err != nil {
		return fmt.Errorf("record sync state: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// closeSnapshot moves the snapshot's pages that are not in raw_pages
// yet (stored by earlier versions) there and drops its records: the
// snapshot was loaded, or is abandoned.
func (r *runner) closeSnapshot(ctx context.Context) error {
	if r.set.KeepRawPages {
		if err := r.s.Exec(ctx, r.q("pending_archive"), store.Params{"source": r.src.Name}); err != nil {
			return fmt.Errorf("keep raw pages: %w", err)
		}
	}
	if err := r.s.Exec(ctx, r.q("pending_clear"), store.Params{"source": r.src.Name}); err != nil {
		return fmt.Errorf("clear pending pages: %w", err)
	}
	return nil
}

// putRun writes the run's row of sync_runs.
func (r *runner) putRun(ctx context.Context, finished bool, errText string) error {
	res := r.res
	var fin any
	if finished {
		fin = time.Now().UTC()
	}
	unused := nonNil(res.Unused)
	err := r.s.Exec(ctx, r.q("run_put"), store.Params{
		"run_id": res.RunID, "source": res.Source, "list": res.List, "mode": r.src.Mode, "snapshot_id": res.SnapshotID,
		"started_at": r.now.UTC(), "finished_at": fin, "status": res.Status, "complete": res.Complete,
		"pages": uint32(res.Pages), "rows": uint64(res.Rows), "rejected": uint64(res.Rejected), "added": uint64(res.Added),
		"modified": uint64(res.Modified), "removed": uint64(res.Removed), "unchanged": uint64(res.Unchanged),
		"unused_fields": unused, "error": errText, "claimed": int64(res.Claimed), "pending_removals": uint64(res.PendingRemovals),
		"held_removals": uint64(res.HeldRemovals), "held_changes": uint64(res.HeldChanges), "restored": uint64(res.Restored), "mislabelled": nonNil(res.Mislabelled),
		"skipped_checks": nonNil(res.SkippedChecks), "version": nextVersion(),
	})
	if err != nil {
		return fmt.Errorf("record sync run: %w", err)
	}
	return nil
}

var pendingColumns = []string{"source", "snapshot_id", "page", "fetch_id", "seq", "run_id", "url", "status", "sha256", "bytes", "encoding", "body", "position", "header", "fields", "fetched_at", "claimed", "page_digest"}

// Pages are buffered and written to sync_pending in one insert when the
// buffer holds flushRecords records or flushEvery has passed since the last
// write (checked as each page arrives), at the end of the listing, and
// before a failed or interrupted fetch returns: each insert makes a part
// on disk, which one insert per page made the bottleneck of a sync.
const (
	flushRecords = 20000
	flushEvery   = 2 * time.Second
)

// bufferedPage is a page waiting in a pendingBuffer.
type bufferedPage struct {
	number   int
	records  int
	position string
	unused   []string
	end      int // rows of the buffer up to and including this page's own row
}

// pendingBuffer holds the rows of fetched pages not yet in sync_pending.
type pendingBuffer struct {
	rows      [][]any
	pages     []bufferedPage
	records   int
	raw       [][]any // the pages' rows of raw_pages
	lastFlush time.Time
	inflight  chan flushed // the write flush started, until wait ends it
}

// due says whether the buffer should be written now.
func (b *pendingBuffer) due(now time.Time) bool {
	return b.records >= flushRecords || (len(b.rows) > 0 && now.Sub(b.lastFlush) >= flushEvery)
}

// addPage buffers a page of the open snapshot: the page as received with
// the position after it, and its records. A page's records come before
// its own row, which carries the position: the store may split a large
// insert into several, and whatever prefix of it is written, no page's
// position is stored without all of its records.
//
// The page as received goes to raw_pages in the same write, not through
// sync_pending: its body is compressed once, and closing the snapshot
// copies nothing (pages stored in sync_pending with their body by
// earlier versions are still moved then).
func (r *runner) addPage(b *pendingBuffer, snapshot string, p page, position string) {
	header, _ := json.Marshal(p.Header)
	sum := sha256.Sum256(p.Body)
	now := time.Now().UTC()
	if r.set.KeepRawPages {
		b.raw = append(b.raw, []any{r.src.Name, r.res.RunID, uint32(max(p.Number, 0)), p.URL, now, uint16(p.Status), hex.EncodeToString(sum[:]),
			uint64(len(p.Body)), p.Encoding, "", string(p.Body)})
	}
	fetchID := r.res.RunID
	base := func(seq int) []any {
		return []any{r.src.Name, snapshot, uint32(p.Number), fetchID, uint32(seq), r.res.RunID}
	}
	records, _ := json.Marshal(p.Records)
	if len(p.Records) > 0 {
		// All the page's records in one row: the engine handles rows, not
		// bytes, slowly, and the header is stored once.
		fields := records
		b.rows = append(b.rows, append(base(1), "", uint16(0), "", uint64(0), p.Encoding, "", "", string(header), string(fields), now, int64(-1), ""))
	}
	b.rows = append(b.rows, append(base(0), p.URL, uint16(p.Status), hex.EncodeToString(sum[:]), uint64(len(p.Body)), p.Encoding, "", position, string(header), "", now,
		int64(p.Claimed), pageDigestOf(header, records)))
	b.pages = append(b.pages, bufferedPage{number: p.Number, records: len(p.Records), position: position, unused: p.Unused, end: len(b.rows)})
	b.records += len(p.Records)
}

// flush starts writing the buffered pages in one insert, in a goroutine
// of its own so that fetching goes on meanwhile, after the previous write
// has ended. wait ends the write in flight and calls stored for each page
// it wrote, in order; flush waits so too, and returns the error of the
// previous write, if any, without writing: pages after a gap would be
// resumed from. The buffer is emptied even when an insert fails: a
// failed insert may have written a prefix of the rows, and writing them
// again would store records twice; the pages it did not write are
// fetched again when the snapshot resumes.
func (r *runner) flush(ctx context.Context, b *pendingBuffer, stored func(bufferedPage)) error {
	err := b.wait(stored)
	b.lastFlush = time.Now()
	rows, pages, raw := b.rows, b.pages, b.raw
	b.rows, b.pages, b.raw, b.records = nil, nil, nil, 0
	if err != nil || len(rows) == 0 {
		return err
	}
	done := make(chan flushed, 1)
	b.inflight = done
	go func() {
		if len(raw) > 0 {
			if _, err := r.s.Insert(ctx, tableRawPages, rawColumns, seq(raw)); err != nil {
				done <- flushed{pages: pages, err: fmt.Errorf("keep raw pages: %w", err)}
				return
			}
		}
		n, err := r.s.Insert(ctx, tablePending, pendingColumns, seq(rows))
		if err == nil {
			n = int64(len(rows))
		}
		done <- flushed{pages: pages, n: n, err: err}
	}()
	return nil
}

var rawColumns = []string{"source", "run_id", "page", "url", "fetched_at", "status", "sha256", "bytes", "encoding", "error", "body"}

// flushed is how a write of buffered pages ended: the rows it wrote.
type flushed struct {
	pages []bufferedPage
	n     int64
	err   error
}

// wait ends the write in flight, if any (see flush).
func (b *pendingBuffer) wait(stored func(bufferedPage)) error {
	if b.inflight == nil {
		return nil
	}
	f := <-b.inflight
	b.inflight = nil
	for _, p := range f.pages {
		if int64(p.end) > f.n {
			break
		}
		stored(p)
	}
	if f.err != nil {
		if len(f.pages) == 1 {
			return fmt.Errorf("store page %d: %w", f.pages[0].number, f.err)
		}
		return fmt.Errorf("store pages %d to %d: %w", f.pages[0].number, f.pages[len(f.pages)-1].number, f.err)
	}
	return nil
}

// storeEvidence keeps an answer that failed (a challenge page, a changed
// layout) in raw_pages at once.
func (r *runner) storeEvidence(ctx context.Context, number int, url string, status int, body []byte, errText string) error {
	sum := sha256.Sum256(body)
	_, err := r.s.Insert(ctx, tableRawPages, rawColumns,
		one([]any{r.src.Name, r.res.RunID, uint32(max(number, 0)), url, time.Now().UTC(), uint16(status), hex.EncodeToString(sum[:]), uint64(len(body)), "", errText, string(body)}))
	if err != nil {
		return fmt.Errorf("store the failed answer: %w", err)
	}
	return nil
}

type pendingRow struct {
	page, seq       int
	header, fields  []string
	headerText, enc string
}

func (r *runner) readPending(ctx context.Context, snapshot string) ([]pendingRow, error) {
	rows, err := r.s.Query(ctx, r.q("pending_rows"), store.Params{"source": r.src.Name, "snapshot_id": snapshot})
	if err != nil {
		return nil, fmt.Errorf("read pending records: %w", err)
	}
	defer rows.Close()
	var out []pendingRow
	headers := map[string][]string{} // every record of a page repeats its header
	for rows.Next() {
		var pr pendingRow
		var fields string
		if err := rows.Scan(&pr.page, &pr.seq, &pr.headerText, &fields, &pr.enc); err != nil {
			return nil, err
		}
		if h, ok := headers[pr.headerText]; ok {
			pr.header = h
		} else if err := json.Unmarshal([]byte(pr.headerText), &pr.header); err != nil {
			return nil, fmt.Errorf("pending page %d: header: %w", pr.page, err)
		} else {
			headers[pr.headerText] = pr.header
		}
		if !strings.HasPrefix(fields, "[[") {
			// One record (as versions before 2026-12 stored them).
			if err := json.Unmarshal([]byte(fields), &pr.fields); err != nil {
				return nil, fmt.Errorf("pending page %d record %d: %w", pr.page, pr.seq, err)
			}
			out = append(out, pr)
			continue
		}
		var records [][]string
		if err := json.Unmarshal([]byte(fields), &records); err != nil {
			return nil, fmt.Errorf("pending page %d records: %w", pr.page, err)
		}
		for i, rec := range records {
			r := pr
			r.seq, r.fields = i+1, rec
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// memSnapshot holds the pages of a snapshot as one run stores them,
// exactly as readPending and readPages read them back: finalize uses it
// when the run fetched every page of the snapshot, instead of reading
// the snapshot back from sync_pending. Pages arrive in order and each
// once. The stored text of a record is JSON, which turns invalid UTF-8
// into U+FFFD: a page with such text is not kept (add returns false), and
// the snapshot is read back.
type memSnapshot struct {
	rows  []pendingRow
	pages []pendingPage
	early *earlyValidation // of rows, done
}

// add appends p's rows, or returns false (and appends nothing) when the
// page cannot be kept; rows are the rows it appended.
func (m *memSnapshot) add(p page) (rows []pendingRow, ok bool) {
	if n := len(m.pages); n > 0 && m.pages[n-1].number >= p.Number {
		return nil, false
	}
	for _, h := range p.Header {
		if !utf8.ValidString(h) {
			return nil, false
		}
	}
	for _, rec := range p.Records {
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return nil, false
			}
		}
	}
	m.pages = append(m.pages, pendingPage{number: p.Number, claimed: int64(p.Claimed), url: p.URL})
	if len(p.Records) == 0 {
		return nil, true
	}
	header, _ := json.Marshal(p.Header)
	start := len(m.rows)
	for i, rec := range p.Records {
		m.rows = append(m.rows, pendingRow{page: p.Number, seq: i + 1, header: p.Header, fields: rec, headerText: string(header), enc: p.Encoding})
	}
	return m.rows[start:], true
}

// pendingPage is a stored page of an open snapshot (its latest fetch):
// its number, the record count it claimed and its address (redacted).
type pendingPage struct {
	number  int
	claimed int64
	url     string
}

func (r *runner) readPages(ctx context.Context, snapshot string) ([]pendingPage, error) {
	rows, err := r.s.Query(ctx, r.q("pending_pages"), store.Params{"source": r.src.Name, "snapshot_id": snapshot})
	if err != nil {
		return nil, fmt.Errorf("read pending pages: %w", err)
	}
	defer rows.Close()
	var out []pendingPage
	for rows.Next() {
		var p pendingPage
		if err := rows.Scan(&p.number, &p.claimed, &p.url); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// known is a record as the source last published it, and where its
// removal stands: seen (missedOn nil), missed by one complete snapshot
// (a pending removal), held by the removal limits, or removed.
type known struct {
	uscc, name     string
	hash           string
	record         string // JSON object: contract column → value as text (see values)
	extra          string
	firstSeen      time.Time
	lastSeen       time.Time
	lastSnapshot   string
	removedOn      *time.Time
	missedOn       *time.Time // the first complete snapshot that lacked it
	missedSnapshot string
	missedAt       *time.Time
	held           bool
	// A change the source shows that waits for a person (see holdChange):
	// the version shown, its hash and extra fields, why it waits and
	// since when. The fields above stay the version the lists hold.
	heldRecord, heldHash, heldExtra, heldWhy string
	heldSince                                *time.Time
}

// values decodes the record's contract values; only a removal needs
// them, so they stay text until then.
func (k known) values() (map[string]string, error) {
	var v map[string]string
	if k.record == "" {
		return map[string]string{}, nil
	}
	err := json.Unmarshal([]byte(k.record), &v)
	return v, err
}

func (r *runner) readRecords(ctx context.Context) (map[string]known, error) {
	rows, err := r.s.Query(ctx, r.q("records_get"), store.Params{"source": r.src.Name, "list": r.list.Name})
	if err != nil {
		return nil, fmt.Errorf("read known records: %w", err)
	}
	defer rows.Close()
	out := map[string]known{}
	for rows.Next() {
		var k known
		var key string
		if err := rows.Scan(&key, &k.uscc, &k.name, &k.hash, &k.record, &k.extra, &k.firstSeen, &k.lastSeen, &k.lastSnapshot, &k.removedOn,
			&k.missedOn, &k.missedSnapshot, &k.missedAt, &k.held, &k.heldRecord, &k.heldHash, &k.heldExtra, &k.heldWhy, &k.heldSince); err != nil {
			return nil, err
		}
		out[key] = k
	}
	return out, rows.Err()
}

// recordRow is one new version of an external_records row.
type recordRow struct {
	key string
	k   known
}

var recordColumns = []string{"source", "list", "record_key", "uscc", "name", "row_hash", "record", "extra",
	"first_seen", "last_seen", "last_snapshot", "removed_on", "missed_on", "missed_snapshot", "missed_at", "removal_held",
	"held_record", "held_hash", "held_extra", "held_why", "held_since", "version"}

func (r *runner) writeRecords(ctx context.Context, recs []recordRow) error {
	return r.insertRecords(ctx, tableRecords, recs)
}

// insertRecords writes new versions of external_records rows to table:
// external_records itself, or a stage of it (recordStage).
func (r *runner) insertRecords(ctx context.Context, table string, recs []recordRow) error {
	if len(recs) == 0 {
		return nil
	}
	if err := store.SyncVersions(ctx, r.s); err != nil {
		return err
	}
	rows := func(yield func([]any, error) bool) {
		for _, rr := range recs {
			if !yield([]any{r.src.Name, r.list.Name, rr.key, rr.k.uscc, rr.k.name, rr.k.hash, rr.k.record, rr.k.extra,
				rr.k.firstSeen, rr.k.lastSeen, rr.k.lastSnapshot, dateOrNil(rr.k.removedOn), dateOrNil(rr.k.missedOn), rr.k.missedSnapshot,
				timeOrNil(rr.k.missedAt), rr.k.held, rr.k.heldRecord, rr.k.heldHash, rr.k.heldExtra, rr.k.heldWhy, timeOrNil(rr.k.heldSince),
				nextVersion()}, nil) {
				return
			}
		}
	}
	if _, err := r.s.Insert(ctx, table, recordColumns, rows); err != nil {
		return fmt.Errorf("record first/last seen: %w", err)
	}
	return nil
}

// recordStage writes rows of external_records to a stage table of the
// run, in a goroutine, while the snapshot's batch loads: attach makes
// them part of external_records at once after the load succeeded, and
// abandon drops them when it failed. So they are written in the time the
// load takes, and still only when it loaded.
type recordStage struct {
	r     *runner
	stage string // "" when there is nothing to write
	done  chan struct{}
	err   error // of the write; read after done
}

func (r *runner) stageRecords(ctx context.Context, recs []recordRow) *recordStage {
	rs := &recordStage{r: r, done: make(chan struct{})}
	if len(recs) == 0 {
		close(rs.done)
		return rs
	}
	rs.stage = "_stage_records_" + strings.ReplaceAll(r.res.RunID, "-", "_")
	go func() {
		defer close(rs.done)
		if err := rs.exec(ctx, "records_stage"); err != nil {
			rs.err = fmt.Errorf("record first/last seen: create the stage: %w", err)
			return
		}
		rs.err = r.insertRecords(ctx, rs.stage, recs)
	}()
	return rs
}

func (rs *recordStage) exec(ctx context.Context, name string) error {
	q, err := sql.QueryWith(rs.r.t, "sync/"+name, map[string]any{"Stage": rs.stage})
	if err != nil {
		return err
	}
	return rs.r.s.Exec(ctx, q, nil)
}

// attach waits for the write and makes its rows part of external_records.
func (rs *recordStage) attach(ctx context.Context) error {
	<-rs.done
	if rs.stage == "" {
		return nil
	}
	err := rs.err
	if err == nil {
		if err = rs.exec(ctx, "records_attach"); err != nil {
			err = fmt.Errorf("record first/last seen: %w", err)
		}
	}
	return errors.Join(err, rs.drop(ctx))
}

// abandon waits for the write and drops what it wrote.
func (rs *recordStage) abandon(ctx context.Context) error {
	<-rs.done
	if rs.stage == "" {
		return nil
	}
	return rs.drop(ctx)
}

func (rs *recordStage) drop(ctx context.Context) error {
	if err := rs.exec(context.WithoutCancel(ctx), "records_drop"); err != nil {
		return fmt.Errorf("remove table %s (drop it by hand): %w", rs.stage, err)
	}
	return nil
}

func dateOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func one(row []any) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) { yield(row, nil) }
}
