package listsync

// Removals: first and last seen, pending removals confirmed by a second
// complete snapshot, the limits that hold them for a person, and the
// records matched by name left for review.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listing"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// sightingsPlan is what a complete snapshot changes in
// external_records and in the run's counts, worked out before its batch
// loads (planSightings), so that its rows are written meanwhile to a
// stage (stageRecords); sightings applies it once the load succeeded.
type sightingsPlan struct {
	added, modified, unchanged, restored int
	pending, held                        int    // pending and held removals, all told
	removalsSkipped, removalsHeld        string // as Result's
	missed, heldNow                      int    // records first missed, confirmed removals held now
	snapshotMode                         bool   // removals are walked
	rows                                 []recordRow
	confirmed                            []string
	// relisted are confirmed removals whose listing the snapshot still
	// holds under another key (see listedUnderAnotherKey).
	relisted map[string]bool
	// changeHeld are the records whose change waits for a person (see
	// holdChange): the batch leaves them out, and the lists keep their
	// stored version. heldChanges counts them, heldChangesNow those
	// held by this snapshot, changesHeld says why; withdrawn are held
	// changes the snapshot no longer shows (the stored version again).
	changeHeld                             map[string]bool
	heldChanges, heldChangesNow, withdrawn int
	changesHeld                            string
	// Records another source publishes too (docs/sync.md §4): the
	// batch leaves out those whose version here ends earlier than
	// another source's (outranked, counted as ListedElsewhere, with
	// elsewhereWhy) and those whose version here ends alike another's
	// that stands before it (noReload, see tiedBefore: reloading them
	// flipped the list to whichever source synced last). handOver are
	// those of either whose version here changed: the list gets the
	// version the other source publishes, which this source's version
	// may have been standing for.
	outranked    map[string]bool
	noReload     map[string]bool
	handOver     []string
	elsewhereWhy string
}

