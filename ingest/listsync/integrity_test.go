package listsync_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
)

// The two sources of creditsync.example.toml shaped like real sites: a
// city's GBK 经营异常名录 pages (?page=N, 共N条记录 … 共M页, 暂无数据) and a
// sharing platform's 行政处罚 interface (POST form, code 0, data.total,
// data.list).
const (
	cityAbnormal      = "city-abnormal-pages"
	platformPenalties = "platform-penalties"
)

var shapedEndpoint = map[string]fixture.Endpoint{cityAbnormal: fixture.AbnormalPages, platformPenalties: fixture.PenaltiesShared}

// newShapedEnv syncs the example's two site-shaped sources from the
// fixture, with pages of two records.
func newShapedEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	example, err := listsync.LoadConfig(example)
	if err != nil {
		t.Fatal(err)
	}
	var sources []listsync.Source
	for _, s := range example.Sources {
		switch s.Name {
		case cityAbnormal:
			s.PageTemplate = e.fx.URL(fixture.AbnormalPages) + "?page={page}"
		case platformPenalties:
			s.URL = e.fx.URL(fixture.PenaltiesShared)
			s.TokenEnv = fixture.EnvToken
			s.PageSize = 2
		default:
			continue
		}
		s.Disabled, s.Rate, s.Retries = false, 0, 1
		s.BackoffMin, s.BackoffMax, s.Timeout = time.Millisecond, 2*time.Millisecond, time.Second
		s.ConfirmRemovalsAfter = 0
		sources = append(sources, s)
	}
	if len(sources) != 2 {
		t.Fatalf("the example config lacks the site-shaped sources: %d", len(sources))
	}
	e.cfg = listsync.Config{Settings: e.cfg.Settings, Sources: sources}
	return e
}

// state is what a sync decides, without the times it ran: the lists and
// every record's removal state.
func (e *env) state() string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT record_id, uscc, name, decided_on, authority, content, publicity_ended_on FROM penalties FINAL ORDER BY record_id",
		"SELECT uscc, name_key, listed_on, reason, removed_on, removal_reason FROM abnormal FINAL ORDER BY uscc, name_key, listed_on",
		"SELECT source, record_key, row_hash, removed_on, missed_on, removal_held FROM external_records FINAL ORDER BY source, record_key",
	} {
		rows, err := e.s.Query(context.Background(), q, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		for rows.Next() {
			for _, v := range rows.Values() {
				if t, ok := v.(time.Time); ok {
					v = t.Format(time.DateOnly)
				}
				b.WriteString(strings.ReplaceAll(strings.TrimSpace(strings.ReplaceAll(toText(v), "\n", " ")), "\x1f", "|") + "\t")
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

func toText(v any) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprint(v)
}

// The six ways the independent testers' sites made a sync remove
// listings that were still published, and four more: each must fail the
// sync (or leave it partial) and change nothing, and a clean sync
// afterwards must restore the clean state.
func TestFaultyListingsRemoveNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		source string
		faults []fixture.Fault
		want   error
	}{
		{"renamed HTML column", cityAbnormal, []fixture.Fault{{Kind: fixture.RenameColumn, Column: "企业名称", To: "企业（机构）名称"}}, fetch.ErrLayout},
		{"renamed JSON key", platformPenalties, []fixture.Fault{{Kind: fixture.RenameColumn, Column: "cf_xdr_mc", To: "cf_dsr_mc"}}, fetch.ErrLayout},
		{"renamed JSON key field", platformPenalties, []fixture.Fault{{Kind: fixture.RenameColumn, Column: "cf_wsh", To: "cf_jdswh"}}, fetch.ErrLayout},
		{"overlapping pages (unstable sort)", platformPenalties, []fixture.Fault{{Kind: fixture.UnstableSort, Page: 3, Count: 1}}, listsync.ErrNotProven},
		{"overlapping HTML pages", cityAbnormal, []fixture.Fault{{Kind: fixture.UnstableSort, Page: 2, Count: 1}}, listsync.ErrNotProven},
		{"total understated", platformPenalties, []fixture.Fault{{Kind: fixture.UnderstateTotal, Count: 3}}, listsync.ErrNotProven},
		{"total understated by a page", platformPenalties, []fixture.Fault{{Kind: fixture.UnderstateTotal, Count: 1}}, listsync.ErrNotProven},
		// The page count then disagrees with the record count.
		{"HTML count claims more rows than served", cityAbnormal, []fixture.Fault{{Kind: fixture.HideRows, Count: 2}}, fetch.ErrClaims},
		{"HTML count understated", cityAbnormal, []fixture.Fault{{Kind: fixture.UnderstateTotal, Count: 1}}, listsync.ErrNotProven},
		{"a count claim with no rows", cityAbnormal, []fixture.Fault{{Kind: fixture.HideRows, Count: 6}}, listsync.ErrNotProven},
		{"API count claim with no rows", platformPenalties, []fixture.Fault{{Kind: fixture.HideRows, Count: 7}}, fetch.ErrIncomplete},
		{"GBK CAPTCHA page", cityAbnormal, []fixture.Fault{{Kind: fixture.Captcha}}, fetch.ErrChallenge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newShapedEnv(t)
			e.mustSync()
			clean := e.state()
			e.fx.Inject(shapedEndpoint[tt.source], tt.faults...)
			res, err := e.sync(listsync.Options{}, tt.source)
			r := result(t, res, tt.source)
			if err == nil || r.Status == listsync.StatusOK || !errors.Is(err, tt.want) {
				t.Fatalf("faulty sync: status %s, error %v; want a failure wrapping %v", r.Status, err, tt.want)
			}
			if got := e.state(); got != clean {
				t.Errorf("a failed sync changed the store:\nbefore\n%s\nafter\n%s", clean, got)
			}
			e.fx.ClearFaults()
			if r := result(t, e.mustSync(tt.source), tt.source); r.PendingRemovals != 0 || r.Removed != 0 || r.Added != 0 {
				t.Errorf("clean sync after the fault: %+v", r)
			}
			if got := e.state(); got != clean {
				t.Errorf("a clean sync after the fault left another state:\nclean\n%s\nnow\n%s", clean, got)
			}
		})
	}
}

