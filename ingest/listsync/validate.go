package listsync

// Validating: every record of a snapshot read under the list's mapping,
// once, while its pages arrive (validateEarly), or from the stored pages
// when the run resumes one (read).

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

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

// readSnapshot is a snapshot's records read under one mapping.
type readSnapshot struct {
	mapping  *contract.Mapping
	columns  []string      // contract columns the pages map
	records  []load.Parsed // validated: load.LoadParsed does not validate them again
	keys     []string      // of records, "" for a rejected one
	snapshot map[string]parsed
	order    []string
	at       map[string]place // where each key's record was read
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
		if encoding == "" || file.SerialDatesOf(pr.enc) != transform.NoSerialDates {
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
		if m, err = r.mapping(header, file.SerialDatesOf(encoding)); err != nil {
			return readSnapshot{}, &fetch.Error{Source: r.src.Name, Err: fmt.Errorf("%w: the pages' columns do not fit list %s: %v", fetch.ErrLayout, r.list.Name, err), Hint: fetch.HintFor(fetch.ErrLayout)}
		}
		for _, c := range r.list.Columns {
			if m.Has(c.Key) {
				columns = append(columns, c.Key)
			}
		}
	}
	snapshot := map[string]parsed{}
	// The first record read of each key, and where: the one place a
	// snapshot's records meet by key, for every kind of source, decides
	// what a second record under the key is (repeated).
	firstOf := map[string]place{}
	var order []string
	var records []load.Parsed
	var valid []parsed
	var repeats []string // keys listed again on the page that listed them
	if e := r.early; e != nil && e.ok && len(seenHeader) == 1 && len(e.records) == len(pending) && e.headerText == pending[0].headerText &&
		e.width == len(header) && e.serialDates == m.SerialDates {
		// Validated while the pages were fetched, under this header.
		records, valid = e.records, e.valid
	} else {
		records, valid = make([]load.Parsed, len(pending)), make([]parsed, len(pending))
		r.validate(m, pending, len(header), index, records, valid)
	}
	r.early = nil
	urls := map[int]string{}
	for _, p := range pages {
		urls[p.number] = p.url
	}
	for i, pr := range pending {
		if errs := records[i].Errors; len(errs) > 0 {
			// Recorded where a person finds it: the page's own address
			// and the record's place on it (the template and a number
			// counted over every page found nothing).
			records[i].Ref, records[i].RefLine = urls[pr.page], pr.seq
			r.res.Rejected++
			if len(r.res.Rejects) < maxRejects {
				r.res.Rejects = append(r.res.Rejects, Reject{Page: pr.page, Record: pr.seq, Errors: errs})
			}
			continue
		}
		p := valid[i]
		at := place{pr.page, pr.seq}
		first, dup := firstOf[p.key]
		if !dup {
			firstOf[p.key] = at
			order = append(order, p.key)
			snapshot[p.key] = p
			continue
		}
		// Two records under one key that differ are never resolved here,
		// whatever checks are off: the list keeps one record per key, and
		// the other would be lost without a word.
		note, err := r.repeated(m, first, snapshot[p.key], at, p)
		if err != nil {
			return readSnapshot{}, err
		}
		if first.page != pr.page && r.src.skips().On(fetch.CheckOverlap) {
			return readSnapshot{}, r.notProven("record %s is on page %d and again on page %d: the pages overlap (an unstable sort, or the list changed while it was read)", KeyText(p.key), first.page, pr.page)
		}
		if first.page == pr.page {
			repeats = append(repeats, fmt.Sprintf("%s (page %d)", KeyText(p.key), pr.page))
		}
		r.res.Repeated = append(r.res.Repeated, note)
	}
	r.res.Rows = len(snapshot)
	if err := r.prove(pages, pending, repeats); err != nil {
		return readSnapshot{}, err
	}
	keys := make([]string, len(records))
	for i := range records {
		keys[i] = valid[i].key
	}
	return readSnapshot{mapping: m, columns: columns, records: records, keys: keys, snapshot: snapshot, order: order, at: firstOf, encoding: encoding}, nil
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
	serialDates transform.SerialDates
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
					if m, err = r.mapping(header, file.SerialDatesOf(pr.enc)); err != nil {
						e.ok = false
						break
					}
					e.headerText, e.width, e.serialDates = pr.headerText, len(header), m.SerialDates
				}
				if pr.headerText != e.headerText || file.SerialDatesOf(pr.enc) != e.serialDates {
					e.ok = false
					break
				}
				rec, p := r.validateRecord(m, pr, e.width, index, len(e.records)+1)
				e.records = append(e.records, rec)
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

// mapping maps a snapshot's header to the list, with the source's
// allow-list; serialDates of pages read from workbooks.
func (r *runner) mapping(header []string, serialDates transform.SerialDates) (*contract.Mapping, error) {
	m, err := r.list.Map(header)
	if err != nil {
		return nil, err
	}
	m.AllowList = r.opt.AllowList
	m.SerialDates = serialDates
	return m, nil
}

// validateRecord is the one validation of a pending record, wherever it
// runs (while the pages arrive, or after the last): its fields put in the
// order of the snapshot's header (of width fields, index giving each
// header's place), parsed under m; line is its number in the snapshot.
// The second result is set when the record is valid.
func (r *runner) validateRecord(m *contract.Mapping, pr pendingRow, width int, index map[string]int, line int) (load.Parsed, parsed) {
	fields := make([]string, width)
	for fi, h := range pr.header {
		if fi < len(pr.fields) {
			fields[index[h]] = pr.fields[fi]
		}
	}
	row, errs := m.Parse(fields)
	if len(errs) == 0 {
		if ferr := r.notYet(m, row, fields); ferr != nil {
			errs = []*contract.FieldError{ferr}
		}
	}
	var p parsed
	if len(errs) == 0 {
		p = r.parse(row)
	}
	return load.Parsed{Line: line, Fields: fields, Row: row, Errors: errs}, p
}

// notYet refuses a record dated after the day of the sync: a listing,
// decision or evaluation published today cannot have happened later, so
// the site mistyped it (2062-06-07 for 2026-06-07). Stored, it was a new
// record and the real one, missing, was removed; rejected, it stops the
// snapshot's removals (a rejected record may be one still listed). Only
// synced records are checked here: a file's dates are its importer's.
func (r *runner) notYet(m *contract.Mapping, row *contract.Row, fields []string) *contract.FieldError {
	col := r.list.Dated.On
	on, ok := row.Get(col).(time.Time)
	today := zone.Day(r.now)
	if col == "" || !ok || !on.After(today) {
		return nil
	}
	written := on.Format(time.DateOnly)
	if i := m.Field(col); i >= 0 && i < len(fields) {
		written = fields[i]
	}
	return &contract.FieldError{Column: m.Header(col), Value: written, Reason: contract.ReasonDate,
		Detail: fmt.Sprintf("%s is after the day of the sync (%s): the source published a date that has not come (a mistyped year?); the record is not stored, and no record of this snapshot is removed",
			on.Format(time.DateOnly), today.Format(time.DateOnly))}
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
		records[i], valid[i] = r.validateRecord(m, pending[i], width, index, i+1)
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
		vals[i] = contract.ValueText(row.Values[lay.index[i]])
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
	return parsed{key: recordKey(keys), record: string(b), hash: hex.EncodeToString(sum[:16]), extra: extra,
		uscc: at(lay.uscc), name: at(lay.name), nameKey: at(lay.nameKey)}
}

// recordKey joins the values of a record's key columns into its key
// (KeyText shows it to people).
func recordKey(values []string) string { return strings.Join(values, "\x1f") }

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
