package listsync_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/zone"
)

// gone, as the end a source shows, is a source that no longer lists the
// record at all.
const gone = "gone"

// Two sources publishing one record (the same key) each loaded their own
// version into the list's one row, the last synced winning: an end date
// (removed_on, publicity_ended_on) from one source lifted the grade
// while the other still listed the record in force, and with no change
// on either site the grade flipped with the order of the sources, every
// run. Of the versions the sources publish, the list holds the one that
// ends last; a source that stops listing the record hands it over to
// the versions still published. Each case runs in both orders: the
// steps' runs go in that order, but the last run of each step goes in
// the other.
func TestOneRecordOfTwoSourcesEndsLast(t *testing.T) {
	t.Parallel()
	today := time.Now().In(zone.Shanghai)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	ended := day.AddDate(0, 0, -1).Format(time.DateOnly)
	const decision = "魏人社罚决字〔2026〕1号" // twinA's penalty, publicized until 2029-03-02
	// A step sets the end each source shows (gone: not listed), then
	// syncs len(want) times; want is the end the list holds after each
	// run ("" none). kept: every run reports the other's end kept back,
	// naming both sources.
	type step struct {
		base, other string
		want        []string
		kept        bool
	}
	for _, c := range []struct {
		name, list, base, key, value, end, clause string
		steps                                     []step
	}{
		{"abnormal: one source ends a listing the other lists", "abnormal", abnormal, "uscc", twinA, "removed_on", "C6", []step{
			{base: "", other: "", want: []string{""}},
			{base: "", other: ended, want: []string{"", "", ""}, kept: true},
			// Both end it: nothing holds it any more.
			{base: ended, other: ended, want: []string{ended}},
		}},
		{"abnormal: the source listing it in force stops listing it", "abnormal", abnormal, "uscc", twinA, "removed_on", "C6", []step{
			{base: "", other: "", want: []string{""}},
			// The first snapshot without it makes its removal pending
			// (still listed); the second confirms it, and the other's
			// ended version is the one published.
			{base: gone, other: ended, want: []string{"", ended}},
		}},
		{"penalties: one source ends the publicity earlier", "penalties", penalties, "record_id", decision, "publicity_ended_on", "B6", []step{
			{base: "2029-03-02", other: "2029-03-02", want: []string{"2029-03-02"}},
			{base: "2029-03-02", other: ended, want: []string{"2029-03-02", "2029-03-02", "2029-03-02"}, kept: true},
			{base: ended, other: ended, want: []string{ended}},
		}},
		{"penalties: the version that stood ends earlier than the other's", "penalties", penalties, "record_id", decision, "publicity_ended_on", "B6", []step{
			{base: "2029-03-02", other: "", want: []string{"", ""}},
			{base: "2029-03-02", other: ended, want: []string{"2029-03-02", "2029-03-02"}, kept: true},
		}},
		{"penalties: the source publishing it longer stops publishing it", "penalties", penalties, "record_id", decision, "publicity_ended_on", "B6", []step{
			{base: "2029-03-02", other: "2029-03-02", want: []string{"2029-03-02"}},
			{base: gone, other: ended, want: []string{"2029-03-02", ended}},
		}},
	} {
		for _, baseFirst := range []bool{true, false} {
			name := c.name + ", the other source first"
			if baseFirst {
				name = c.name + ", the listing source first"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				e.register(map[string]string{twinA: "许昌堃元人力资源有限公司"})
				other := e.fork(t, c.base, 1)
				otherName := other.cfg.Sources[0].Name
				e.cfg.Sources = append(e.cfg.Sources, other.cfg.Sources[0])
				order := []string{c.base, otherName}
				if !baseFirst {
					order = []string{otherName, c.base}
				}
				rows := e.fx.Rows(c.list)
				show := func(fx *fixture.Server, end string) {
					var out []fixture.Row
					for _, r := range rows {
						if r[c.key] == c.value {
							if end == gone {
								continue
							}
							r = maps.Clone(r)
							r[c.end] = end
							if c.end == "removed_on" && end != "" {
								r["removal_reason"] = "已补报"
							}
						}
						out = append(out, r)
					}
					fx.SetRows(c.list, out)
				}
				for i, s := range c.steps {
					show(e.fx, s.base)
					show(other.fx, s.other)
					for run, want := range s.want {
						sources := order
						if run == len(s.want)-1 && run > 0 {
							sources = []string{order[1], order[0]}
						}
						res := e.mustSync(sources...)
						where := func() string {
							return "step " + string(rune('0'+i)) + " run " + string(rune('1'+run)) + " (" + strings.Join(sources, ", ") + ")"
						}
						got := e.strings("SELECT ifNull(toString(" + c.end + "), '') FROM " + c.list + " FINAL WHERE " + c.key + " = '" + c.value + "'")
						if len(got) != 1 || got[0] != want {
							t.Errorf("%s: the list holds %s %q, want %q", where(), c.end, got, want)
						}
						holds := want == "" || want > day.Format(time.DateOnly)
						if clauses := e.clausesOn(twinA, day); slices.Contains(clauses, c.clause) != holds {
							t.Errorf("%s: %s's clauses are %v; want %s to hold: %v", where(), twinA, clauses, c.clause, holds)
						}
						if r := result(t, res, otherName); s.kept && (r.ListedElsewhere != 1 || !strings.Contains(r.ElsewhereWhy, otherName) || !strings.Contains(r.ElsewhereWhy, c.base)) {
							t.Errorf("%s: %s kept %d back (%q); want 1, naming both sources", where(), otherName, r.ListedElsewhere, r.ElsewhereWhy)
						}
					}
				}
			})
		}
	}
}