// A removal needs two complete snapshots; it is dated by the first, and
// last_seen stays when the record was last seen.
func TestRemovalNeedsASecondSnapshot(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.mustSync()
	gone := e.fx.Rows("abnormal")[2]
	var seen time.Time
	lastSeen := "SELECT last_seen FROM external_records FINAL WHERE source = {s:String} AND uscc = {u:String}"
	p := store.Params{"s": cityAbnormal, "u": gone["uscc"]}
	if err := store.QueryRow(context.Background(), e.s, lastSeen, p, &seen); err != nil {
		t.Fatal(err)
	}
	listed := "SELECT count() FROM abnormal FINAL WHERE uscc = {u:String} AND removed_on IS NULL"
	e.fx.SetRows("abnormal", without(e.fx.Rows("abnormal"), "uscc", gone["uscc"]))

	first := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if first.PendingRemovals != 1 || first.Removed != 0 {
		t.Fatalf("first snapshot without the record: %+v", first)
	}
	if e.count(listed, p) != 1 {
		t.Error("a pending removal changed the list")
	}
	waiting, err := listsync.Removals(context.Background(), e.s, cityAbnormal)
	if err != nil || len(waiting) != 1 || waiting[0].USCC != gone["uscc"] || waiting[0].Held {
		t.Fatalf("removals waiting: %+v %v", waiting, err)
	}
	second := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if second.Removed != 1 || second.PendingRemovals != 0 {
		t.Fatalf("second snapshot without the record: %+v", second)
	}
	if e.count(listed, p) != 0 {
		t.Error("the confirmed removal is not in the list")
	}
	var removedOn, missedOn time.Time
	var now time.Time
	if err := store.QueryRow(context.Background(), e.s, "SELECT removed_on, missed_on, last_seen FROM external_records FINAL WHERE source = {s:String} AND uscc = {u:String}", p, &removedOn, &missedOn, &now); err != nil {
		t.Fatal(err)
	}
	if !now.Equal(seen) {
		t.Errorf("last_seen moved from %v to %v without the record being seen", seen, now)
	}
	if !removedOn.Equal(missedOn) {
		t.Errorf("removed_on %v, want the day of the first snapshot that missed it, %v", removedOn, missedOn)
	}
}