// planSightings works out first/last seen, the changes, and the removals
// of a complete snapshot: a listed record it lacks becomes a pending
// removal; one an earlier complete snapshot lacked too is confirmed and
// removed, within the source's limits. A change that would take a record
// from the institution it names waits for a person (holdChange).
//
// others are the versions other sources publish of the snapshot's
// records (publishedElsewhere): of the versions of a record, the list
// holds the one that ends last, whatever the order the sources sync in.
func (r *runner) planSightings(st state, snapshot map[string]parsed, order []string, before map[string]known, reg register, others map[string][]otherVersion) *sightingsPlan {
	pl := &sightingsPlan{changeHeld: map[string]bool{}, outranked: map[string]bool{}, noReload: map[string]bool{}}
	var outranked []string // "key: this source's end, the other's", for the reason
	now := time.Now().UTC()
	rows := make([]recordRow, 0, len(order))
	var detached []string
	var ending []int // rows of listed records a new end date ends now (see ends)
	// Listings a new key ends now (see endsUnderAnotherKey): the row of
	// the ended version, and the listed record it ends.
	type twinEnd struct {
		row      int
		key, old string
	}
	var twinEnding []twinEnd
	twins := r.endsUnderAnotherKey(snapshot, order, before, reg)
	shown := map[string]bool{} // listed records whose listing the snapshot shows under another key
	for _, olds := range twins {
		for _, old := range olds {
			shown[old] = true
		}
	}
	for _, key := range order {
		p := snapshot[key]
		prev, seen := before[key]
		first := now
		if seen {
			first = prev.firstSeen
		}
		k := known{uscc: p.uscc, name: p.name, hash: p.hash, record: p.record, extra: p.extra, firstSeen: first, lastSeen: now, lastSnapshot: st.SnapshotID}
		// An end (or an earlier end) of a record another source lists in
		// force longer: external_records keeps what this source shows,
		// the list the other source's version.
		other, otherEnd, isOutranked := r.outranked(p, others[key])
		outrank := func(changed bool) {
			pl.outranked[key] = true
			if changed {
				pl.handOver = append(pl.handOver, key)
			}
			outranked = append(outranked, fmt.Sprintf("%s: %s %s at %s, %s at %s", KeyText(key), r.list.Dated.Ends, endText(r.endOf(p.values())), r.src.Name, endText(otherEnd), other.source))
		}
		switch {
		case len(twins[key]) > 0 && before[twins[key][0]].heldHash == p.hash:
			// The end under another key, still shown as held: the
			// listed record keeps waiting for a person, as it did.
			old := before[twins[key][0]]
			rows = append(rows, recordRow{key: twins[key][0], k: old.holding(p, old.heldWhy, *cmp.Or(old.heldSince, &now), now, st.SnapshotID)})
			pl.changeHeld[key] = true
			continue
		case len(twins[key]) > 0:
			twinEnding = append(twinEnding, twinEnd{row: len(rows), key: key, old: twins[key][0]})
			pl.added++
		case isOutranked && (!seen || prev.removedOn != nil):
			outrank(true)
		case !seen || prev.removedOn != nil:
			pl.added++
		case prev.hash == p.hash && isOutranked:
			outrank(false)
			if prev.heldHash != "" {
				pl.withdrawn++
			}
		case prev.hash == p.hash:
			pl.unchanged++
			if prev.heldHash != "" {
				pl.withdrawn++
			}
		case prev.heldHash == p.hash:
			// Still shown as held: it waits for a person as it did.
			k = prev.holding(p, prev.heldWhy, *cmp.Or(prev.heldSince, &now), now, st.SnapshotID)
			pl.changeHeld[key] = true
		default:
			if why := reg.detaches(prev, p); why != "" {
				k = prev.holding(p, why, now, now, st.SnapshotID)
				pl.changeHeld[key] = true
				detached = append(detached, KeyText(key)+": "+why)
				break
			}
			if isOutranked {
				outrank(true)
				break
			}
			if r.ends(prev, p) {
				ending = append(ending, len(rows))
			}
			pl.modified++
		}
		if !isOutranked && len(twins[key]) == 0 && !pl.changeHeld[key] && r.tiedBefore(p, others[key]) {
			// Another source's version ends alike and stands (see
			// tiedBefore): reloading this one would flip the list to
			// whichever source synced last. Changed, it may be what
			// the list holds: the standing version replaces it.
			pl.noReload[key] = true
			if !seen || prev.removedOn != nil || prev.hash != p.hash {
				pl.handOver = append(pl.handOver, key)
			}
		}
		if seen && prev.removedOn == nil && prev.missedOn != nil {
			pl.restored++
		}
		rows = append(rows, recordRow{key: key, k: k})
	}
	pl.heldChanges, pl.heldChangesNow = len(pl.changeHeld), len(detached)
	if len(detached) > 0 {
		pl.changesHeld = fmt.Sprintf("%d change(s) would take a record from the registered institution it names (%s): the lists keep the stored version until a person accepts the change",
			len(detached), strings.Join(detached[:min(len(detached), 3)], "; "))
	}
	pl.rows = rows
	if len(outranked) > 0 {
		pl.elsewhereWhy = fmt.Sprintf("%d record(s) %s shows ended, or ending earlier, another source lists in force longer: the lists keep that source's version until it ends them too or no longer lists them (%s)",
			len(outranked), r.src.Name, strings.Join(outranked[:min(len(outranked), 3)], "; "))
	}
	listed := 0
	for _, k := range before {
		if k.removedOn == nil {
			listed++
		}
	}
	confirmed := r.planRemovals(pl, st, snapshot, before, reg, shown)
	// A removal date appearing on one record is loaded (docs/data.md),
	// but on many at once it is the signature of a broken interface —
	// one that writes today for a null date —, which no removal's proof
	// stands in the way of: such end dates count with the confirmed
	// removals towards the same limits, and over them both wait for a
	// person.
	if why := r.overLimit(len(confirmed), len(ending)+len(twinEnding), listed); why != "" {
		for _, key := range confirmed {
			k := before[key]
			k.held = true
			pl.rows = append(pl.rows, recordRow{key: key, k: k})
		}
		pl.held += len(confirmed)
		pl.heldNow += len(confirmed)
		if len(confirmed) > 0 {
			pl.removalsHeld = joinReasons(pl.removalsHeld, why)
		}
		confirmed = nil
		for _, i := range ending {
			key := pl.rows[i].key
			pl.rows[i].k = before[key].holding(snapshot[key], why, now, now, st.SnapshotID)
			pl.changeHeld[key] = true
		}
		// An end under another key is held on the listed record it
		// ends, as an end date on its own key is: the lists keep that
		// record, and the ended version is not loaded.
		for _, tw := range twinEnding {
			pl.rows[tw.row] = recordRow{key: tw.old, k: before[tw.old].holding(snapshot[tw.key], why, now, now, st.SnapshotID)}
			pl.changeHeld[tw.key] = true
		}
		pl.added -= len(twinEnding)
		if n := len(ending) + len(twinEnding); n > 0 {
			pl.modified -= len(ending)
			pl.heldChanges += n
			pl.heldChangesNow += n
			pl.changesHeld = joinReasons(pl.changesHeld, why+": the lists keep the records as stored until a person accepts the changes")
		}
	}
	pl.confirmed = confirmed
	return pl
}

