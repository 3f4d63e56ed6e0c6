package listsync

// Repeated keys: the one place a snapshot's records are collected by key
// (read) decides what two records under one key are, whatever kind of
// source they came from and whatever checks it switched off.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/listing"
)

// ErrKeyConflict means a snapshot holds two records under one key whose
// values differ: a decision naming several parties under one 决定书文号,
// or a fault of the site. The list keeps one record per key, so keeping
// either would drop the other without a word (a registered institution's
// penalty lost, its grade raised); nothing of the snapshot is loaded or
// removed. No skip_checks entry waives it.
var ErrKeyConflict = errors.New("two different records under one key")

// hintKeyConflict is what a person can do about ErrKeyConflict.
const hintKeyConflict = "nothing of the snapshot was loaded or removed and the previous data stands; no skip_checks entry waives this, and the source fails until its listing changes. " +
	"Look at the page (raw_pages, 'creditsync sync --replay RUN'): a record the site lists twice with different values is the site's fault, to report to it; " +
	"a decision naming several parties cannot be stored as several records (the list keeps one record per key, docs/sync.md §1b): " +
	"record each party's penalty from a file under a key of its own (creditsync import) meanwhile"

// place is where a record of a snapshot was read: its page and its
// number among the page's records.
type place struct{ page, record int }

func (p place) String() string { return fmt.Sprintf("page %d record %d", p.page, p.record) }

// places says where two records of one key are, as the import says lines
// ("page 1 records 2 and 3", or "page 1 record 10 and page 2 record 1").
func places(a, b place) string {
	if a.page == b.page {
		return fmt.Sprintf("page %d records %d and %d", a.page, a.record, b.record)
	}
	return a.String() + " and " + b.String()
}

// keyText names a record's key by the page's headings and its values as
// stored: "决定书文号 许市监罚〔2026〕2号", as an import names a repeated key.
func (r *runner) keyText(m *contract.Mapping, values map[string]string) string {
	var parts []string
	for _, k := range r.list.Key {
		if k == "name_key" {
			k = "name" // the name as stored, which the key folds
		}
		if v := values[k]; v != "" {
			parts = append(parts, r.heading(m, k)+" "+v)
		}
	}
	return strings.Join(parts, ", ")
}

// heading is the page's heading of a contract column; its Chinese name
// where the source names it by the contract's key (an interface's fields
// are mapped to the keys).
func (r *runner) heading(m *contract.Mapping, col string) string {
	if h := m.Header(col); h != "" && h != col {
		return h
	}
	if c, ok := r.list.Column(col); ok {
		return c.Chinese
	}
	return col
}

// storedValues are a valid record's contract values as stored, and its
// kept columns (extra) by their headings.
func storedValues(p parsed) (values, extra map[string]string) {
	_ = json.Unmarshal([]byte(p.record), &values)
	if p.extra != "" {
		_ = json.Unmarshal([]byte(p.extra), &extra)
	}
	return values, extra
}

// repeated handles a record whose key an earlier record of the snapshot
// (first, read at a) holds. Alike, it is that record again, and note says
// so for the run's notes; differing, it is an ErrKeyConflict naming the
// key, both records (where, whom) and the values in which they differ.
func (r *runner) repeated(m *contract.Mapping, a place, first parsed, b place, again parsed) (note string, err error) {
	av, ax := storedValues(first)
	bv, bx := storedValues(again)
	key := r.keyText(m, av)
	if first.record == again.record && first.extra == again.extra {
		return fmt.Sprintf("%s is on %s, with the same values: stored once", key, places(a, b)), nil
	}
	var differ []string
	show := func(col, x, y string) {
		if x != y {
			differ = append(differ, fmt.Sprintf("%s %s and %s", col, shown(x), shown(y)))
		}
	}
	for _, c := range r.list.Columns {
		if c.Key == "name_key" {
			continue
		}
		show(r.heading(m, c.Key), av[c.Key], bv[c.Key])
	}
	for _, name := range m.Extra() {
		show(name, ax[name], bx[name])
	}
	party := func(v map[string]string) string {
		var who []string
		for _, k := range []string{"name", "uscc"} {
			if v[k] != "" {
				who = append(who, v[k])
			}
		}
		if len(who) == 0 {
			return ""
		}
		return " (" + strings.Join(who, ", ") + ")"
	}
	return "", r.failed(ErrKeyConflict, hintKeyConflict,
		"%s is on %s%s and %s%s, with different values: %s. The list keeps one record per key: either one kept would drop the other without a word",
		key, a, party(av), b, party(bv), strings.Join(differ, ", "))
}

// shown quotes a value for people, "empty" for none.
func shown(v string) string {
	if v == "" {
		return "empty"
	}
	return fmt.Sprintf("%q", v)
}

// oneListingTwice fails a snapshot of a list keyed by an institution and
// a date (abnormal, dishonest, public_eval) that shows one listing or
// evaluation — one institution's entry of a date, as grading reads it
// (listing.Names.Of: by its USCC, or without one by the register's name)
// — under two keys with different values that grading reads (listing.
// Graded: the removal date, the grade): a site that lists an entry again
// without its USCC, or under another name, with its removal date or
// another grade. The list would keep both records, and grading reads them
// as versions of one listing: which one decided the grade was the order
// of the rows (ended or not, removed on one day or another, graded A or
// D). It is one key given twice with different values (repeated), named
// as such. The same rule rejects such lines of a file (ingest/file's
// listingConflicts).
func (r *runner) oneListingTwice(ctx context.Context, rd readSnapshot, reg register) error {
	on, ok := listing.Dated(r.list)
	graded := listing.Graded(r.list)
	if !ok || len(graded) == 0 {
		return nil
	}
	names := listing.Names(reg.byName)
	if r.src.Mode != ModeSnapshot {
		// readRegister looks up the names of a whole snapshot only:
		// here the records' own.
		var want []string
		for _, key := range rd.order {
			if p := rd.snapshot[key]; p.uscc == "" && p.nameKey != "" {
				want = append(want, p.nameKey)
			}
		}
		looked, err := listing.LookUp(ctx, r.s, want)
		if err != nil {
			return err
		}
		names = looked
	}
	noun := "listing"
	if r.list.Dated.Ends == "" {
		noun = "evaluation"
	}
	first := map[string]string{} // listing → the first key holding it
	for _, key := range rd.order {
		p := rd.snapshot[key]
		id := names.Of(p.uscc, p.nameKey, p.value(on))
		if id == "" {
			continue
		}
		k, seen := first[id]
		if !seen {
			first[id] = key
			continue
		}
		av, _ := storedValues(rd.snapshot[k])
		bv, _ := storedValues(p)
		var differ []string
		for _, c := range graded {
			if av[c] != bv[c] {
				differ = append(differ, fmt.Sprintf("%s %s and %s", r.heading(rd.mapping, c), shown(av[c]), shown(bv[c])))
			}
		}
		if len(differ) == 0 {
			continue // one listing shown twice alike: it reads the same
		}
		return r.failed(ErrKeyConflict, hintKeyConflict,
			"%s (%s) and %s (%s) are one %s, of one institution and %s %s, under two keys, with different values: %s. "+
				"The list would keep both, and which one decides the grade would be the order of the rows",
			r.keyText(rd.mapping, av), rd.at[k], r.keyText(rd.mapping, bv), rd.at[key], noun, r.heading(rd.mapping, on), p.value(on),
			strings.Join(differ, ", "))
	}
	return nil
}