// A removal's second snapshot must come a real interval after the first,
// by default: with confirm_removals_after 0 an operator re-running sync,
// or the 01:00 sync and then the 02:30 nightly, confirmed it, and a fault
// that kept its own count consistent for ninety minutes (a search backend
// serving 10 of its 12 records as 共10条) lifted grades within a night.
// Left unset, the next night's sync confirms, and no sync of the same
// night does.
func TestRemovalWaitsForTheNextNight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	defaults, err := listsync.ParseConfig(e.fx.SourcesTOML())
	if err != nil {
		t.Fatal(err)
	}
	e.source(dishonest).ConfirmRemovalsAfter = defaults.Sources[0].ConfirmRemovalsAfter // as a configuration leaves it
	e.mustSync(dishonest)
	rows := e.fx.Rows("dishonest")
	e.fx.SetRows("dishonest", rows[1:])
	night := time.Now().Add(time.Hour)
	for _, s := range []struct {
		what            string
		at              time.Time
		pending, remove int
	}{
		{"the 02:30 nightly", night, 1, 0},
		{"an operator's sync a minute later", night.Add(time.Minute), 1, 0},
		{"a sync 90 minutes later", night.Add(90 * time.Minute), 1, 0},
		{"the next night's sync, 90 minutes earlier", night.Add(24*time.Hour - 90*time.Minute), 0, 1},
	} {
		res, err := e.sync(listsync.Options{Now: func() time.Time { return s.at }}, dishonest)
		if err != nil {
			t.Fatal(err)
		}
		if r := result(t, res, dishonest); r.PendingRemovals != s.pending || r.Removed != s.remove {
			t.Fatalf("%s: pending %d, removed %d; want %d and %d", s.what, r.PendingRemovals, r.Removed, s.pending, s.remove)
		}
	}
}

// A record seen again withdraws its pending removal.
func TestPendingRemovalWithdrawn(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.mustSync()
	all := e.fx.Rows("penalties")
	e.fx.SetRows("penalties", all[1:])
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.PendingRemovals != 1 {
		t.Fatalf("%+v", r)
	}
	e.fx.SetRows("penalties", all)
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.Restored != 1 || r.Removed != 0 || r.PendingRemovals != 0 {
		t.Fatalf("%+v", r)
	}
	if n := e.count("SELECT count() FROM external_records FINAL WHERE missed_on IS NOT NULL OR removed_on IS NOT NULL", nil); n != 0 {
		t.Errorf("%d records still pending or removed", n)
	}
}

// More confirmed removals than the source's limit wait for a person.
func TestRemovalLimitHoldsForAPerson(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.source(platformPenalties).MaxRemovals = 2
	e.mustSync()
	e.fx.SetRows("penalties", e.fx.Rows("penalties")[3:])
	e.mustSync(platformPenalties)
	r := result(t, e.mustSync(platformPenalties), platformPenalties)
	if r.HeldRemovals != 3 || r.Removed != 0 || !strings.Contains(r.RemovalsHeld, "max_removals 2") {
		t.Fatalf("%+v", r)
	}
	st, err := listsync.Sources(context.Background(), e.s, e.cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Source == platformPenalties && s.HeldRemovals != 3 {
			t.Errorf("sources shows %d held removals, want 3", s.HeldRemovals)
		}
	}
	// Held removals stay held on later syncs.
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.HeldRemovals != 3 || r.Removed != 0 {
		t.Fatalf("%+v", r)
	}
	n, err := listsync.AcceptRemovals(context.Background(), e.s, e.cfg, platformPenalties, listsync.Options{})
	if err != nil || n != 3 {
		t.Fatalf("accept: %d %v", n, err)
	}
	if n := e.count("SELECT count() FROM external_records FINAL WHERE source = {s:String} AND removed_on IS NOT NULL", store.Params{"s": platformPenalties}); n != 3 {
		t.Errorf("%d removed after accepting, want 3", n)
	}
}

// A sync that broke off, then a site that changed page 1: the resumed
// snapshot must not stitch two versions of the list together.
func TestResumeAcrossAChangedSite(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.mustSync()
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.ServerError, Page: 3})
	if _, err := e.sync(listsync.Options{}, cityAbnormal); err == nil {
		t.Fatal("the sync should break off at page 3")
	}
	rows := e.fx.Rows("abnormal")
	dropped := rows[0]
	e.fx.SetRows("abnormal", rows[1:])
	e.fx.ClearFaults()
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if r.Resumed != 0 || r.PendingRemovals != 1 || r.Removed != 0 {
		t.Fatalf("after the site changed: %+v", r)
	}
	waiting, err := listsync.Removals(context.Background(), e.s, cityAbnormal)
	if err != nil || len(waiting) != 1 || waiting[0].USCC != dropped["uscc"] {
		t.Errorf("pending removals %+v %v; want only %s", waiting, err, dropped["uscc"])
	}
}