// planRemovals works out the removals of a complete snapshot of a
// snapshot source: the listed records it lacks become pending, and those
// an earlier complete snapshot lacked too are returned, confirmed (the
// caller holds them when there are more than the source's limits).
// Nothing is confirmed when the snapshot cannot prove a removal. shown
// are listed records the snapshot ends under another key (see
// endsUnderAnotherKey): their listing is shown, ended, which is an end,
// not a gap.
func (r *runner) planRemovals(pl *sightingsPlan, st state, snapshot map[string]parsed, before map[string]known, reg register, shown map[string]bool) []string {
	if r.src.Mode != ModeSnapshot {
		return nil
	}
	pl.snapshotMode = true
	if r.res.Rejected > 0 {
		// A rejected record may be one that is still listed; removing
		// it would be a guess.
		pl.removalsSkipped = fmt.Sprintf("%d record(s) were rejected and might be entries still listed; nothing is removed until the snapshot validates fully", r.res.Rejected)
		return nil
	}
	if r.src.Kind != KindFile && r.src.skips().On(fetch.CheckCounted) && (r.res.Claimed < 0 || !r.src.skips().On(fetch.CheckRecordCount)) {
		// Nothing says how long the listing is: one that ended early —
		// a page that failed or came back empty, a pager the reader could
		// not see — looks as complete as the whole. (A file is read to
		// its end or not at all.)
		pl.removalsSkipped = "no page of the source states how many records the listing has (共N条, the interface's total), so nothing proves the snapshot " +
			"holds them all: a listing cut short by a failing page looks complete. What it lacks is not removed; records are still added and updated. " +
			"Name where the site states its count (record_count_selector, record_count_pattern, total_path), or switch this off in writing " +
			"(skip_checks counted_removals, docs/sync.md)"
		return nil
	}
	if searchCap(r.res.Claimed) {
		// The count agrees with the pages, but a count at a cap proves
		// nothing past it: the listing may go on, unserved.
		pl.removalsSkipped = fmt.Sprintf("the source claims exactly %d records, a cap that search-backed interfaces put on their counts "+
			"(Elasticsearch counts at most 10,000 hits by default and serves none past them); what the snapshot lacks may lie past the cap, "+
			"so nothing is removed while the count sits on it", r.res.Claimed)
		return nil
	}
	if r.twoVersions != "" {
		pl.removalsSkipped = r.twoVersions
		return nil
	}
	var missed, confirmed []string
	for _, key := range slices.Sorted(maps.Keys(before)) {
		prev := before[key]
		if prev.removedOn != nil {
			continue
		}
		if _, ok := snapshot[key]; ok || shown[key] {
			continue
		}
		switch {
		case prev.missedOn == nil:
			missed = append(missed, key)
		case prev.held:
			pl.held++
		case prev.missedSnapshot != st.SnapshotID && prev.missedAt != nil && st.Started.Sub(*prev.missedAt) >= r.src.ConfirmRemovalsAfter:
			confirmed = append(confirmed, key)
		default:
			pl.pending++
		}
	}
	// First sightings of a gap: pending, dated by this snapshot.
	missedOn, missedAt := zone.Day(*st.Started), st.Started.UTC()
	for _, key := range missed {
		k := before[key]
		k.missedOn, k.missedSnapshot, k.missedAt = &missedOn, st.SnapshotID, &missedAt
		pl.rows = append(pl.rows, recordRow{key: key, k: k})
	}
	pl.pending += len(missed)
	pl.missed = len(missed)
	pl.relisted = r.listedUnderAnotherKey(confirmed, snapshot, before, reg)
	confirmed, pl.rows, pl.held, pl.heldNow, pl.removalsHeld = r.holdUnnamed(confirmed, pl.relisted, snapshot, before, reg, pl.rows, pl.held, pl.heldNow)
	return confirmed
}

