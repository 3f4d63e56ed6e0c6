package listsync

// Records several sources publish. A list table holds one row per key,
// whichever source loaded it last, so a source's version of a record
// another source also publishes must not replace that source's version
// by the mere order the sources sync in (docs/sync.md §4, "One record,
// several sources"): of the versions the sources publish, the list holds
// the one that ends last, and of versions that end alike, the one of
// the source first by name.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xuchang-hrss/creditsync/store"
)

// otherVersion is a record as another source publishes it: its
// external_records row (record: contract column → value as text; extra:
// the fields outside the contract).
type otherVersion struct {
	source, record, extra string
}

// values decodes the version's contract values.
func (o otherVersion) values() (map[string]string, error) {
	var v map[string]string
	err := json.Unmarshal([]byte(o.record), &v)
	return v, err
}

// publishedElsewhere returns, for each of keys that another source still
// lists (its record there not removed), the versions the other sources
// publish, by source name.
func (r *runner) publishedElsewhere(ctx context.Context, keys []string) (map[string][]otherVersion, error) {
	out := map[string][]otherVersion{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := r.s.Query(ctx, r.q("listed_elsewhere"), store.Params{"list": r.list.Name, "source": r.src.Name, "keys": keys})
	if err != nil {
		return nil, fmt.Errorf("read what other sources publish: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var o otherVersion
		if err := rows.Scan(&key, &o.source, &o.record, &o.extra); err != nil {
			return nil, err
		}
		out[key] = append(out[key], o)
	}
	return out, rows.Err()
}

// endOf is a version's end date (the list's Dated.Ends: removed_on,
// publicity_ended_on) as text, "" when it has none or the list has no
// end column: such a version never ends.
func (r *runner) endOf(values map[string]string) string {
	if r.list.Dated.Ends == "" {
		return ""
	}
	return values[r.list.Dated.Ends]
}

// endsLater says whether end a comes after end b, "" being never.
func endsLater(a, b string) bool {
	switch {
	case a == b:
		return false
	case a == "":
		return true
	case b == "":
		return false
	}
	return a > b
}

// lastEnding is, of the versions others publish, the one that ends
// last, and its end; between versions that end alike, the first by
// source name, so that the choice never depends on the order of the
// sources. ok is false when there is none (or none can be read).
func (r *runner) lastEnding(others []otherVersion) (best otherVersion, end string, ok bool) {
	for _, o := range slices.SortedFunc(slices.Values(others), func(a, b otherVersion) int { return strings.Compare(a.source, b.source) }) {
		v, err := o.values()
		if err != nil {
			continue
		}
		if e := r.endOf(v); !ok || endsLater(e, end) {
			best, end, ok = o, e, true
		}
	}
	return best, end, ok
}

// outranked says whether p, the version this source publishes of a
// record others publish too, ends earlier than one of theirs (an end
// date where another source shows none, or an earlier one): the list
// keeps the other source's version, which is returned with its end.
func (r *runner) outranked(p parsed, others []otherVersion) (otherVersion, string, bool) {
	best, end, ok := r.lastEnding(others)
	if !ok || !endsLater(end, r.endOf(p.values())) {
		return otherVersion{}, "", false
	}
	return best, end, true
}

// tiedBefore says whether another source publishes a version of p's
// record that ends as p does and comes first by source name: between
// versions that end alike the list holds that one, so that which stands
// is decided by the sources, not by the order they sync in (each
// reloaded its own version, the last synced winning).
func (r *runner) tiedBefore(p parsed, others []otherVersion) bool {
	best, end, ok := r.lastEnding(others)
	return ok && end == r.endOf(p.values()) && best.source < r.src.Name
}

// values decodes a snapshot record's contract values.
func (p parsed) values() map[string]string {
	var v map[string]string
	_ = json.Unmarshal([]byte(p.record), &v)
	return v
}

// handOver loads, for each key, the version that another source
// publishes and that ends last (see lastEnding), under that source's
// name: the list's version of a record this source's own version no
// longer stands for. ref says why, for import_batches.
func (r *runner) handOver(ctx context.Context, ref string, keys []string, others map[string][]otherVersion, extras []string) error {
	bySource := map[string][]version{}
	for _, key := range keys {
		best, _, ok := r.lastEnding(others[key])
		if !ok {
			continue
		}
		v, err := best.values()
		if err != nil {
			return fmt.Errorf("%s's record %q: %w", best.source, key, err)
		}
		bySource[best.source] = append(bySource[best.source], version{values: v, extra: best.extra})
		extras = append(extras, best.extra)
	}
	for _, src := range slices.Sorted(maps.Keys(bySource)) {
		if err := r.loadVersionsAs(ctx, src, "load the versions "+src+" publishes", ref, bySource[src], extras); err != nil {
			return err
		}
	}
	return nil
}

// endText writes an end date for people: "none" when there is none.
func endText(end string) string {
	if end == "" {
		return "none"
	}
	return end
}