// A sync that broke off, then a listing delisted from page 2 (already
// read) and another added at the end: page 1 and the record count are
// what they were, yet the record after the delisted one slid back onto
// page 2, and a resumed snapshot would never read it — and would remove
// it. The last page read is fetched again too, and the snapshot starts
// over: only the delisted record waits for removal.
func TestResumeAcrossAShiftAfterPage1(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.mustSync()
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.ServerError, Page: 3})
	if _, err := e.sync(listsync.Options{}, cityAbnormal); err == nil {
		t.Fatal("the sync should break off at page 3")
	}
	rows := e.fx.Rows("abnormal")
	if len(rows) < 6 {
		t.Fatalf("the fixture lists %d records; the test needs three pages of two", len(rows))
	}
	delisted := rows[2]
	added := maps.Clone(delisted)
	added["listed_on"] = "2026-06-30" // listed again: another record
	e.fx.SetRows("abnormal", append(append(append([]fixture.Row{}, rows[:2]...), rows[3:]...), added))
	e.fx.ClearFaults()
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if r.Resumed != 0 || r.Removed != 0 {
		t.Errorf("after the listing shifted past page 1: %+v; want the snapshot started over", r)
	}
	waiting, err := listsync.Removals(context.Background(), e.s, cityAbnormal)
	if err != nil || len(waiting) != 1 || waiting[0].USCC != delisted["uscc"] {
		t.Errorf("pending removals %+v %v; want only the delisted %s", waiting, err, delisted["uscc"])
	}
}

// A page 1 from a cache (a CDN, a CMS's pre-built index page) beside
// current pages 2…N, after an ordinary day's changes — the first record
// delisted, another listed at the end, the count unchanged — reads the
// record that slid from page 2 onto page 1 on neither page, keeps the
// delisted one, and adds up: the record still listed went pending, and a
// second snapshot removed it (C6 to A). Every request asks caches to
// revalidate (Cache-Control: no-cache), so a cache that honours it serves
// the current page; page 1 is read again after the last page, so a copy
// that expires while the listing is read makes the snapshot remove
// nothing. A page 1 stale to every request cannot be told from a real
// delisting by the pages: its removal waits for the next night's
// snapshot (confirm_removals_after), and is withdrawn once the copy goes.
func TestStaleFirstPage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		what    string
		fault   fixture.Fault
		pending [2]int // the index in the old listing of the record pending after each sync; -1 none
		skipped bool   // the first sync removes nothing
	}{
		{"a cache that revalidates on request", fixture.Fault{Kind: fixture.CachedPage, Page: 1}, [2]int{0, 0}, false},
		{"a copy that expires while the listing is read", fixture.Fault{Kind: fixture.StalePage, Page: 1, Times: 1}, [2]int{-1, 0}, true},
		{"a copy stale to every request", fixture.Fault{Kind: fixture.StalePage, Page: 1}, [2]int{2, 2}, false},
	} {
		t.Run(c.what, func(t *testing.T) {
			t.Parallel()
			e := newShapedEnv(t)
			e.source(cityAbnormal).ConfirmRemovalsAfter = listsync.DefaultConfirmRemovalsAfter
			e.mustSync(cityAbnormal)
			old := e.fx.Rows("abnormal")
			if len(old) != 6 {
				t.Fatalf("the fixture lists %d records; the test needs three pages of two", len(old))
			}
			added := maps.Clone(old[3])
			added["listed_on"] = "2026-06-30" // listed again: another record
			e.fx.SetRows("abnormal", append(append([]fixture.Row{}, old[1:]...), added))
			c.fault.Rows = old
			e.fx.Inject(fixture.AbnormalPages, c.fault)
			for sync := 1; sync <= 2; sync++ {
				r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
				if r.Removed != 0 || (c.skipped && sync == 1) != strings.Contains(r.RemovalsSkipped, "page 1, read again") {
					t.Fatalf("sync %d: removed %d, removals skipped %q", sync, r.Removed, r.RemovalsSkipped)
				}
				waiting, err := listsync.Removals(context.Background(), e.s, cityAbnormal)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, w := range waiting {
					got = append(got, w.USCC)
				}
				var want []string
				if i := c.pending[sync-1]; i >= 0 {
					want = []string{old[i]["uscc"]}
				}
				if !slices.Equal(got, want) {
					t.Errorf("sync %d: pending removals %v, want %v", sync, got, want)
				}
			}
			if c.pending[1] == 2 {
				// The copy goes: the record is seen again.
				e.fx.ClearFaults()
				if r := result(t, e.mustSync(cityAbnormal), cityAbnormal); r.Restored != 1 || r.PendingRemovals != 1 {
					t.Errorf("the copy gone: %+v; want the record still listed restored and the delisted one pending", r)
				}
			}
		})
	}
}