// ends says whether p, a new version of the listed record prev, ends it
// now: the list's end date (removed_on, publicity_ended_on), absent or
// still to come in prev, is in p the day of the sync or before, so the
// clause the record supports (C6, D5, B6) no longer holds.
func (r *runner) ends(prev known, p parsed) bool {
	col := r.list.Dated.Ends
	if col == "" {
		return false
	}
	today := zone.Day(r.now).Format(time.DateOnly)
	now := p.value(col)
	if now == "" || now > today {
		return false
	}
	v, err := prev.values()
	if err != nil {
		return false
	}
	was := v[col]
	return was == "" || was > today
}

// ended says whether an end date (removed_on, publicity_ended_on, as
// text) ends a record by the day of the sync.
func (r *runner) ended(end string) bool {
	return end != "" && end <= zone.Day(r.now).Format(time.DateOnly)
}

// endsUnderAnotherKey returns the records of the snapshot, new under
// their key (or listed again), that end a listing another key holds:
// each with the listed records the snapshot lacks that hold the same
// listing not ended. A listing is one institution's entry of a date
// (listing): a site that blanks the USCC of a record it ends, or writes
// another name under it, shows the end under a key of its own. Loaded as
// a new record, grading read it as the listing's newest version, and the
// listing ended at once, past the limits an end date on its own key
// counts towards (see ends): such a record is that end, counted and held
// as one.
func (r *runner) endsUnderAnotherKey(snapshot map[string]parsed, order []string, before map[string]known, reg register) map[string][]string {
	on, ok := r.keyedByNameAndDate()
	col := r.list.Dated.Ends
	if !ok || col == "" {
		return nil
	}
	open := map[string][]string{} // listing → listed records holding it not ended
	for _, key := range slices.Sorted(maps.Keys(before)) {
		k := before[key]
		if _, listed := snapshot[key]; listed || k.removedOn != nil {
			continue
		}
		v, err := k.values()
		if err != nil || r.ended(v[col]) {
			continue
		}
		if id := reg.listing(k.uscc, transform.NormalizeName(k.name), v[on]); id != "" {
			open[id] = append(open[id], key)
		}
	}
	if len(open) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, key := range order {
		if prev, seen := before[key]; seen && prev.removedOn == nil {
			continue
		}
		p := snapshot[key]
		if !r.ended(p.value(col)) {
			continue
		}
		if olds := open[reg.listing(p.uscc, p.nameKey, p.value(on))]; len(olds) > 0 {
			out[key] = olds
		}
	}
	return out
}

// register is what the removals and changes of a snapshot need of the
// register of institutions: the USCCs of the institutions a name key
// names (one: a record without a USCC under that name is that
// institution's; none or several: it waits in the review queue), and
// which USCCs it holds.
type register struct {
	byName map[string][]string
	codes  map[string]bool
}

// readRegister looks up in the register the names and codes the
// snapshot's removals and changes may weigh: on the lists keyed by name
// and date, the names of the snapshot's records without a USCC and of
// the listed records it lacks; on every list, the name or code that
// attributes each changed record, before and after its change.
func (r *runner) readRegister(ctx context.Context, snapshot map[string]parsed, before map[string]known) (register, error) {
	reg := register{byName: map[string][]string{}, codes: map[string]bool{}}
	wantNames, wantCodes := map[string]bool{}, map[string]bool{}
	if _, ok := r.keyedByNameAndDate(); ok && r.src.Mode == ModeSnapshot {
		for _, p := range snapshot {
			if p.uscc == "" && p.nameKey != "" {
				wantNames[p.nameKey] = true
			}
		}
		for key, k := range before {
			if _, listed := snapshot[key]; !listed && k.removedOn == nil && k.uscc == "" {
				if nk := transform.NormalizeName(k.name); nk != "" {
					wantNames[nk] = true
				}
			}
		}
	}
	for key, p := range snapshot {
		k, seen := before[key]
		if !seen || k.removedOn != nil || k.hash == p.hash || k.heldHash == p.hash {
			continue
		}
		if k.uscc != "" {
			wantCodes[k.uscc] = true
		} else if nk := transform.NormalizeName(k.name); nk != "" {
			wantNames[nk] = true
		}
		if p.uscc == "" && p.nameKey != "" {
			wantNames[p.nameKey] = true
		}
	}
	if len(wantNames) > 0 {
		rows, err := r.s.Query(ctx, r.q("institution_matches"), store.Params{"name_keys": slices.Sorted(maps.Keys(wantNames))})
		if err != nil {
			return reg, fmt.Errorf("match names to institutions: %w", err)
		}
		for rows.Next() {
			var nk string
			var usccs []string
			if err := rows.Scan(&nk, &usccs); err != nil {
				rows.Close()
				return reg, err
			}
			reg.byName[nk] = usccs
		}
		if err := rows.Close(); err != nil {
			return reg, fmt.Errorf("match names to institutions: %w", err)
		}
	}
	if len(wantCodes) > 0 {
		rows, err := r.s.Query(ctx, r.q("institution_codes"), store.Params{"usccs": slices.Sorted(maps.Keys(wantCodes))})
		if err != nil {
			return reg, fmt.Errorf("look up institutions: %w", err)
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return reg, err
			}
			reg.codes[u] = true
		}
		if err := rows.Close(); err != nil {
			return reg, fmt.Errorf("look up institutions: %w", err)
		}
	}
	return reg, nil
}

