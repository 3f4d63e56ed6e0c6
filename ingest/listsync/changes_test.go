package listsync_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/zone"
)

// register imports institutions (USCC → name) into e's register.
func (e *env) register(institutions map[string]string) {
	e.t.Helper()
	text := "统一社会信用代码,机构名称,区县代码,许可日期\n"
	for _, u := range slices.Sorted(maps.Keys(institutions)) {
		text += u + "," + institutions[u] + ",411002,2020-01-01\n"
	}
	path := filepath.Join(e.t.TempDir(), "institutions.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		e.t.Fatal(err)
	}
	inst, _ := contract.Lookup("institutions")
	if _, err := file.Import(context.Background(), e.s, inst, path, file.ImportOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

// penaltyUSCC is the USCC the penalties list holds for a decision.
func (e *env) penaltyUSCC(decision string) string {
	e.t.Helper()
	var u string
	if err := store.QueryRow(context.Background(), e.s, "SELECT uscc FROM penalties FINAL WHERE record_id = {id:String}", store.Params{"id": decision}, &u); err != nil {
		e.t.Fatalf("penalty %s: %v", decision, err)
	}
	return u
}

// clauses are the clauses that hold for an institution on 2026-07-31.
func (e *env) clauses(uscc string) []string {
	e.t.Helper()
	return e.clausesOn(uscc, time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC))
}

// clausesOn are the clauses that hold for an institution on a day.
func (e *env) clausesOn(uscc string, day time.Time) []string {
	e.t.Helper()
	r, err := grade.Explain(context.Background(), e.s, grade.DefaultRules(), day, uscc)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ClauseIDs()
}

// A penalty is keyed by its 决定书文号 alone: a site that stops showing
// the party's USCC and writes its name so that the register cannot place
// it (with the legal representative, cut short with …, masked) shows the
// same decision as a change, which, applied, made the institution's
// penalty nobody's: B6 ended in one sync (B to A) while the decision was
// still published. Such a change, and one to another USCC, waits for a
// person; the lists keep the stored version and the grade stands. A
// change that still names the institution (its name as the register has
// it) and one of a party the register does not hold load as before.
func TestPenaltyLeavingItsInstitutionIsHeld(t *testing.T) {
	t.Parallel()
	const (
		decision = "魏人社罚决字〔2026〕1号"
		uscc     = "91411002MA112356X9"
		name     = "许昌堃元人力资源有限公司"
	)
	for _, c := range []struct {
		what, uscc, name string
		registered, held bool
	}{
		{"its USCC blanked, named with its legal representative", "", name + "（法定代表人：王某某）", true, true},
		{"its USCC blanked, its name cut short", "", "许昌堃元人力资源…", true, true},
		{"its USCC blanked, its name masked", "", "许昌**有限公司", true, true},
		{"under another USCC", "91411002MA4000001T", name, true, true},
		{"its USCC blanked, under the name the register has", "", name, true, false},
		{"of a party the register does not hold", "", name + "（法定代表人：王某某）", false, false},
	} {
		t.Run(c.what, func(t *testing.T) {
			t.Parallel()
			e := newShapedEnv(t)
			if c.registered {
				e.register(map[string]string{uscc: name})
			} else {
				e.register(map[string]string{"91411002MAE12356XR": "许昌某某人力资源有限公司"})
			}
			e.mustSync(platformPenalties)
			rows := e.fx.Rows("penalties")
			i := slices.IndexFunc(rows, func(r fixture.Row) bool { return r["record_id"] == decision })
			if i < 0 || rows[i]["uscc"] != uscc {
				t.Fatalf("the fixture lacks %s of %s", decision, uscc)
			}
			changed := slices.Clone(rows)
			changed[i] = fixture.Row{}
			for k, v := range rows[i] {
				changed[i][k] = v
			}
			changed[i]["uscc"], changed[i]["name"] = c.uscc, c.name
			e.fx.SetRows("penalties", changed)
			r := result(t, e.mustSync(platformPenalties), platformPenalties)
			if !c.held {
				if r.Modified != 1 || r.HeldChanges != 0 {
					t.Fatalf("%+v; want the change loaded", r)
				}
				if got := e.penaltyUSCC(decision); got != c.uscc {
					t.Errorf("the penalty's USCC is %q, want %q", got, c.uscc)
				}
				return
			}
			if r.Modified != 0 || r.HeldChanges != 1 || !strings.Contains(r.ChangesHeld, decision) {
				t.Fatalf("%+v; want the change held for a person", r)
			}
			for sync := 1; sync <= 2; sync++ {
				if got := e.penaltyUSCC(decision); got != uscc {
					t.Errorf("sync %d: the penalty's USCC is %q, want the stored %s", sync, got, uscc)
				}
				if got := e.clauses(uscc); !slices.Contains(got, "B6") {
					t.Errorf("sync %d: %s's clauses are %v, want B6 to stand", sync, uscc, got)
				}
				if sync == 1 {
					// Held changes stay held on later syncs.
					if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.HeldChanges != 1 || r.Modified != 0 || r.ChangesHeld != "" {
						t.Fatalf("the next sync: %+v; want the change still held, not held again", r)
					}
				}
			}
			held, err := listsync.HeldChanges(context.Background(), e.s, platformPenalties)
			if err != nil || len(held) != 1 || held[0].USCC != uscc || held[0].ShownUSCC != c.uscc || held[0].ShownName != c.name || held[0].Why == "" {
				t.Fatalf("held changes %+v %v", held, err)
			}
			items, err := listsync.Review(context.Background(), e.s, "penalties")
			if err != nil || slices.ContainsFunc(items, func(it listsync.ReviewItem) bool { return it.RecordKey == decision }) {
				t.Errorf("review queue %+v %v; the held change is reviewed as a change, not queued", items, err)
			}
			st, err := listsync.Sources(context.Background(), e.s, e.cfg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range st {
				if s.Source == platformPenalties && s.HeldChanges != 1 {
					t.Errorf("sources shows %d held changes, want 1", s.HeldChanges)
				}
			}
			n, err := listsync.AcceptChanges(context.Background(), e.s, e.cfg, platformPenalties, listsync.Options{})
			if err != nil || n != 1 {
				t.Fatalf("accept: %d %v", n, err)
			}
			if got := e.penaltyUSCC(decision); got != c.uscc {
				t.Errorf("accepted: the penalty's USCC is %q, want %q", got, c.uscc)
			}
			if got := e.clauses(uscc); slices.Contains(got, "B6") {
				t.Errorf("accepted: %s's clauses are %v, want B6 gone with the penalty", uscc, got)
			}
			if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.HeldChanges != 0 || r.Modified != 0 || r.Unchanged != r.Rows {
				t.Errorf("the sync after accepting: %+v", r)
			}
		})
	}
}

// A held change the site takes back (it shows the stored version again)
// is withdrawn: nothing waits, nothing changed.
func TestHeldChangeWithdrawn(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	rows := e.fx.Rows("penalties")
	e.register(map[string]string{rows[0]["uscc"]: rows[0]["name"]})
	e.mustSync(platformPenalties)
	clean := e.state()
	changed := slices.Clone(rows)
	changed[0] = fixture.Row{}
	for k, v := range rows[0] {
		changed[0][k] = v
	}
	changed[0]["uscc"], changed[0]["name"] = "", "许昌**有限公司"
	e.fx.SetRows("penalties", changed)
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.HeldChanges != 1 {
		t.Fatalf("%+v; want the change held", r)
	}
	e.fx.SetRows("penalties", rows)
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.HeldChanges != 0 || r.Modified != 0 || r.Unchanged != r.Rows {
		t.Fatalf("%+v; want the held change withdrawn", r)
	}
	if got := e.state(); got != clean {
		t.Errorf("after the site took the change back:\n%s\nwant\n%s", got, clean)
	}
	if n := e.count("SELECT count() FROM external_records FINAL WHERE held_hash != ''", store.Params{}); n != 0 {
		t.Errorf("%d changes still held", n)
	}
}

// A removal date appearing on one record is loaded (docs/data.md), but an
// interface that writes today for a null date ends every listing at once
// (every dishonest record given an outDate of today, every penalty's
// publicity ended), and no removal's proof stood in its way: D5, C6 and
// B6 ended in one sync. New end dates that end records now count with
// confirmed removals towards max_removals and max_removal_share; over
// them they wait for a person, the lists keep the records as stored, and
// the grade stands. One such date loads as before.
func TestMassEndDatingIsHeld(t *testing.T) {
	t.Parallel()
	const uscc = "91411002MA112356X9" // on every list of the fixture
	for _, c := range []struct{ source, list, column, clause string }{
		{dishonest, "dishonest", "removed_on", "D5"},
		{abnormal, "abnormal", "removed_on", "C6"},
		{penalties, "penalties", "publicity_ended_on", ""}, // B6 looks back a window: it may have passed
	} {
		t.Run(c.list, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.register(map[string]string{uscc: "许昌堃元人力资源有限公司"})
			e.mustSync(c.source)
			today := time.Now().In(zone.Shanghai)
			day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
			clauses := e.clausesOn(uscc, day)
			if c.clause != "" && !slices.Contains(clauses, c.clause) {
				t.Fatalf("%s's clauses are %v; the test needs %s", uscc, clauses, c.clause)
			}
			if n := e.inForce(c.list, c.column, day); n < 2 {
				t.Fatalf("the fixture's %s has %d records in force", c.list, n)
			}
			rows := e.fx.Rows(c.list)
			ended, ending, moved := slices.Clone(rows), 0, 0 // records a new end date ends, and those ended before whose date moves
			for i, r := range rows {
				switch {
				case r[c.column] == "" || r[c.column] > day.Format(time.DateOnly):
					ending++
				case r[c.column] != day.Format(time.DateOnly):
					moved++
				}
				ended[i] = maps.Clone(r)
				ended[i][c.column] = day.Format(time.DateOnly)
			}
			e.fx.SetRows(c.list, ended)
			back := moved // the records ended before move back when the site shows them as before
			for sync := 1; sync <= 2; sync++ {
				r := result(t, e.mustSync(c.source), c.source)
				if r.HeldChanges != ending || r.Modified != moved {
					t.Fatalf("sync %d: %+v; want the %d records ended now held, %d modified", sync, r, ending, moved)
				}
				moved = 0 // loaded by the first
				if sync == 1 && !strings.Contains(r.ChangesHeld, "max_removal_share") {
					t.Errorf("sync %d: changes held %q, want the limit named", sync, r.ChangesHeld)
				}
				if n := e.inForce(c.list, c.column, day); n != int64(ending) {
					t.Errorf("sync %d: %d records of %s in force, want all %d still", sync, n, c.list, ending)
				}
				if got := e.clausesOn(uscc, day); !slices.Equal(got, clauses) {
					t.Errorf("sync %d: %s's clauses are %v, want %v as before", sync, uscc, got, clauses)
				}
			}
			// The site shows them as before, then ends one record: the
			// hold is withdrawn, and the one end date loads.
			e.fx.SetRows(c.list, rows)
			if r := result(t, e.mustSync(c.source), c.source); r.HeldChanges != 0 || r.Modified != back {
				t.Fatalf("the records as before: %+v", r)
			}
			one := slices.Clone(rows)
			i := slices.IndexFunc(rows, func(r fixture.Row) bool { return r[c.column] == "" || r[c.column] > day.Format(time.DateOnly) })
			one[i] = maps.Clone(rows[i])
			one[i][c.column] = day.Format(time.DateOnly)
			e.fx.SetRows(c.list, one)
			if r := result(t, e.mustSync(c.source), c.source); r.HeldChanges != 0 || r.Modified != 1 {
				t.Fatalf("one record ended: %+v; want it loaded", r)
			}
			if n := e.inForce(c.list, c.column, day); n != int64(ending-1) {
				t.Errorf("one record ended: %d records of %s in force, want %d", n, c.list, ending-1)
			}
		})
	}
}

// inForce counts a list's records whose end date (column) has not come
// by day.
func (e *env) inForce(list, column string, day time.Time) int64 {
	e.t.Helper()
	return e.count("SELECT count() FROM "+list+" FINAL WHERE "+column+" IS NULL OR "+column+" > {day:Date}", store.Params{"day": day.Format(time.DateOnly)})
}