// A listing without a USCC whose name the site starts to show cut short
// ("许昌…", as list pages do) comes under another key, and its new key
// matches no institution (it waits in the review queue). The record that
// vanished may be that one: its removal waits for a person, and the
// institution's listing stands.
func TestUnnamedRecordShownUnderAnotherName(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	rows := e.fx.Rows("abnormal")
	rows[0]["uscc"] = ""
	e.fx.SetRows("abnormal", rows)
	e.mustSync(cityAbnormal)
	cut := maps.Clone(rows[0])
	cut["name"] = string([]rune(rows[0]["name"])[:4]) + "…"
	e.fx.SetRows("abnormal", append([]fixture.Row{cut}, rows[1:]...))
	e.mustSync(cityAbnormal)
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if r.Removed != 0 || r.HeldRemovals != 1 || !strings.Contains(r.RemovalsHeld, "without a USCC") {
		t.Errorf("the listing shown under a name cut short: %+v; want its removal held for a person", r)
	}
	if n := e.count("SELECT count() FROM abnormal FINAL WHERE name = {n:String} AND removed_on IS NULL", store.Params{"n": rows[0]["name"]}); n != 1 {
		t.Errorf("the listing under its full name: %d still listed, want 1", n)
	}
}

// A site that shows a listed enterprise under its new name lists the same
// record (its USCC and date) under another key. The old key goes, but no
// removal is written to the list: grading reads the two rows as versions
// of one record, and a removal loaded last lifted the grade (C to A) while
// the listing was still published. The same for a record first shown
// without its USCC and then with it, and for one whose USCC the site
// stops showing (a blanked cell, "-", null: the record is then known by
// its name and date).
func TestListingShownUnderANewName(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	rows := e.fx.Rows("abnormal")
	rows[1]["uscc"] = ""
	e.fx.SetRows("abnormal", rows)
	e.mustSync(cityAbnormal)
	changed := func(i int, k, v string) {
		row := maps.Clone(rows[i])
		row[k] = v
		rows[i] = row
		e.fx.SetRows("abnormal", rows)
	}
	for _, c := range []struct {
		what, key, value, q, v string
		row                    int
	}{
		{"renamed", "name", "许昌新名称人力资源有限公司", "SELECT countIf(removed_on IS NOT NULL) FROM abnormal FINAL WHERE uscc = {v:String}", rows[0]["uscc"], 0},
		{"given its USCC", "uscc", "91411002MA4000001T", "SELECT countIf(removed_on IS NOT NULL) FROM abnormal FINAL WHERE name = {v:String}", rows[1]["name"], 1},
		{"shown without its USCC", "uscc", "-", "SELECT countIf(removed_on IS NOT NULL) FROM abnormal FINAL WHERE uscc = {v:String}", rows[2]["uscc"], 2},
	} {
		changed(c.row, c.key, c.value)
		e.mustSync(cityAbnormal)
		r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
		if r.Removed != 1 {
			t.Fatalf("the listing %s on the site: %+v; want its old key gone", c.what, r)
		}
		if n := e.count(c.q, store.Params{"v": c.v}); n != 0 {
			t.Errorf("the listing %s on the site: %d removal(s) written to the list, want none", c.what, n)
		}
	}
}