// institution is the one institution a record names, as grading
// attributes it (listing.Names.Institution).
func (reg register) institution(uscc, nameKey string) string {
	return listing.Names(reg.byName).Institution(uscc, nameKey)
}

// listing names the listing a record of a list keyed by name and date
// is a version of, as grading reads it (listing.Names.Of).
func (reg register) listing(uscc, nameKey, date string) string {
	return listing.Names(reg.byName).Of(uscc, nameKey, date)
}

// listedUnderAnotherKey returns the confirmed removals, on the lists
// whose key holds the name (abnormal, dishonest, public_eval), whose
// listing the snapshot still holds under another key: a record of the
// same date that names the same institution — by its USCC, or, without
// one, by the name the register knows it by — or, for a record matching
// no institution, one of the same name. The data contract keys a listing
// by its USCC and date; the name in creditsync's key is only how records
// without a USCC are told apart. A site that shows the enterprise's new
// name, adds the USCC it did not show or stops showing it, or scatters an
// invisible mark in the name lists the same record under another key,
// and the old key's removal is no removal of the listing: it is not
// written to the list (grading reads the two rows as versions of one
// record, and the removal, loaded last, would lift the grade).
func (r *runner) listedUnderAnotherKey(confirmed []string, snapshot map[string]parsed, before map[string]known, reg register) map[string]bool {
	on, ok := r.keyedByNameAndDate()
	if len(confirmed) == 0 || !ok {
		return nil
	}
	// "u|" + institution + "|" + date; "n|" + name key + "|" + date.
	listed := map[string]bool{}
	for _, p := range snapshot {
		d := p.value(on)
		if d == "" {
			continue
		}
		if u := reg.institution(p.uscc, p.nameKey); u != "" {
			listed["u|"+u+"|"+d] = true
		}
		if p.nameKey != "" {
			listed["n|"+p.nameKey+"|"+d] = true
			if p.uscc == "" {
				listed["-|"+p.nameKey+"|"+d] = true
			}
		}
	}
	out := map[string]bool{}
	for _, key := range confirmed {
		k := before[key]
		v, err := k.values()
		if err != nil || v[on] == "" {
			continue
		}
		name := transform.NormalizeName(k.name)
		u := reg.institution(k.uscc, name)
		switch {
		case u != "" && listed["u|"+u+"|"+v[on]],
			k.uscc == "" && listed["n|"+name+"|"+v[on]],
			// The site stopped showing the record's USCC (a blanked cell,
			// "-", null) and shows its name and date: the same record,
			// known by its name now. A record shown under another USCC is
			// not (the site corrected a wrong code).
			k.uscc != "" && name != "" && listed["-|"+name+"|"+v[on]]:
			out[key] = true
		}
	}
	return out
}

