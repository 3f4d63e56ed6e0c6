package listsync_test

import (
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

// A snapshot that gave one institution's evaluation of a date twice,
// under its old and its new name, graded D and A, loaded both: grading
// took the row loaded last, so the order of the rows decided D4. So did
// a listing shown with its USCC removed on one day and without it (the
// register's name) removed on another, both past: D5 or not by the
// order. Such a snapshot is one key given twice with different values
// (docs/sync.md §1b): it fails, whatever the order, and nothing changes.
// Given twice alike (a new name, the same grade) it loads as before.
func TestOneListingTwiceInOneSnapshot(t *testing.T) {
	t.Parallel()
	today := zone.Day(time.Now())
	past := func(days int) string { return today.AddDate(0, 0, -days).Format(time.DateOnly) }
	cases := []struct {
		name, source, list string
		// twin is the second version of row (the fixture's row of twinA);
		// row may be changed too.
		twin func(row fixture.Row) (first, second fixture.Row)
		want []string // in the error; none: the sync loads
	}{
		{
			name: "evaluation under the old and the new name", source: evaluations, list: "public_eval",
			twin: func(row fixture.Row) (fixture.Row, fixture.Row) {
				old := maps.Clone(row)
				old["name"], old["grade"] = "许昌旧名人力资源有限公司", "A"
				return old, row
			},
			want: []string{"one evaluation", "许昌旧名人力资源有限公司", "许昌堃元人力资源有限公司", `"A"`, `"D"`},
		},
		{
			name: "evaluation with and without the USCC", source: evaluations, list: "public_eval",
			twin: func(row fixture.Row) (fixture.Row, fixture.Row) {
				named := maps.Clone(row)
				named["uscc"], named["grade"] = "", "A"
				return row, named
			},
			want: []string{"one evaluation", "统一社会信用代码 " + twinA},
		},
		{
			name: "listing ended on two past days, with and without the USCC", source: dishonest, list: "dishonest",
			twin: func(row fixture.Row) (fixture.Row, fixture.Row) {
				ended, named := maps.Clone(row), maps.Clone(row)
				ended["removed_on"] = past(10)
				named["uscc"], named["removed_on"] = "", past(40)
				return ended, named
			},
			want: []string{"one listing", "统一社会信用代码 " + twinA, past(10), past(40)},
		},
		{
			name: "listing ended on two past days under two names", source: dishonest, list: "dishonest",
			twin: func(row fixture.Row) (fixture.Row, fixture.Row) {
				ended, old := maps.Clone(row), maps.Clone(row)
				ended["removed_on"] = past(10)
				old["name"], old["removed_on"] = "许昌旧名人力资源有限公司", past(40)
				return ended, old
			},
			want: []string{"one listing", "许昌旧名人力资源有限公司", past(10), past(40)},
		},
		{
			name: "evaluation under two names alike", source: evaluations, list: "public_eval",
			twin: func(row fixture.Row) (fixture.Row, fixture.Row) {
				old := maps.Clone(row)
				old["name"] = "许昌旧名人力资源有限公司"
				return old, row
			},
		},
	}
	for _, c := range cases {
		for _, swapped := range []bool{false, true} {
			name := c.name
			if swapped {
				name += ", swapped"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				e.register(map[string]string{twinA: "许昌堃元人力资源有限公司"})
				e.mustSync(c.source)
				rows := e.fx.Rows(c.list)
				i := slices.IndexFunc(rows, func(r fixture.Row) bool { return r["uscc"] == twinA })
				if i < 0 {
					t.Fatalf("the fixture's %s has no row of %s", c.list, twinA)
				}
				a, b := c.twin(rows[i])
				if swapped {
					a, b = b, a
				}
				shown := slices.Concat(rows[:i], []fixture.Row{a}, rows[i+1:], []fixture.Row{b})
				was := e.dump(c.source)
				e.fx.SetRows(c.list, shown)
				res, err := e.sync(listsync.Options{}, c.source)
				r := result(t, res, c.source)
				if c.want == nil {
					if err != nil || r.Status == listsync.StatusFailed || r.Added != 1 {
						t.Fatalf("sync: %+v, %v; want the second name loaded", r, err)
					}
					return
				}
				if !errors.Is(err, listsync.ErrKeyConflict) || r.Status != listsync.StatusFailed {
					t.Fatalf("sync: status %s, error %v; want failed with ErrKeyConflict", r.Status, err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if got := e.dump(c.source); got != was {
					t.Errorf("the failed sync changed the store:\n%s\nwant\n%s", got, was)
				}
			})
		}
	}
}