// A listing the site shows under another key whose name the register
// alone ties to the old one: first without its USCC (matched to the
// institution by its name) and then with it under a name written
// differently (有限责任公司 for 有限公司) is the same institution's
// listing of that date, and no removal is written; shown without its
// USCC under a name the register does not know, it may be the old one,
// and its removal waits for a person. Either way the grade stands while
// the listing is published.
func TestListingWhoseNameTheRegisterTies(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	rows := e.fx.Rows("abnormal")
	renamed := func(name string) string {
		if n := strings.Replace(name, "有限公司", "有限责任公司", 1); n != name {
			return n
		}
		return name + "（许昌）"
	}
	register := filepath.Join(t.TempDir(), "institutions.csv")
	text := "统一社会信用代码,机构名称,区县代码,许可日期\n"
	for _, r := range rows[:3] {
		text += r["uscc"] + "," + r["name"] + ",411002,2020-01-01\n"
	}
	if err := os.WriteFile(register, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	inst, _ := contract.Lookup("institutions")
	if _, err := file.Import(context.Background(), e.s, inst, register, file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tied, unknown := maps.Clone(rows[1]), maps.Clone(rows[2])
	rows[1]["uscc"] = "" // first shown by its name alone
	e.fx.SetRows("abnormal", rows)
	e.mustSync(cityAbnormal)

	tied["name"] = renamed(tied["name"])
	unknown["uscc"], unknown["name"] = "", renamed(unknown["name"])
	e.fx.SetRows("abnormal", append([]fixture.Row{rows[0], tied, unknown}, rows[3:]...))
	e.mustSync(cityAbnormal)
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if r.Removed != 1 || r.HeldRemovals != 1 {
		t.Errorf("the two listings under other keys: %+v; want the tied one's old key gone and the unknown one's removal held", r)
	}
	for _, c := range []struct{ what, q, v string }{
		{"first shown by name, then with its USCC under another name", "SELECT countIf(removed_on IS NOT NULL) FROM abnormal FINAL WHERE name = {v:String}", rows[1]["name"]},
		{"shown without its USCC under a name the register does not know", "SELECT countIf(removed_on IS NOT NULL) FROM abnormal FINAL WHERE uscc = {v:String}", rows[2]["uscc"]},
	} {
		if n := e.count(c.q, store.Params{"v": c.v}); n != 0 {
			t.Errorf("the listing %s: %d removal(s) written to the list, want none", c.what, n)
		}
	}
}

// Any sequence of faulty syncs followed by a clean one ends in the state
// of the clean sync alone, and no institution's grade is ever better
// than on clean data.
func TestFaultySequencesEndLikeACleanSync(t *testing.T) {
	t.Parallel()
	faults := []struct {
		source string
		f      fixture.Fault
	}{
		{cityAbnormal, fixture.Fault{Kind: fixture.RenameColumn, Column: "企业名称", To: "企业（机构）名称"}},
		{cityAbnormal, fixture.Fault{Kind: fixture.UnstableSort, Page: 2, Count: 1}},
		{cityAbnormal, fixture.Fault{Kind: fixture.HideRows, Count: 2}},
		{cityAbnormal, fixture.Fault{Kind: fixture.UnderstateTotal, Count: 1}},
		// Faults of every page: a page-specific one may not fire when the
		// next sync resumes after that page, and would not be a fault.
		{cityAbnormal, fixture.Fault{Kind: fixture.ServerError}},
		{cityAbnormal, fixture.Fault{Kind: fixture.Captcha}},
		{platformPenalties, fixture.Fault{Kind: fixture.UnstableSort, Page: 2, Count: 1}},
		{platformPenalties, fixture.Fault{Kind: fixture.UnderstateTotal, Count: 2}},
		{platformPenalties, fixture.Fault{Kind: fixture.HideRows, Count: 1}},
		{platformPenalties, fixture.Fault{Kind: fixture.RenameColumn, Column: "cf_xdr_shxym", To: "tyshxydm"}},
		{platformPenalties, fixture.Fault{Kind: fixture.Truncated}},
		{platformPenalties, fixture.Fault{Kind: fixture.ServerError}},
	}
	rules := grade.DefaultRules()
	asOf := time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)
	grades := func(e *env) map[string]grade.Grade {
		t.Helper()
		res, err := grade.Compute(context.Background(), e.s, rules, asOf)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]grade.Grade{}
		for _, r := range res {
			out[r.USCC] = r.Grade
		}
		return out
	}
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		// The site changes between the baseline and the runs: one record
		// leaves each list.
		setup := func() *env {
			e := newShapedEnv(t)
			inst, _ := contract.Lookup("institutions")
			if _, err := file.Import(context.Background(), e.s, inst, "testdata/institutions.csv", file.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			e.mustSync()
			e.fx.SetRows("abnormal", e.fx.Rows("abnormal")[1:])
			e.fx.SetRows("penalties", e.fx.Rows("penalties")[1:])
			return e
		}
		clean := setup()
		before := grades(clean)
		clean.mustSync()
		want := clean.state()
		wantGrades := grades(clean)

		e := setup()
		for i, n := 0, 1+rng.IntN(5); i < n; i++ {
			fl := faults[rng.IntN(len(faults))]
			e.fx.Inject(shapedEndpoint[fl.source], fl.f)
			if _, err := e.sync(listsync.Options{}, fl.source); err == nil {
				t.Fatalf("seed %d: fault %v on %s did not fail the sync", seed, fl.f.Kind, fl.source)
			}
			e.fx.ClearFaults()
			for uscc, g := range grades(e) {
				if grade.Worse(before[uscc], g) {
					t.Errorf("seed %d: after fault %v %s went from %s to %s", seed, fl.f.Kind, uscc, before[uscc], g)
				}
			}
		}
		e.mustSync()
		if got := e.state(); got != want {
			t.Errorf("seed %d: faulty syncs then a clean one:\n%s\nclean sync alone:\n%s", seed, got, want)
		}
		for uscc, g := range grades(e) {
			if g != wantGrades[uscc] {
				t.Errorf("seed %d: %s is %s, %s after a clean sync alone", seed, uscc, g, wantGrades[uscc])
			}
		}
	}
}