// holdUnnamed holds for a person the confirmed removals of records of a
// date on which the snapshot lists a record without a USCC that the
// register cannot place — its name matches no institution, or several
// (it waits in the review queue) —, on the lists whose key holds the
// name. A site that shows a listing without its USCC and under a name
// written differently (cut short with …, a rare character printed as ?
// or □, 有限公司 for 有限责任公司, in traditional characters) lists the
// same entry under another key: the record that vanished, with or
// without its USCC, may be that one, and its removal would lift the
// institution's grade while the entry waits in the queue. A record the
// snapshot lists under another key (relisted) is no removal to hold. It
// returns the removals still confirmed and the plan's rows and counts with the held
// ones added.
func (r *runner) holdUnnamed(confirmed []string, relisted map[string]bool, snapshot map[string]parsed, before map[string]known, reg register, rows []recordRow, held, heldNow int) ([]string, []recordRow, int, int, string) {
	on, ok := r.keyedByNameAndDate()
	if len(confirmed) == 0 || !ok {
		return confirmed, rows, held, heldNow, ""
	}
	dates := map[string]bool{}
	for _, p := range snapshot {
		if d := p.value(on); p.uscc == "" && d != "" && reg.institution("", p.nameKey) == "" {
			dates[d] = true
		}
	}
	var keep []string
	n := 0
	for _, key := range confirmed {
		k := before[key]
		v, err := k.values()
		if err != nil || !dates[v[on]] || relisted[key] {
			keep = append(keep, key)
			continue
		}
		k.held = true
		rows = append(rows, recordRow{key: key, k: k})
		n++
	}
	if n == 0 {
		return confirmed, rows, held, heldNow, ""
	}
	why := fmt.Sprintf("%d record(s) left the listing while it lists a record without a USCC of the same %s that matches no institution "+
		"(or several): the site may show the same entry without its USCC and under a name written differently, so a person decides "+
		"(creditsync review, then review removals --accept)", n, on)
	return keep, rows, held + n, heldNow + n, why
}

// keyedByNameAndDate reports whether the list's key holds the name
// beside a date (abnormal, dishonest, public_eval: the data contract's
// USCC and date, the name telling records without a USCC apart), and
// which date.
func (r *runner) keyedByNameAndDate() (on string, ok bool) {
	on = r.list.Dated.On
	return on, on != "" && slices.Contains(r.list.Key, "name_key")
}

// value is one contract value of a snapshot's record, "" when it has none.
func (p parsed) value(key string) string {
	var v map[string]string
	if json.Unmarshal([]byte(p.record), &v) != nil {
		return ""
	}
	return v[key]
}

// joinReasons joins two reasons, either of which may be empty.
func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// sightings writes a planned snapshot's sightings once its batch is
// loaded: the counts, then the records seen and the removals pending or
// held, in one write (their keys are distinct; rs holds them, written
// while the batch loaded), then the confirmed removals.
func (r *runner) sightings(ctx context.Context, st state, pl *sightingsPlan, rs *recordStage, before map[string]known) error {
	r.res.Added += pl.added
	r.res.Modified += pl.modified
	r.res.Unchanged += pl.unchanged
	r.res.Restored += pl.restored
	if r.res.Restored > 0 {
		r.log.Info("pending removals withdrawn: the records are listed again", "records", r.res.Restored)
	}
	r.res.HeldChanges += pl.heldChanges
	if pl.changesHeld != "" {
		r.res.ChangesHeld = pl.changesHeld
		r.log.Warn("changes held for a person", "records", pl.heldChangesNow, "reason", pl.changesHeld)
	}
	if pl.withdrawn > 0 {
		r.log.Info("held changes withdrawn: the source shows the stored version again", "records", pl.withdrawn)
	}
	r.res.ListedElsewhere += len(pl.outranked)
	if pl.elsewhereWhy != "" {
		r.res.ElsewhereWhy = joinReasons(r.res.ElsewhereWhy, pl.elsewhereWhy)
		r.log.Warn("ends kept back: another source lists the records in force", "records", len(pl.outranked), "reason", pl.elsewhereWhy)
	}
	if !pl.snapshotMode {
		return rs.attach(ctx)
	}
	if pl.removalsSkipped != "" {
		r.res.RemovalsSkipped = pl.removalsSkipped
		r.log.Warn("removals skipped", "reason", r.res.RemovalsSkipped)
		return rs.attach(ctx)
	}
	r.res.PendingRemovals += pl.pending
	if pl.missed > 0 {
		r.log.Info("records missing from the snapshot: pending removals until a later complete snapshot confirms them", "records", pl.missed)
	}
	r.res.HeldRemovals += pl.held
	if pl.removalsHeld != "" {
		r.res.RemovalsHeld = pl.removalsHeld
		r.log.Warn("removals held for a person", "records", pl.heldNow, "reason", pl.removalsHeld)
	}
	if err := rs.attach(ctx); err != nil {
		return err
	}
	return r.remove(ctx, "not in snapshots "+st.SnapshotID+" of "+r.src.Name, pl.confirmed, before, pl.relisted)
}

