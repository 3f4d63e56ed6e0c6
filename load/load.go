// Package load writes validated records of one list into the store as a
// batch: rows go to a stage table, ClickHouse keeps only the new or
// changed ones (so loading the same data twice changes nothing), and the
// batch and every rejected record are recorded for review.
package load

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/registered"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Source says where a batch came from.
type Source struct {
	Name     string // "file" for imports, else the sync source's name
	Ref      string // file path or URL
	Encoding string
	// Digest, if set, returns what identifies everything the batch's
	// rows follow from (see Repeat), or "" when that is unknown. It is
	// recorded with the batch, and called only when needed: by Repeat
	// when the list's last batch has a digest to compare, and when the
	// batch is recorded, so that it may be computed while the batch is
	// read.
	Digest func() string
	// KeepAbsent says that a column the input does not have is unknown,
	// so records already stored keep their values there (keptColumns): a
	// file a clerk made with some of the columns. A sync's snapshot is
	// the source's whole view of a record instead — a listing it shows
	// without 移出日期 is listed — and leaves it false.
	KeepAbsent bool
	// RefuseConflicts says that a key the batch gives twice with
	// different values rejects each of its records (refuseConflicts): a
	// file's later line is not the truth for being later. Identical
	// repeats are one record.
	RefuseConflicts bool
	// Replaces, if set, is an earlier batch of the same list that this
	// one corrects: the records whose current version that batch wrote
	// and this one lacks are withdrawn (a row entered by mistake, a key
	// mistyped), every version of each.
	Replaces string
}

// Record is one input record.
type Record struct {
	Line   int
	Fields []string
	// Errors are what the caller found wrong with the record beyond
	// Mapping.Parse (a key given again, with other values, in another
	// sheet of the file): it is rejected with them.
	Errors []*contract.FieldError
}

// Reject is a record that failed validation: its line, or its place in
// the document Ref names when that is not the batch's (see Parsed).
type Reject struct {
	Line   int
	Ref    string
	Errors []*contract.FieldError
	Fields []string
}

// Result summarises a batch.
type Result struct {
	BatchID    string
	List       string
	Read       int64 // records read
	Valid      int64 // records that passed validation
	Loaded     int64 // new or changed rows written
	Unchanged  int64 // valid rows identical to what was stored
	Duplicates int64 // rows whose key repeats later in the same batch
	Rejected   int64
	Rejects    []Reject
	ByReason   map[string]int64
	Extra      []string // input columns the contract does not know
	// Withdrawn are the keys of the records withdrawn because the batch
	// Source.Replaces names wrote them and this one lacks them, each
	// written as its key's values joined by " / ".
	Withdrawn []string
	// Replaced is the batch whose records the batch replaced when
	// Source.Replaces names one that read nothing but repeats it (see
	// Replaced); "" otherwise.
	Replaced string
	// WithdrawalHeld is set when the batch replaces another but some of
	// its records were rejected: nothing was withdrawn (see withdraw).
	WithdrawalHeld bool
	// DatedAhead are the batch's rows dated after the day of the load in
	// a column of something that has happened (a licence granted, a
	// violation handled, a listing): stored, with a warning (datedAhead).
	DatedAhead DatedAhead
	// Kept are the list's columns the input lacks: records already
	// stored kept their values there (see keptColumns).
	Kept  []string
	Steps []Step // how long each phase took
	// Repeats is set when the batch was not read because it repeats
	// this earlier batch (see Repeat).
	Repeats string
}