// A run's archived pages read again, without the network, say what the
// run saw against the store as it is now.
func TestReplayArchivedPages(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	clean := result(t, e.mustSync(), cityAbnormal)
	all := e.fx.Rows("abnormal")
	e.fx.SetRows("abnormal", all[1:])
	short := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	e.fx.SetRows("abnormal", all)
	e.mustSync(cityAbnormal)
	requests := e.fx.Requests(fixture.AbnormalPages)

	got, err := listsync.Replay(context.Background(), e.s, e.cfg, clean.RunID)
	if err != nil || got.Err != nil || got.Rows != 6 || got.Claimed != 6 || got.Added != 0 || got.Missing != 0 || got.Pages != clean.Pages {
		t.Errorf("replay of the clean run: %+v %v", got, err)
	}
	got, err = listsync.Replay(context.Background(), e.s, e.cfg, short.RunID)
	if err != nil || got.Err != nil || got.Rows != 5 || got.Missing != 1 {
		t.Errorf("replay of the run that missed a record: %+v %v", got, err)
	}
	if e.fx.Requests(fixture.AbnormalPages) != requests {
		t.Error("replay went to the network")
	}
	if _, err := listsync.Replay(context.Background(), e.s, e.cfg, "no-such-run"); err == nil {
		t.Error("replay of an unknown run succeeded")
	}
}

// A page that lists one record twice alike, its count including both,
// does not prove the listing — a page showing a record twice in place of
// another looks the same — but the refusal names the record, so that a
// person can tell a source that really lists it twice. (Twice with
// different values is ErrKeyConflict: TestOneKeyTwoRecords.)
func TestRecordListedTwiceOnAPage(t *testing.T) {
	e := newShapedEnv(t)
	rows := e.fx.Rows("abnormal")
	if len(rows) < 3 {
		t.Fatalf("the fixture has %d abnormal rows", len(rows))
	}
	twice := fixture.Row{}
	for k, v := range rows[0] {
		twice[k] = v
	}
	e.fx.SetRows("abnormal", append([]fixture.Row{rows[0], twice}, rows[1:]...))
	res, err := e.sync(listsync.Options{}, cityAbnormal)
	r := result(t, res, cityAbnormal)
	if !errors.Is(err, listsync.ErrNotProven) || r.Complete {
		t.Fatalf("sync: complete %v, %v; want ErrNotProven", r.Complete, err)
	}
	want := fmt.Sprintf("the difference is 1 record(s) a page lists twice: %s", rows[0]["uscc"])
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(page 1)") {
		t.Errorf("error %v, want it to name the record listed twice (%s) and its page", err, want)
	}
	if n := e.count("SELECT count() FROM abnormal", nil); n != 0 {
		t.Errorf("%d abnormal rows loaded from the unproven snapshot", n)
	}
}

// A search-backed interface counts and serves at most 10,000 records
// (Elasticsearch's default): its count then agrees with its pages however
// long the list is, and the records past the cap must not read as
// removed, neither at once nor a few a night within the removal limits.
func TestCappedCountRemovesNothing(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.source(platformPenalties).PageSize = 100
	all := fixture.GeneratePenalties(10_004)
	e.fx.SetRows("penalties", all[6:]) // 9,998 records: served whole
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.Rows != 9_998 || r.RemovalsSkipped != "" {
		t.Fatalf("under the cap: %+v", r)
	}
	// Six new decisions, listed first: the first 10,000 are served and
	// counted, and the four oldest fall past the cap.
	e.fx.SetRows("penalties", all)
	e.fx.Inject(fixture.PenaltiesShared, fixture.Fault{Kind: fixture.CappedTotal, Count: 10_000})
	for i, added := range []int{6, 0} {
		r := result(t, e.mustSync(platformPenalties), platformPenalties)
		if r.Rows != 10_000 || r.Added != added || r.PendingRemovals != 0 || r.Removed != 0 || !strings.Contains(r.RemovalsSkipped, "exactly 10000 records") {
			t.Fatalf("sync %d at the cap: %+v", i+1, r)
		}
	}
	pending := "SELECT count() FROM external_records FINAL WHERE source = {s:String} AND (missed_on IS NOT NULL OR removed_on IS NOT NULL)"
	if n := e.count(pending, store.Params{"s": platformPenalties}); n != 0 {
		t.Errorf("%d records pending or removed", n)
	}
	// Served whole, a list past the cap removes as any list does.
	e.fx.ClearFaults()
	e.fx.SetRows("penalties", all[:10_003])
	if r := result(t, e.mustSync(platformPenalties), platformPenalties); r.Rows != 10_003 || r.PendingRemovals != 1 || r.RemovalsSkipped != "" {
		t.Fatalf("past the cap, served whole: %+v", r)
	}
}