// searchCap says whether a claimed record count is one of the round
// caps search engines put on the hits they count and serve: 10,000
// (Elasticsearch's default) or a power of ten above it, as configured
// caps are.
func searchCap(n int) bool {
	for c := 10_000; c <= 10_000_000; c *= 10 {
		if n == c {
			return true
		}
	}
	return false
}

// overLimit says why removals confirmed removals and ends records a new
// end date ends now (see ends), out of listed records, are too many for
// one run, or "" when they are not.
func (r *runner) overLimit(removals, ends, listed int) string {
	n := removals + ends
	what := fmt.Sprintf("%d confirmed removals", removals)
	switch {
	case ends > 0 && removals > 0:
		what += fmt.Sprintf(" and %d records a new %s ends now", ends, r.list.Dated.Ends)
	case ends > 0:
		what = fmt.Sprintf("%d records a new %s ends now", ends, r.list.Dated.Ends)
	}
	switch {
	case n == 0:
		return ""
	case r.src.MaxRemovals > 0 && n > r.src.MaxRemovals:
		return fmt.Sprintf("%s are more than max_removals %d", what, r.src.MaxRemovals)
	case r.src.MaxRemovalShare > 0 && n >= 2 && float64(n) > r.src.MaxRemovalShare*float64(listed):
		return fmt.Sprintf("%s, of %d listed records, are more than max_removal_share %.0f%%", what, listed, r.src.MaxRemovalShare*100)
	}
	return ""
}

// KeptWhy says why list, which has no removal date, keeps a record its
// source no longer publishes, as the commands say it.
func KeptWhy(list *contract.List) string {
	if list.Dated.Ends != "" {
		return fmt.Sprintf("%s has no removal date: a record stays on record until the %s its source states (a penalty decided is not undone by a site that stops showing it)",
			list.Name, list.Dated.Ends)
	}
	return fmt.Sprintf("%s has no removal date: a record stands until a later one replaces it (an evaluation is not withdrawn by a site that stops showing it)", list.Name)
}

// remove writes confirmed removals: removed_on = the day of the first
// complete snapshot that lacked the record, in external_records and, for
// lists that have the column, in a new version of the list's row.
// last_seen stays when the record was last seen. A list without the
// column (penalties, public_eval) keeps its records: a penalty decided
// is not undone by a site that stops showing it (B6 ends with the
// publicity end date the source states), and an evaluation stands until
// a later one replaces it (D4). Those count as Unpublished, not Removed.
// relisted are keys whose listing the source still holds under another
// key: gone as keys, but no removal is written to the list for them.
// A record another source still lists is no removal either: the list
// gets the version that source publishes (handOver), as it would when
// that source synced next, so that the order of the sources does not
// decide what the list holds in between; it counts as ListedElsewhere,
// not as Removed or Unpublished.
func (r *runner) remove(ctx context.Context, ref string, keys []string, before map[string]known, relisted map[string]bool) error {
	_, hasRemoved := r.list.Column("removed_on")
	var own []string // not listed under another key by this source
	for _, key := range keys {
		if !relisted[key] {
			own = append(own, key)
		}
	}
	others, err := r.publishedElsewhere(ctx, own)
	if err != nil {
		return err
	}
	var marked []recordRow
	var versions []version
	var handed []string
	for _, key := range keys {
		k := before[key]
		k.removedOn, k.held = k.missedOn, false
		marked = append(marked, recordRow{key: key, k: k})
		if len(others[key]) > 0 {
			handed = append(handed, key)
			continue
		}
		if !hasRemoved || relisted[key] {
			continue
		}
		v, err := k.values()
		if err != nil {
			return fmt.Errorf("known record %q: %w", key, err)
		}
		if v["removed_on"] == "" {
			v["removed_on"] = k.missedOn.Format(time.DateOnly)
			versions = append(versions, version{values: v, extra: k.extra})
		}
	}
	// A record another source still lists is neither removed nor
	// unpublished: it is kept, and the run says by whom.
	if hasRemoved {
		r.res.Removed += len(keys) - len(handed)
	} else {
		r.res.Unpublished += len(keys) - len(handed)
	}
	if len(handed) > 0 {
		r.res.ListedElsewhere += len(handed)
		var shown []string
		for _, key := range handed[:min(len(handed), 3)] {
			best, _, _ := r.lastEnding(others[key])
			shown = append(shown, KeyText(key)+": listed by "+best.source)
		}
		why := fmt.Sprintf("%d record(s) no longer published by %s are still listed by another source, whose version the lists hold: not removed (%s)",
			len(handed), r.src.Name, strings.Join(shown, "; "))
		r.res.ElsewhereWhy = joinReasons(r.res.ElsewhereWhy, why)
		r.log.Info("records no longer published kept: another source lists them", "records", len(handed), "reason", why)
	}
	// Every extra field the records carry, so that each new version
	// keeps its own.
	var extras []string
	for _, k := range before {
		extras = append(extras, k.extra)
	}
	if len(versions) > 0 {
		if err := r.loadVersions(ctx, "write removals", ref, versions, extras); err != nil {
			return err
		}
	}
	if err := r.handOver(ctx, ref+", still listed by another source", handed, others, extras); err != nil {
		return err
	}
	return r.writeRecords(ctx, marked)
}