// Two sources listing one record in force, with different text (one
// site corrected its reason): each sync reloaded its own version over
// the other's, so the evidence flipped with the order of the sources at
// every run, with nothing changed on either site. Between versions that
// end alike the list holds the one of the source first by name, in
// whichever order the sources sync.
func TestVersionsThatEndAlikeDoNotFlip(t *testing.T) {
	t.Parallel()
	const corrected = "未按规定期限公示年度报告（2024年度）"
	for _, c := range []struct {
		name      string
		baseFirst bool // the order of the syncs
		byBase    bool // the source first by name corrects its text
	}{
		{"the standing source corrects it, synced first", true, true},
		{"the standing source corrects it, synced last", false, true},
		{"the other source corrects it, synced first", false, false},
		{"the other source corrects it, synced last", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			other := e.fork(t, abnormal, 1)
			otherName := other.cfg.Sources[0].Name // after abnormal by name
			e.cfg.Sources = append(e.cfg.Sources, other.cfg.Sources[0])
			order := []string{abnormal, otherName}
			if !c.baseFirst {
				order = []string{otherName, abnormal}
			}
			e.mustSync(order...)
			rows := e.fx.Rows("abnormal")
			i := slices.IndexFunc(rows, func(r fixture.Row) bool { return r["uscc"] == twinA })
			was := rows[i]["reason"]
			rows[i] = maps.Clone(rows[i])
			rows[i]["reason"] = corrected
			want := was
			if c.byBase {
				e.fx.SetRows("abnormal", rows)
				want = corrected
			} else {
				other.fx.SetRows("abnormal", rows)
			}
			for run := 1; run <= 3; run++ {
				sources := order
				if run == 3 {
					sources = []string{order[1], order[0]}
				}
				e.mustSync(sources...)
				if got := e.strings("SELECT reason FROM abnormal FINAL WHERE uscc = '" + twinA + "'"); len(got) != 1 || got[0] != want {
					t.Errorf("run %d (%s): the list holds reason %q, want %q", run, strings.Join(sources, ", "), got, want)
				}
			}
		})
	}
}

// A record one source stopped publishing while another still lists it
// was kept, but the run reported it "removed 1" (or, for a list without
// a removal date, "no longer published"): the operator read that a
// listing was removed when none was. It is counted as kept, with the
// source that still lists it named; once no source lists it, it is
// removed (unpublished) and counted so.
func TestRemovalAnotherSourceListsIsCountedKept(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		list, base, key, value string
		removes                bool // the list has a removal date
	}{
		{"abnormal", abnormal, "uscc", twinA, true},
		{"penalties", penalties, "record_id", "魏人社罚决字〔2026〕1号", false},
	} {
		t.Run(c.list, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			other := e.fork(t, c.base, 1)
			otherName := other.cfg.Sources[0].Name
			e.cfg.Sources = append(e.cfg.Sources, other.cfg.Sources[0])
			e.mustSync(c.base, otherName)
			e.fx.SetRows(c.list, without(e.fx.Rows(c.list), c.key, c.value))
			e.mustSync(c.base)
			r := result(t, e.mustSync(c.base), c.base)
			if r.Removed != 0 || r.Unpublished != 0 || r.ListedElsewhere != 1 {
				t.Errorf("while %s lists it: removed %d, unpublished %d, kept %d; want 0, 0 and 1", otherName, r.Removed, r.Unpublished, r.ListedElsewhere)
			}
			for _, w := range []string{"no longer published by " + c.base, "listed by " + otherName} {
				if !strings.Contains(r.ElsewhereWhy, w) {
					t.Errorf("why %q lacks %q", r.ElsewhereWhy, w)
				}
			}
			other.fx.SetRows(c.list, without(other.fx.Rows(c.list), c.key, c.value))
			e.mustSync(otherName)
			r = result(t, e.mustSync(otherName), otherName)
			want := listsync.Result{Removed: 1}
			if !c.removes {
				want = listsync.Result{Unpublished: 1}
			}
			if r.Removed != want.Removed || r.Unpublished != want.Unpublished || r.ListedElsewhere != 0 {
				t.Errorf("once no source lists it: removed %d, unpublished %d, kept %d; want %d, %d and 0", r.Removed, r.Unpublished, r.ListedElsewhere, want.Removed, want.Unpublished)
			}
		})
	}
}