// A listing whose pages state no count proves nothing about its end: a
// page that failed ends it early, and the snapshot looks as complete as
// the whole list. Such a snapshot adds and updates records but removes
// none, and says why; switched off in writing (counted_removals), the
// records it lacks go pending as from a counted one.
func TestUncountedListingRemovesNothing(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	// The site's configuration names no count: it prints none.
	src := e.source(cityAbnormal)
	src.PageCountSelector, src.RecordCountSelector = "", ""
	all := e.fx.Rows("abnormal")
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.Uncounted})
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if r.Rows != len(all) || r.Claimed != -1 || !strings.Contains(r.RemovalsSkipped, "states how many records") {
		t.Fatalf("the whole listing, uncounted: rows %d of %d, claimed %d, removals skipped %q", r.Rows, len(all), r.Claimed, r.RemovalsSkipped)
	}
	// The site fails on its last page: three records are not served,
	// and nothing on the pages says so. Twice: a second snapshot would
	// confirm a removal.
	e.fx.ClearFaults()
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.Uncounted, Count: 3})
	for i := range 2 {
		r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
		if r.Rows != len(all)-3 || r.PendingRemovals != 0 || r.Removed != 0 || r.RemovalsSkipped == "" {
			t.Fatalf("sync %d cut short, uncounted: rows %d of %d, pending %d, removed %d, skipped %q; want nothing pending or removed (%+v)", i+1, r.Rows, len(all), r.PendingRemovals, r.Removed, r.RemovalsSkipped, r)
		}
	}
	missed := "SELECT count() FROM external_records FINAL WHERE source = {s:String} AND (missed_on IS NOT NULL OR removed_on IS NOT NULL)"
	if n := e.count(missed, store.Params{"s": cityAbnormal}); n != 0 {
		t.Errorf("%d records pending or removed by uncounted snapshots", n)
	}
	if n := e.count("SELECT count() FROM abnormal", nil); n != int64(len(all)) {
		t.Errorf("abnormal holds %d rows, want all %d still listed", n, len(all))
	}
	// Switched off in writing, a snapshot without a count removes.
	src.SkipChecks = []listsync.SkipCheck{{Check: "counted_removals", Reason: "the site prints no count; removals checked by hand"}}
	if r := result(t, e.mustSync(cityAbnormal), cityAbnormal); r.PendingRemovals != 3 || r.RemovalsSkipped != "" {
		t.Errorf("with counted_removals off: pending %d, skipped %q; want the 3 records pending", r.PendingRemovals, r.RemovalsSkipped)
	}
}

// The records' source, which analysts and counties read (source_ref of
// the list and of its batch), names where they came from and never a
// credential written in the configured address; a listing fetched by
// page number names its page template.
func TestRecordsNameTheirSourceWithoutCredentials(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	const token = "tok-in-the-configured-url-1234"
	e.source(platformPenalties).URL += "?token=" + token + "&area=411000"
	e.mustSync(platformPenalties, cityAbnormal)
	for _, c := range []struct{ q, want string }{
		{"SELECT DISTINCT source_ref FROM penalties", "area=411000"},
		{"SELECT DISTINCT source_ref FROM import_batches WHERE list = 'penalties'", "area=411000"},
		{"SELECT DISTINCT source_ref FROM abnormal", "?page={page}"},
	} {
		refs := e.strings(c.q)
		if len(refs) != 1 || !strings.Contains(refs[0], c.want) || strings.Contains(refs[0], token) {
			t.Errorf("%s: %q, want one reference with %q and no credential", c.q, refs, c.want)
		}
	}
}

// A sync's snapshot is the source's whole view of a record: a listing
// removed and then published again is listed, though the site shows no
// 移出日期 column (a file import would keep a column it lacks; a snapshot
// keeps none).
func TestListingPublishedAgainIsListed(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	rows := e.fx.Rows("abnormal")
	e.mustSync(cityAbnormal)
	e.fx.SetRows("abnormal", rows[1:])
	e.mustSync(cityAbnormal)
	e.mustSync(cityAbnormal)
	removed := "SELECT countIf(removed_on IS NOT NULL) FROM abnormal FINAL WHERE uscc = {u:String}"
	if n := e.count(removed, store.Params{"u": rows[0]["uscc"]}); n != 1 {
		t.Fatalf("the listing left the site twice: %d removal(s) written, want 1", n)
	}
	e.fx.SetRows("abnormal", rows)
	e.mustSync(cityAbnormal)
	if n := e.count(removed, store.Params{"u": rows[0]["uscc"]}); n != 0 {
		t.Errorf("the listing published again: still removed (%d), want listed", n)
	}
}