// version is a new version of a list's record that a sync writes itself
// instead of loading it from a snapshot: a confirmed removal, or a held
// change a person accepted. values are its contract values as text,
// extra its fields outside the contract (a JSON object).
type version struct {
	values map[string]string
	extra  string
}

// loadVersions loads versions of the list's records as one batch (what
// says what for errors), under a header of the contract columns and
// every extra field of extras (JSON objects).
func (r *runner) loadVersions(ctx context.Context, what, ref string, versions []version, extras []string) error {
	return r.loadVersionsAs(ctx, r.src.Name, what, ref, versions, extras)
}

// loadVersionsAs is loadVersions under the name of source, the source
// that publishes the versions (see handOver).
func (r *runner) loadVersionsAs(ctx context.Context, source, what, ref string, versions []version, extras []string) error {
	header := r.versionHeader(extras)
	m, err := r.list.Map(header)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	m.AllowList = r.opt.AllowList
	records := make([]load.Record, len(versions))
	for i, v := range versions {
		records[i] = load.Record{Line: i + 1, Fields: r.versionFields(header, v)}
	}
	lr, err := load.Load(ctx, r.s, m, r.list, load.Source{Name: source, Ref: ref, Encoding: "UTF-8"}, seq(records))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if lr.Rejected > 0 {
		return fmt.Errorf("%s: %d of %d rows rejected: %v", what, lr.Rejected, len(records), lr.Rejects[0].Errors[0])
	}
	r.res.Batches = append(r.res.Batches, lr.BatchID)
	return nil
}

// versionHeader is the contract columns, then every extra field of
// extras (JSON objects), so that versions written keep theirs.
func (r *runner) versionHeader(extras []string) []string {
	var header []string
	for _, c := range r.list.Columns {
		header = append(header, c.Key)
	}
	extra := map[string]bool{}
	for _, x := range extras {
		var e map[string]string
		if json.Unmarshal([]byte(x), &e) == nil {
			for name := range e {
				extra[name] = true
			}
		}
	}
	return append(header, slices.Sorted(maps.Keys(extra))...)
}

// versionFields writes a version as a record under header.
func (r *runner) versionFields(header []string, v version) []string {
	var extra map[string]string
	_ = json.Unmarshal([]byte(v.extra), &extra)
	fields := make([]string, len(header))
	for i, h := range header {
		switch {
		case h == "grade" && v.values["grade_label"] != "":
			fields[i] = v.values["grade_label"] // the label as published
		case i < len(r.list.Columns):
			fields[i] = v.values[h]
		default:
			fields[i] = extra[h]
		}
	}
	return fields
}

// queueForReview queues the snapshot's records without a USCC whose
// normalised name matches no institution or several, but those whose
// change waits for a person (changeHeld): the lists keep their stored
// version, and the change is reviewed as such.
func (r *runner) queueForReview(ctx context.Context, snapshot map[string]parsed, order []string, changeHeld map[string]bool) error {
	byName := map[string][]string{} // name_key → record keys
	for _, key := range order {
		p := snapshot[key]
		if p.uscc == "" && p.nameKey != "" && !changeHeld[key] {
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