// Reasons returns the reject reasons sorted by count, then name.
func (r Result) Reasons() []string {
	out := make([]string, 0, len(r.ByReason))
	for k := range r.ByReason {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if r.ByReason[out[i]] != r.ByReason[out[j]] {
			return r.ByReason[out[i]] > r.ByReason[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// rowsPerPart is how many staged rows one change-detection pass handles:
// it deduplicates and compares them in memory inside the engine, so this
// bounds the engine's memory for batches of any size.
var rowsPerPart = 1_000_000 // a variable so tests can use small parts

// Step is how long one phase of a load took (for --verbose and the
// benchmarks).
type Step struct {
	Name     string
	Duration time.Duration
}

// Load validates records with m and writes the good ones of list. A
// record's error never stops the batch; a store error does, and then
// nothing of the batch reaches the list's table.
//
// How: the rows go to a stage table with the list's sorting key, and the
// engine computes each row's content hash. If the list's table is empty
// and no key repeats, the stage is the batch. Otherwise change detection,
// in parts of rowsPerPart to bound the engine's memory, gathers the new
// or changed rows in a ready table. Its parts are attached to the list's
// table in one transaction; then the rows that concern registered
// institutions are copied for grading (package registered), and last the
// batch is recorded in import_batches: its record says the batch is whole.
// From the attach on, the batch is finished whatever happens to ctx; if
// the process dies or the copy fails before the record, the batch's stage
// and ready tables stay, and FinishLeftovers completes the copy from them.
// So the copies never hold a row the lists do not (grading reads the
// copies), and a batch recorded always has its rows: a file imported again
// after a crash is read again, not taken for the batch before it.
func Load(ctx context.Context, s store.Store, m *contract.Mapping, list *contract.List, src Source, records iter.Seq2[Record, error]) (Result, error) {
	return LoadParsed(ctx, s, m, list, src, parse(m, records))
}

// parse validates records with m as they are read.
func parse(m *contract.Mapping, records iter.Seq2[Record, error]) iter.Seq2[Parsed, error] {
	return func(yield func(Parsed, error) bool) {
		for rec, err := range records {
			if err != nil {
				yield(Parsed{}, err)
				return
			}
			p := Parsed{Line: rec.Line, Fields: rec.Fields}
			p.Row, p.Errors = m.Parse(rec.Fields)
			if len(rec.Errors) > 0 {
				p.Row, p.Errors = nil, append(p.Errors, rec.Errors...)
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// Parsed is a record its caller validated with the batch's mapping
// (Mapping.Parse): Row when it passed, Errors when it did not.
type Parsed struct {
	Line   int
	Fields []string // the record as read; recorded with a reject
	Row    *contract.Row
	Errors []*contract.FieldError
	// Ref and RefLine, when Ref is set, are where a rejected record is
	// within a batch read from several documents (a sync's pages: a
	// page's address and the record's place on it): its reject is
	// recorded there instead of at the batch's Source.Ref and Line.
	Ref     string
	RefLine int
}

// LoadParsed is Load for records validated already, so that a caller
// that must check them before loading (a sync proves its snapshot first)
// does not validate every record twice. Rows must come from m; records
// with Errors are rejected and recorded like Load's.
func LoadParsed(ctx context.Context, s store.Store, m *contract.Mapping, list *contract.List, src Source, records iter.Seq2[Parsed, error]) (res Result, err error) {
	return loadParsed(ctx, s, m, list, src, records, nil)
}

func loadParsed(ctx context.Context, s store.Store, m *contract.Mapping, list *contract.List, src Source, records iter.Seq2[Parsed, error], engine EngineRows) (res Result, err error) {
	started := time.Now().UTC()
	res = Result{BatchID: newBatchID(started), List: list.Name, ByReason: map[string]int64{}, Extra: m.Extra()}
	t := sql.Target{Cluster: s.Cluster()}
	stored := list.StoredColumns()
	data := map[string]any{
		"Table":   list.Name,
		"Stage":   "_stage_" + res.BatchID,
		"Ready":   "_ready_" + res.BatchID,
		"Key":     strings.Join(list.Key, ", "),
		"Order":   sortingKey(list.Key),
		"Hashed":  strings.Join(stored, ", "),
		"Columns": strings.Join(list.TableColumns(), ", "),
		// Set when the columns kept as extra are carried over (extraKept).
		"ExtraCompared": false,
	}
	// q renders a statement of sql/queries/load with the batch's names;
	// rendered when it is needed, since data changes as the load goes on.
	q := func(name string) (string, error) {
		text, err := sql.QueryWith(t, "load/"+name, data)
		if err != nil {
			return "", fmt.Errorf("load into %s: %w", list.Name, err)
		}
		return text, nil
	}
	lap := started
	step := func(name string) {
		now := time.Now()
		res.Steps = append(res.Steps, Step{Name: name, Duration: now.Sub(lap)})
		lap = now
	}
	exec := func(ctx context.Context, name string, params store.Params) error {
		text, err := q(name)
		if err != nil {
			return err
		}
		return s.Exec(ctx, text, params)
	}
	var first bool
	text, err := q("list_empty")
	if err != nil {
		return res, err
	}
	if err := store.QueryRow(ctx, s, text, nil, &first); err != nil {
		return res, fmt.Errorf("look into %s: %w", list.Name, err)
	}
	create := func(name string) error {
		if err := exec(ctx, "create_"+name, nil); err != nil {
			return fmt.Errorf("create %s table: %w", name, err)
		}
		return nil
	}
	keep := false // the batch's tables are needed to complete it (FinishLeftovers)
	drop := func(name, key string) {
		if keep {
			return
		}
		if derr := exec(context.WithoutCancel(ctx), "drop_"+name, nil); derr != nil {
			err = errors.Join(err, fmt.Errorf("remove table %s of batch %s (drop it by hand): %w", data[key], res.BatchID, derr))
		}
	}
	if err := create("stage"); err != nil {
		return res, err
	}
	defer drop("stage", "Stage")
	if err := exec(ctx, "stage_row_hash", nil); err != nil {
		return res, fmt.Errorf("prepare stage table: %w", err)
	}

	loadedAt := started
	version, err := store.Version(ctx, s)
	if err != nil {
		return res, err
	}
	if engine != nil {
		n, err := engine(ctx, Stage{Table: data["Stage"].(string), BatchID: res.BatchID, LoadedAt: loadedAt, Version: version, Source: src})
		if err != nil {
			return res, fmt.Errorf("stage %s rows the engine read: %w", list.Name, err)
		}
		res.Read += n
		res.Valid += n
	}
	var srcErr error
	rows := ahead(func(yield func([]any, error) bool) {
		for rec, err := range records {
			if err != nil {
				srcErr = err
				yield(nil, err)
				return
			}
			res.Read++
			row, errs := rec.Row, rec.Errors
			if len(errs) > 0 {
				res.Rejected++
				rj := Reject{Line: rec.Line, Errors: errs, Fields: rec.Fields}
				if rec.Ref != "" {
					rj.Line, rj.Ref = rec.RefLine, rec.Ref
				}
				res.Rejects = append(res.Rejects, rj)
				for _, e := range errs {
					res.ByReason[e.Reason]++
				}
				continue
			}
			res.Valid++
			extra := ""
			if len(row.Extra) > 0 {
				b, _ := json.Marshal(row.Extra)
				extra = string(b)
			}
			vals := append(row.Values, src.Name, src.Ref, uint32(rec.Line), res.BatchID, loadedAt, version, extra)
			if !yield(vals, nil) {
				return
			}
		}
	})
	if _, err := s.Insert(ctx, data["Stage"].(string), append(append([]string{}, stored...), contract.MetaColumns...), rows); err != nil {
		if srcErr != nil {
			return res, srcErr
		}
		return res, fmt.Errorf("stage %s rows: %w", list.Name, err)
	}
	step("read, validate and stage")
	staged, keys, err := countKeys(ctx, s, q)
	if err != nil {
		return res, err
	}
	if src.RefuseConflicts && staged > keys {
		n, err := refuseConflicts(ctx, s, m, list, &res, data, q, exec)
		if err != nil {
			return res, err
		}
		if n > 0 {
			if staged, keys, err = countKeys(ctx, s, q); err != nil {
				return res, err
			}
		}
		step("reject keys given twice with different values")
	}
	res.Duplicates = staged - keys
	step("count keys")
	if src.KeepAbsent {
		if res.DatedAhead, err = datedAhead(ctx, s, m, list, started, q, data); err != nil {
			return res, err
		}
	}
	if src.Replaces != "" {
		// What a corrected file shares with the batch it replaces
		// beside a record: an institution (replaced_overlap).
		var by []string
		for _, c := range []string{"uscc", "name_key"} {
			if slices.Contains(stored, c) && !slices.Equal(list.Key, []string{c}) {
				by = append(by, c)
			}
		}
		data["SharedBy"] = by
		// A rejected line may be the very record the corrected file
		// keeps (its date mistyped again): what the file "lacks" is
		// not known until every line of it is read, so nothing is
		// withdrawn — the fund fraud of a rejected line was withdrawn
		// and the grade rose from D to B.
		res.WithdrawalHeld = res.Rejected > 0
		var replaced string
		if res.Withdrawn, replaced, err = withdraw(ctx, s, list, src.Replaces, data["Stage"].(string), res.WithdrawalHeld, q); err != nil {
			return res, err
		}
		if replaced != src.Replaces {
			res.Replaced = replaced
		}
		step("withdraw what the corrected file lacks")
	}
	data["From"] = data["Stage"]
	if first && res.Duplicates == 0 {
		// A first load: every staged row is new.
		res.Loaded = staged
	} else {
		if err := create("ready"); err != nil {
			return res, err
		}
		defer drop("ready", "Ready")
		detect := "changed_rows"
		kept := keptColumns(m, list)
		extra, err := extraKept(ctx, s, m, list, src, first, q)
		if err != nil {
			return res, err
		}
		if src.KeepAbsent && (len(kept) > 0 || extra) && !first {
			res.Kept = kept
			if extra {
				kept = append(slices.Clone(kept), "extra")
				data["ExtraCompared"] = true
			}
			data["Kept"] = strings.Join(kept, ", ")
			data["KeptSelect"] = keptSelect(list, kept, m.Extra())
			detect = "changed_rows_kept"
			if on, ok := versionedByDate(list); ok {
				data["On"] = on
				data["KeptSelect"] = keptSelectOwned(list, kept, m.Extra())
				detect = "changed_rows_kept_owned"
			}
		}
		if data["Changed"], err = q(detect); err != nil {
			return res, err
		}
		parts := uint64(1 + staged/int64(rowsPerPart))
		for part := range parts {
			if err := exec(ctx, "insert_changed", store.Params{"parts": parts, "part": part}); err != nil {
				return res, fmt.Errorf("compare %s rows with the stored ones: %w", list.Name, err)
			}
		}
		if text, err = q("count_ready"); err != nil {
			return res, err
		}
		changed, err := store.Count(ctx, s, text, nil)
		if err != nil {
			return res, fmt.Errorf("count new or changed %s rows: %w", list.Name, err)
		}
		res.Loaded = changed
		data["From"] = data["Ready"]
		step("compare with the stored rows")
	}
	res.Unchanged = keys - res.Loaded
	if res.Loaded > 0 {
		if err := exec(ctx, "attach", nil); err != nil {
			// The attach is one transaction: none of the batch is in the list.
			err = fmt.Errorf("write %s: %w", list.Name, err)
			failed := res
			failed.Loaded, failed.Unchanged = 0, 0
			if rerr := record(context.WithoutCancel(ctx), s, t, failed, src, started, err.Error()); rerr != nil {
				return res, errors.Join(err, rerr)
			}
			return res, err
		}
		step("attach")
		// The batch is in the list: it is completed, whatever happens
		// to ctx (an interrupt now would leave it for FinishLeftovers).
		ctx = context.WithoutCancel(ctx)
		if err := copyRegistered(ctx, s, list, data["From"].(string)); err != nil {
			keep = true
			return res, fmt.Errorf("%w (the batch's rows are in %s; the next command that writes completes the copy)", err, list.Name)
		}
		step("copy entries about registered institutions")
	}
	if err := record(ctx, s, t, res, src, started, ""); err != nil {
		return res, err
	}
	step("record")
	return res, nil
}

// refuseConflicts rejects the staged rows of every key the batch gives
// more than once with different values, and takes them out of the
// stage: a register whose lines 3 and 9 disagree on a licence's state
// does not say which holds, and the later line won by its place alone (a
// cancelled licence valid again). It returns how many rows it rejected.
func refuseConflicts(ctx context.Context, s store.Store, m *contract.Mapping, list *contract.List, res *Result, data map[string]any, q func(string) (string, error), exec func(context.Context, string, store.Params) error) (int, error) {
	var shown, differ []string
	for _, k := range list.Key {
		if k == "name_key" {
			k = "argMin(name, source_line)" // as the first line writes the name the key folds
		}
		shown = append(shown, "toString("+k+")")
	}
	headers := map[string]string{}
	for _, c := range list.Columns {
		if m.Has(c.Key) && !slices.Contains(list.Key, c.Key) {
			// uniqExact leaves NULLs out (and the engine takes
			// injective functions out of it): a date and none
			// differ by isNull.
			differ = append(differ, fmt.Sprintf("if(uniqExact(%[1]s) > 1 OR uniqExact(isNull(%[1]s)) > 1, '%[1]s', '')", c.Key))
			headers[c.Key] = m.Header(c.Key)
		}
	}
	headers["extra"] = "the columns kept with the record"
	if ex := m.Extra(); len(ex) > 0 {
		headers["extra"] = strings.Join(ex, ", ")
	}
	data["KeyShown"] = strings.Join(shown, ", ")
	data["Differ"] = strings.Join(differ, ", ")
	text, err := q("stage_conflicts")
	if err != nil {
		return 0, err
	}
	rows, err := s.Query(ctx, text, nil)
	if err != nil {
		return 0, fmt.Errorf("look for %s keys given twice with different values: %w", list.Name, err)
	}
	var lines []int64
	for rows.Next() {
		vals := rows.Values()
		n := len(list.Key)
		var key []string
		for i, k := range list.Key {
			if v := fmt.Sprint(vals[i]); v != "" {
				if k == "name_key" {
					k = "name"
				}
				key = append(key, m.Header(k)+" "+v)
			}
		}
		// Arrays come as []any, their numbers in the engine's widths.
		var at []uint32
		var cols []string
		for _, v := range anys(vals[n]) {
			var l uint32
			if err := store.Assign(&l, v); err != nil {
				rows.Close()
				return 0, fmt.Errorf("look for %s keys given twice with different values: %w", list.Name, err)
			}
			at = append(at, l)
		}
		for _, v := range anys(vals[n+1]) {
			cols = append(cols, fmt.Sprint(v))
		}
		var named []string
		for _, c := range cols {
			named = append(named, headers[c])
		}
		places := make([]string, len(at))
		for i, l := range at {
			places[i] = fmt.Sprint("line ", l)
		}
		times := "twice"
		if len(at) > 2 {
			times = fmt.Sprintf("%d times", len(at))
		}
		detail := fmt.Sprintf("record %s is given %s with different values: %s (they differ in %s); none of them is stored, and a record already stored keeps its values: keep the one that is right and import the file again",
			strings.Join(key, ", "), times, joinAnd(places), strings.Join(named, ", "))
		for _, l := range at {
			res.Rejects = append(res.Rejects, Reject{Line: int(l), Errors: []*contract.FieldError{{Value: strings.Join(key, ", "), Reason: contract.ReasonRepeated, Detail: detail}}})
			res.ByReason[contract.ReasonRepeated]++
			lines = append(lines, int64(l))
		}
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("look for %s keys given twice with different values: %w", list.Name, err)
	}
	if len(lines) == 0 {
		return 0, nil
	}
	slices.SortStableFunc(res.Rejects, func(a, b Reject) int { return a.Line - b.Line })
	res.Rejected += int64(len(lines))
	res.Valid -= int64(len(lines))
	if err := exec(ctx, "start_stage_merges", nil); err != nil {
		return 0, fmt.Errorf("prepare to take rejected rows out of the stage: %w", err)
	}
	if err := exec(ctx, "drop_conflicts", store.Params{"lines": lines}); err != nil {
		return 0, fmt.Errorf("take the rows of keys given twice with different values out of the stage: %w", err)
	}
	return len(lines), nil
}

// anys is an array value as a slice of its elements.
func anys(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return nil
}

// joinAnd joins ss as "a, b and c".
func joinAnd(ss []string) string {
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " and " + ss[len(ss)-1]
}

// withdraw takes from list the records whose current version the batch
// replaces wrote and the stage lacks, from the list's copy for grading
// first; it returns their keys, and the batch replaced (replaces, or the
// batch it repeats, see Replaced). Nothing is withdrawn unless replaces
// is a batch of the list, nothing when held (the batch has rejected lines),
// and the batch is refused when it shares none of the records replaces
// wrote, nor their institutions (another county's file, another sheet:
// every record would go).
func withdraw(ctx context.Context, s store.Store, list *contract.List, replaces, stage string, held bool, q func(string) (string, error)) ([]string, string, error) {
	rb, err := Replaced(ctx, s, list, replaces)
	if err != nil {
		return nil, "", err
	}
	replaces = rb.ID
	if held {
		return nil, replaces, nil
	}
	text, err := q("replaced_overlap")
	if err != nil {
		return nil, replaces, err
	}
	var current, shared uint64
	if err := store.QueryRow(ctx, s, text, store.Params{"replaces": replaces}, &current, &shared); err != nil {
		return nil, replaces, fmt.Errorf("compare the file with batch %s: %w", replaces, err)
	}
	if current > 0 && shared == 0 {
		return nil, replaces, fmt.Errorf("%w: batch %s (%s) wrote %d %s record(s) and this file holds none of them, nor any of their institutions, so replacing it would withdraw every one — is it another county's file, another sheet, another list? Nothing was withdrawn or written: import the file that corrects batch %s with --replaces %s, and this one without --replaces",
			ErrNothingShared, replaces, rb.Ref, current, list.Name, replaces, replaces)
	}
	if text, err = q("withdrawn_keys"); err != nil {
		return nil, replaces, err
	}
	rows, err := s.Query(ctx, text, store.Params{"replaces": replaces})
	if err != nil {
		return nil, replaces, fmt.Errorf("find the %s records to withdraw: %w", list.Name, err)
	}
	var keys []string
	for rows.Next() {
		parts := make([]string, 0, len(list.Key))
		for _, v := range rows.Values() {
			if t, ok := v.(time.Time); ok {
				v = t.Format(time.DateOnly)
			}
			parts = append(parts, fmt.Sprint(v))
		}
		keys = append(keys, strings.Join(parts, " / "))
	}
	if err := rows.Close(); err != nil {
		return nil, replaces, fmt.Errorf("find the %s records to withdraw: %w", list.Name, err)
	}
	if len(keys) == 0 {
		return nil, replaces, nil
	}
	if err := registered.Withdraw(ctx, s, list, stage, replaces); err != nil {
		return nil, replaces, err
	}
	if text, err = q("withdraw"); err != nil {
		return nil, replaces, err
	}
	if err := s.Exec(ctx, text, store.Params{"replaces": replaces}); err != nil {
		return nil, replaces, fmt.Errorf("withdraw %d %s record(s): %w", len(keys), list.Name, err)
	}
	return keys, replaces, nil
}

// DatedAhead counts a batch's rows dated after the day of its load, and
// names the first of them ("line 5 查处日期 2099-07-21").
type DatedAhead struct {
	Rows  int64
	First []string
}

// aheadAllowed are the date columns whose day may lie ahead: the end of
// a penalty's publicity is set when the decision is made.
var aheadAllowed = []string{"publicity_ended_on"}

// datedAhead finds the file's rows dated after today in Xuchang (a year
// typed 2099 for 2009, 2062 for 2026). They are stored — a clerk may
// record a day that is known to come — but printed: a violation dated
// ahead counts for nothing until its day, then all at once. Syncs refuse
// such rows instead (a site cannot have published what has not happened).
func datedAhead(ctx context.Context, s store.Store, m *contract.Mapping, l *contract.List, now time.Time, q func(string) (string, error), data map[string]any) (DatedAhead, error) {
	var pairs []string
	for _, c := range l.Columns {
		if c.Kind == contract.Date && m.Has(c.Key) && !slices.Contains(aheadAllowed, c.Key) {
			pairs = append(pairs, fmt.Sprintf("(%s, toDate32(%s))", transform.SQLString(c.Chinese), c.Key))
		}
	}
	if len(pairs) == 0 {
		return DatedAhead{}, nil
	}
	data["Dates"] = "[" + strings.Join(pairs, ", ") + "]"
	text, err := q("dated_ahead")
	if err != nil {
		return DatedAhead{}, err
	}
	rows, err := s.Query(ctx, text, store.Params{"today": zone.Day(now).Format(time.DateOnly)})
	if err != nil {
		return DatedAhead{}, fmt.Errorf("look for %s rows dated ahead: %w", l.Name, err)
	}
	var out DatedAhead
	for rows.Next() {
		var line uint32
		var column, day string
		if err := rows.Scan(&line, &column, &day, &out.Rows); err != nil {
			rows.Close()
			return DatedAhead{}, fmt.Errorf("look for %s rows dated ahead: %w", l.Name, err)
		}
		out.First = append(out.First, fmt.Sprintf("line %d %s %s", line, column, day))
	}
	if err := rows.Close(); err != nil {
		return DatedAhead{}, fmt.Errorf("look for %s rows dated ahead: %w", l.Name, err)
	}
	return out, nil
}

// ErrNothingShared: a corrected file holds none of the records of the
// batch it names as the one it replaces.
var ErrNothingShared = errors.New("the file shares no record with the batch it replaces")

// ReplacedBatch is the batch a corrected file replaces, and where it was
// read from (its source_ref: a path, path[sheet] in a workbook of
// several sheets).
type ReplacedBatch struct {
	ID, Ref string
}

// Replaced finds the batch of list a corrected file replaces when it
// names batch: batch itself, or, when batch was recorded without reading
// its input because it repeats an earlier one (Repeat: the same file
// imported again), the batch that wrote the records — followed back to
// it, so that --replaces the batch the second import printed is not a
// silent no-op. ErrNoBatch when batch is no batch of list.
func Replaced(ctx context.Context, s store.Store, list *contract.List, batch string) (ReplacedBatch, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "load/replaced_batches"), store.Params{"batch_id": batch, "list": list.Name})
	if err != nil {
		return ReplacedBatch{}, fmt.Errorf("look for batch %s: %w", batch, err)
	}
	defer rows.Close()
	var out ReplacedBatch
	digest := ""
scan:
	for rows.Next() {
		var id, d, ref string
		if err := rows.Scan(&id, &d, &ref); err != nil {
			return ReplacedBatch{}, fmt.Errorf("look for batch %s: %w", batch, err)
		}
		switch {
		case out.ID == "" && id == batch:
			out, digest = ReplacedBatch{ID: id, Ref: ref}, d
		case out.ID == "":
			// A batch finished in the same millisecond, after it.
		case digest != "" && d == digest:
			// The batch after this one was recorded without reading
			// its input, the same as this one's: this one wrote.
			out = ReplacedBatch{ID: id, Ref: ref}
		default:
			break scan
		}
	}
	if err := rows.Err(); err != nil {
		return ReplacedBatch{}, fmt.Errorf("look for batch %s: %w", batch, err)
	}
	if out.ID == "" {
		return ReplacedBatch{}, fmt.Errorf("%w: %s is no batch of %s (the batch a corrected file replaces is the one its import printed, or import_batches lists)", ErrNoBatch, batch, list.Name)
	}
	return out, nil
}

// ErrNoBatch: the batch a corrected file names as the one it replaces is
// not a batch of the list.
var ErrNoBatch = errors.New("no such batch")

// keptColumns are the list's columns the input does not have, apart
// from the key: unknown, not empty. A register sent without 承诺书签订日期
// or 区县代码, a list file without 移出日期, would otherwise erase what
// is stored there — commitments, a county set by hand, removals — and
// grades would follow. Records already stored keep those values; new
// ones take the column's default. A derived column goes with the column
// it is derived from (name_key with name).
func keptColumns(m *contract.Mapping, l *contract.List) []string {
	if l == contract.Submissions() {
		// A 附件2 filing is a whole table of its own (its key holds the
		// filing): nothing is carried into it from another.
		return nil
	}
	var kept []string
	for _, c := range l.Columns {
		if !m.Has(c.Key) && !slices.Contains(l.Key, c.Key) {
			kept = append(kept, c.Key)
		}
	}
	if slices.Contains(kept, "name") && slices.Contains(l.Derived, "name_key") && !slices.Contains(l.Key, "name_key") {
		kept = append(kept, "name_key")
	}
	return kept
}

// extraKept reports whether a file's batch must carry the columns kept
// as extra (contract.Row.Extra: 备注, 联系人 …) over from the records
// stored: when the file has such columns, or the list holds any. A
// file without 备注 erased the remarks of every record it changed, and
// one whose 备注 alone changed was "unchanged" (the row hash covers the
// contract's columns): extra is then merged (mergedExtra) and compared.
func extraKept(ctx context.Context, s store.Store, m *contract.Mapping, l *contract.List, src Source, first bool, q func(string) (string, error)) (bool, error) {
	if !src.KeepAbsent || first || l == contract.Submissions() {
		return false, nil
	}
	if len(m.Extra()) > 0 {
		return true, nil
	}
	text, err := q("list_has_extra")
	if err != nil {
		return false, err
	}
	var has bool
	if err := store.QueryRow(ctx, s, text, nil, &has); err != nil {
		return false, fmt.Errorf("look into %s: %w", l.Name, err)
	}
	return has, nil
}

// mergedExtra is the extra of a row whose stored record's extra is old:
// the stored columns the file does not have (fileExtra) stay, the file's
// replace theirs — an empty cell of a column the file has clears it.
func mergedExtra(old string, fileExtra []string) string {
	if len(fileExtra) == 0 {
		return old
	}
	m := fmt.Sprintf("mapSort(mapUpdate(mapFilter((k, v) -> NOT has(%s, k), JSONExtract(%s, 'Map(String, String)')), JSONExtract(n.extra, 'Map(String, String)')))",
		transform.SQLStrings(fileExtra), old)
	return fmt.Sprintf("if(%[1]s = '', n.extra, if(empty(%[2]s), '', toJSONString(%[2]s)))", old, m)
}

// keptSelect is the select list of changed_rows_kept: every column of
// the list's table from the batch's row n, but the kept ones from the
// stored row o when there is one (extra merged, mergedExtra). The key
// columns are joined on.
func keptSelect(l *contract.List, kept, fileExtra []string) string {
	var cols []string
	for _, c := range l.TableColumns() {
		switch {
		case slices.Contains(l.Key, c):
			cols = append(cols, c)
		case c == "extra" && slices.Contains(kept, c):
			cols = append(cols, mergedExtra("if(o._stored = 1, o.extra, n.extra)", fileExtra)+" AS extra")
		case slices.Contains(kept, c):
			cols = append(cols, fmt.Sprintf("if(o._stored = 1, o.%[1]s, n.%[1]s) AS %[1]s", c))
		default:
			cols = append(cols, fmt.Sprintf("n.%[1]s AS %[1]s", c))
		}
	}
	return strings.Join(cols, ", ")
}

// versionedByDate reports whether grading reads list's rows of one
// institution and date as versions of one record (its key holds the name
// beside a date: abnormal, dishonest, public_eval), and which date.
func versionedByDate(l *contract.List) (on string, ok bool) {
	on = l.Dated.On
	return on, on != "" && slices.Contains(l.Key, "name_key") && slices.Contains(l.Key, "uscc")
}

// keptSelectOwned is keptSelect for a list versioned by date
// (changed_rows_kept_owned): a kept column takes the value of the
// record's latest version — u, by the row's USCC and date, or b's version
// without a USCC under its name, whichever was loaded last; for a row
// without a USCC, b's latest under its name.
func keptSelectOwned(l *contract.List, kept, fileExtra []string) string {
	var cols []string
	for _, c := range l.TableColumns() {
		i := slices.Index(kept, c)
		if i < 0 {
			cols = append(cols, fmt.Sprintf("n.%[1]s AS %[1]s", c))
			continue
		}
		stored := fmt.Sprintf("multiIf("+
			"n.uscc != '' AND u.found = 1 AND (b.bare = 0 OR u.ver >= b.ver_bare), tupleElement(u.v, %[2]d), "+
			"n.uscc != '' AND b.bare = 1, tupleElement(b.v_bare, %[2]d), "+
			"n.uscc = '' AND b.found = 1, tupleElement(b.v_any, %[2]d), "+
			"n.%[1]s)", c, i+1)
		if c == "extra" {
			stored = mergedExtra(stored, fileExtra)
		}
		cols = append(cols, stored+" AS "+c)
	}
	return strings.Join(cols, ", ")
}

// copyRegistered copies the rows of from, a batch attached to list, that
// concern registered institutions (package registered).
func copyRegistered(ctx context.Context, s store.Store, list *contract.List, from string) error {
	if list.Name == "institutions" {
		return registered.AddInstitutions(ctx, s, from)
	}
	return registered.AddBatch(ctx, s, list, from)
}

// countKeys returns the rows of the stage and their distinct keys: from
// the keys' hashes when no two of them agree (then no key repeats), else
// counted exactly.
func countKeys(ctx context.Context, s store.Store, q func(string) (string, error)) (staged, keys int64, err error) {
	text, err := q("count_stage_hashes")
	if err != nil {
		return 0, 0, err
	}
	var hashes int64
	if err := store.QueryRow(ctx, s, text, nil, &staged, &hashes); err != nil {
		return 0, 0, fmt.Errorf("count staged rows: %w", err)
	}
	if hashes == staged {
		return staged, staged, nil
	}
	if text, err = q("count_stage_keys"); err != nil {
		return 0, 0, err
	}
	if err := store.QueryRow(ctx, s, text, nil, &staged, &keys); err != nil {
		return 0, 0, fmt.Errorf("count staged keys: %w", err)
	}
	return staged, keys, nil
}

// aheadBatch is how many rows ahead hands on at a time.
const aheadBatch = 512

// ahead runs seq in a goroutine of its own and hands its rows on in
// batches, so that reading and validating records (there) and encoding
// them for the engine (in the caller's goroutine) use two cores. Ranging
// over the result ends only when seq's goroutine has, so whatever seq
// writes is safe to read afterwards. If the caller stops early, seq stops
// when it next hands on a batch.
func ahead(seq iter.Seq2[[]any, error]) iter.Seq2[[]any, error] {
	type batch struct {
		rows [][]any
		err  error
	}
	return func(yield func([]any, error) bool) {
		batches := make(chan batch, 4)
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			defer close(batches)
			send := func(b batch) bool {
				select {
				case batches <- b:
					return true
				case <-stop:
					return false
				}
			}
			cur := make([][]any, 0, aheadBatch)
			for row, err := range seq {
				if err != nil {
					send(batch{rows: cur, err: err})
					return
				}
				cur = append(cur, row)
				if len(cur) == aheadBatch {
					if !send(batch{rows: cur}) {
						return
					}
					cur = make([][]any, 0, aheadBatch)
				}
			}
			if len(cur) > 0 {
				send(batch{rows: cur})
			}
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for b := range batches {
			for _, r := range b.rows {
				if !yield(r, nil) {
					return
				}
			}
			if b.err != nil {
				yield(nil, b.err)
				return
			}
		}
	}
}

// sortingKey is list's key as its table's ORDER BY clause spells it. The
// stage's must match it exactly for the stage's parts to be attached: the
// engine compares the clauses as written, and (uscc) is not uscc to it.
func sortingKey(key []string) string {
	if len(key) == 1 {
		return key[0]
	}
	return "(" + strings.Join(key, ", ") + ")"
}

// record writes the batch's row in import_batches (status ok,
// rejected_rows, or failed when errText is set) and, the first time, its
// rejected records.
func record(ctx context.Context, s store.Store, t sql.Target, res Result, src Source, started time.Time, errText string) error {
	if len(res.Rejects) > 0 && errText == "" {
		now := time.Now().UTC()
		rows := func(yield func([]any, error) bool) {
			for _, rj := range res.Rejects {
				raw, _ := json.Marshal(rj.Fields)
				ref := cmp.Or(rj.Ref, src.Ref)
				for _, e := range rj.Errors {
					if !yield([]any{res.BatchID, res.List, ref, uint32(rj.Line), e.Column, e.Value, e.Reason + ": " + e.Detail, string(raw), now}, nil) {
						return
					}
				}
			}
		}
		if _, err := s.Insert(ctx, "import_rejects", []string{"batch_id", "list", "source_ref", "line", "column", "value", "reason", "raw", "rejected_at"}, rows); err != nil {
			return fmt.Errorf("record rejected rows: %w", err)
		}
	}
	status := "ok"
	switch {
	case errText != "":
		status = "failed"
	case res.Rejected > 0:
		status = "rejected_rows"
	}
	err := s.Exec(ctx, sql.MustQuery(t, "load/record_batch"), store.Params{
		"batch_id": res.BatchID, "list": res.List, "source": src.Name, "source_ref": src.Ref, "encoding": src.Encoding,
		"started_at": started, "read": uint64(res.Read), "loaded": uint64(res.Loaded), "unchanged": uint64(res.Unchanged),
		"rejected": uint64(res.Rejected), "status": status, "error": errText, "digest": src.digest(),
	})
	if err != nil {
		return fmt.Errorf("record batch: %w", err)
	}
	return nil
}

// digest is the source's digest, "" when it has none.
func (src Source) digest() string {
	if src.Digest == nil {
		return ""
	}
	return src.Digest()
}

// Repeat records a batch without reading it when the last batch written
// to list was made from the same input, src.Digest: the same program
// reading the same bytes with the same allow-list writes the same rows,
// and as nothing has been written to the list since, every one of them is
// already there. The new batch is recorded with the earlier one's counts
// and its rejected records (read back, so the caller can list them). ok is
// false when the shortcut does not apply; the caller then loads the input.
func Repeat(ctx context.Context, s store.Store, list *contract.List, src Source) (res Result, ok bool, err error) {
	if src.Digest == nil {
		return res, false, nil
	}
	t := sql.Target{Cluster: s.Cluster()}
	var model, digest, status string
	var read, valid, rejected uint64
	err = store.QueryRow(ctx, s, sql.MustQuery(t, "load/last_batch"), store.Params{"list": list.Name}, &model, &digest, &read, &valid, &rejected, &status)
	if errors.Is(err, store.ErrNoRows) {
		return res, false, nil
	}
	if err != nil {
		return res, false, fmt.Errorf("look up the last batch of %s: %w", list.Name, err)
	}
	// Only now is the input's digest needed (a first load never waits
	// for it).
	if digest == "" || src.digest() != digest {
		return res, false, nil
	}
	started := time.Now().UTC()
	res = Result{BatchID: newBatchID(started), List: list.Name, ByReason: map[string]int64{}, Repeats: model,
		Read: int64(read), Valid: int64(read - rejected), Unchanged: int64(valid), Rejected: int64(rejected)}
	if rejected > 0 {
		if res.Rejects, err = rejectsOf(ctx, s, t, list.Name, model); err != nil {
			return res, false, err
		}
		for _, rj := range res.Rejects {
			for _, e := range rj.Errors {
				res.ByReason[e.Reason]++
			}
		}
	}
	if err := record(ctx, s, t, res, src, started, ""); err != nil {
		return res, false, err
	}
	return res, true, nil
}

// rejectsOf reads back the rejected records of a batch.
func rejectsOf(ctx context.Context, s store.Store, t sql.Target, list, batch string) ([]Reject, error) {
	rows, err := s.Query(ctx, sql.MustQuery(t, "load/rejects"), store.Params{"list": list, "batch_id": batch})
	if err != nil {
		return nil, fmt.Errorf("read the rejected records of batch %s: %w", batch, err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var line uint32
		var column, value, reason, raw string
		if err := rows.Scan(&line, &column, &value, &reason, &raw); err != nil {
			return nil, err
		}
		// reason was recorded as "reason: detail"; reasons hold no ": ".
		why, detail, _ := strings.Cut(reason, ": ")
		e := &contract.FieldError{Column: column, Value: value, Reason: why, Detail: detail}
		if n := len(out); n > 0 && out[n-1].Line == int(line) {
			out[n-1].Errors = append(out[n-1].Errors, e)
			continue
		}
		var fields []string
		_ = json.Unmarshal([]byte(raw), &fields) // written by record from a []string
		out = append(out, Reject{Line: int(line), Errors: []*contract.FieldError{e}, Fields: fields})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the rejected records of batch %s: %w", batch, err)
	}
	return out, nil
}

// ErrRejected is returned (wrapped) by callers when a batch had rejected
// records, so commands can exit non-zero after loading the good ones.
var ErrRejected = errors.New("some records were rejected")

// newBatchID names a batch by the time it started on Xuchang's clock:
// staff read it off the import's output and type it after --replaces,
// and a UTC time was eight hours off theirs (another day before 08:00).
func newBatchID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return t.In(zone.Shanghai).Format("20060102T150405") + "_" + hex.EncodeToString(b[:])
}

// leftoverName is the name of a stage or ready table as LoadParsed makes
// them; anything else in the list of leftovers is not dropped.
var leftoverName = regexp.MustCompile(`^_(stage|ready)_([A-Za-z0-9_]+)$`)

// Leftovers is what FinishLeftovers did.
type Leftovers struct {
	Dropped  []string // stage and ready tables of unfinished loads
	Finished []string // batches whose copy for grading was completed, as list/batch
}

// FinishLeftovers completes or clears the loads that never finished: a
// loader killed with -9, crashed or stopped between its steps leaves its
// stage and ready tables behind, since only a running loader drops its
// own. A batch with tables left and no record stopped before its last
// step: if its rows reached the list (the attach is all or nothing), the
// copy of those about registered institutions is made from its tables
// (again, if it was: copying twice changes nothing), so grading sees what
// the list holds; else none of it is anywhere. Then the tables are
// dropped. Call it only under the jobs lease, when no other loader can be
// at work in the database.
func FinishLeftovers(ctx context.Context, s store.Store) (Leftovers, error) {
	var done Leftovers
	t := sql.Target{Cluster: s.Cluster()}
	rows, err := s.Query(ctx, sql.MustQuery(t, "load/leftover_tables"), nil)
	if err != nil {
		return done, fmt.Errorf("find tables of unfinished loads: %w", err)
	}
	var names []string
	batches := map[string]map[string]bool{} // batch → its tables' kinds
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return done, fmt.Errorf("find tables of unfinished loads: %w", err)
		}
		if m := leftoverName.FindStringSubmatch(n); m != nil {
			names = append(names, n)
			if batches[m[2]] == nil {
				batches[m[2]] = map[string]bool{}
			}
			batches[m[2]][m[1]] = true
		}
	}
	if err := rows.Close(); err != nil {
		return done, fmt.Errorf("find tables of unfinished loads: %w", err)
	}
	for _, batch := range slices.Sorted(maps.Keys(batches)) {
		finished, err := finishBatch(ctx, s, t, batch, batches[batch])
		if err != nil {
			return done, fmt.Errorf("complete batch %s, left by an unfinished load: %w", batch, err)
		}
		if finished != "" {
			done.Finished = append(done.Finished, finished+"/"+batch)
		}
	}
	for _, n := range names {
		q, err := sql.QueryWith(t, "load/drop_leftover", map[string]any{"Table": n})
		if err != nil {
			return done, err
		}
		if err := s.Exec(ctx, q, nil); err != nil {
			return done, fmt.Errorf("drop %s, left by an unfinished load: %w", n, err)
		}
		done.Dropped = append(done.Dropped, n)
	}
	return done, nil
}

// finishBatch completes the copy for grading of a batch whose loader
// stopped after attaching it, from its tables (kinds: stage, ready). It
// returns the list it completed, "" when there was nothing to complete.
func finishBatch(ctx context.Context, s store.Store, t sql.Target, batch string, kinds map[string]bool) (string, error) {
	var recorded bool
	if err := store.QueryRow(ctx, s, sql.MustQuery(t, "load/batch_recorded"), store.Params{"batch_id": batch}, &recorded); err != nil {
		return "", err
	}
	if recorded {
		return "", nil // whole: only its tables were left
	}
	// What was attached: the ready table when there is one, else the
	// stage (a first load attaches the stage itself).
	from := "_stage_" + batch
	if kinds["ready"] {
		from = "_ready_" + batch
	} else if !kinds["stage"] {
		return "", nil
	}
	for _, l := range contract.Lists() {
		q, err := sql.QueryWith(t, "load/batch_attached", map[string]any{"Table": l.Name})
		if err != nil {
			return "", err
		}
		var attached bool
		if err := store.QueryRow(ctx, s, q, store.Params{"batch_id": batch}, &attached); err != nil {
			return "", fmt.Errorf("look for its rows in %s: %w", l.Name, err)
		}
		if attached {
			return l.Name, copyRegistered(ctx, s, l, from)
		}
	}
	return "", nil
}
