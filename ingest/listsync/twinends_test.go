package listsync_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/zone"
)

// twinEnv is the abnormal list synced once, with two of its listed
// institutions registered, and the day of the sync.
func twinEnv(t *testing.T) (*env, []fixture.Row, time.Time) {
	t.Helper()
	e := newEnv(t)
	e.register(map[string]string{twinA: "许昌堃元人力资源有限公司", twinB: "禹州喆诚职业介绍有限公司"})
	e.mustSync(abnormal)
	today := time.Now().In(zone.Shanghai)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	for _, u := range []string{twinA, twinB} {
		if got := e.clausesOn(u, day); !slices.Contains(got, "C6") {
			t.Fatalf("%s's clauses are %v; the test needs C6", u, got)
		}
	}
	return e, e.fx.Rows("abnormal"), day
}

// Two listed institutions of the fixture's abnormal list.
const twinA, twinB = "91411002MA112356X9", "91411081MA312356X3"

// endedWithoutUSCC is row, the listing of uscc, shown ended on day
// without its USCC: the same listing (the register knows the name) under
// another key.
func endedWithoutUSCC(row fixture.Row, day time.Time) fixture.Row {
	r := maps.Clone(row)
	r["uscc"], r["removed_on"], r["removal_reason"] = "", day.AddDate(0, 0, -1).Format(time.DateOnly), "已补报"
	return r
}

// A site that blanks the USCC of the listings it ends (or writes another
// name under it) showed their ends under new keys, loaded as added
// records; grading read them as the listings' newest versions, and two
// institutions went from C to A in one sync, past max_removal_share, while
// the run said the removals were pending. An end under another key of a
// listing still listed is an end of that listing: it counts towards the
// limits as an end date on its own key does, and over them it waits for
// a person, the grade standing.
func TestEndsUnderAnotherKeyAreHeld(t *testing.T) {
	t.Parallel()
	e, rows, day := twinEnv(t)
	shown := slices.Clone(rows)
	for i, r := range rows {
		if r["uscc"] == twinA || r["uscc"] == twinB {
			shown[i] = endedWithoutUSCC(r, day)
		}
	}
	e.fx.SetRows("abnormal", shown)
	for sync := 1; sync <= 2; sync++ {
		r := result(t, e.mustSync(abnormal), abnormal)
		if r.HeldChanges != 2 || r.Added != 0 || r.PendingRemovals != 0 || r.Removed != 0 {
			t.Fatalf("sync %d: %+v; want the 2 ends held, nothing added, pending or removed", sync, r)
		}
		if sync == 1 && !strings.Contains(r.ChangesHeld, "max_removal_share") {
			t.Errorf("sync %d: changes held %q, want the limit named", sync, r.ChangesHeld)
		}
		for _, u := range []string{twinA, twinB} {
			if got := e.clausesOn(u, day); !slices.Contains(got, "C6") {
				t.Errorf("sync %d: %s's clauses are %v, want C6 as before", sync, u, got)
			}
		}
	}
	held, err := listsync.HeldChanges(t.Context(), e.s, abnormal)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 2 || held[0].ShownUSCC != "" || held[0].USCC == "" {
		t.Errorf("held changes %+v; want the two listed records, shown without their USCC", held)
	}
}

// One end under another key is within the limits and loads, as one end
// date on a record's own key does.
func TestOneEndUnderAnotherKeyLoads(t *testing.T) {
	t.Parallel()
	e, rows, day := twinEnv(t)
	shown := slices.Clone(rows)
	i := slices.IndexFunc(rows, func(r fixture.Row) bool { return r["uscc"] == twinA })
	shown[i] = endedWithoutUSCC(rows[i], day)
	e.fx.SetRows("abnormal", shown)
	if r := result(t, e.mustSync(abnormal), abnormal); r.HeldChanges != 0 || r.Added != 1 {
		t.Fatalf("%+v; want the one end loaded", r)
	}
	if got := e.clausesOn(twinA, day); slices.Contains(got, "C6") {
		t.Errorf("%s's clauses are %v, want C6 ended", twinA, got)
	}
}

// A site that lists an entry unended and, in another row without its USCC,
// ended: the grade followed the order of the rows. One listing ended and
// not ended in one snapshot is a conflict, as one key listed twice with
// different removal states is (docs/sync.md §1b): the source fails naming
// both records, and nothing changes, whatever the order.
func TestListingEndedAndNotInOneSnapshot(t *testing.T) {
	t.Parallel()
	for _, first := range []bool{true, false} {
		name := "ended row last"
		if first {
			name = "ended row first"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, rows, day := twinEnv(t)
			i := slices.IndexFunc(rows, func(r fixture.Row) bool { return r["uscc"] == twinA })
			twin := endedWithoutUSCC(rows[i], day)
			shown := append(slices.Clone(rows), twin)
			if first {
				shown = append([]fixture.Row{twin}, rows...)
			}
			was := e.dump()
			e.fx.SetRows("abnormal", shown)
			res, err := e.sync(listsync.Options{}, abnormal)
			r := result(t, res, abnormal)
			if !errors.Is(err, listsync.ErrKeyConflict) || r.Status != listsync.StatusFailed {
				t.Fatalf("sync: status %s, error %v; want failed with ErrKeyConflict", r.Status, err)
			}
			for _, w := range []string{"统一社会信用代码 " + twinA, "许昌堃元人力资源有限公司", "one listing", day.AddDate(0, 0, -1).Format(time.DateOnly)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if got := e.dump(); got != was {
				t.Errorf("the failed sync changed the store:\n%s\nwant\n%s", got, was)
			}
			if got := e.clausesOn(twinA, day); !slices.Contains(got, "C6") {
				t.Errorf("%s's clauses are %v, want C6 as before", twinA, got)
			}
			// A replay of the run's pages says the same.
			rp, err := listsync.Replay(context.Background(), e.s, e.cfg, r.RunID)
			if err != nil || !errors.Is(rp.Err, listsync.ErrKeyConflict) {
				t.Errorf("replay: %v, %+v; want the conflict", err, rp)
			}
		})
	}
}
