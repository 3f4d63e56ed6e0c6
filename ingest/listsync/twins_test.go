package listsync_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// garble is value as the Mojibake fault serves it: its UTF-8 bytes read
// as GB18030.
func garble(t *testing.T, value string) string {
	t.Helper()
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes([]byte(value))
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		t.Fatalf("%s does not garble cleanly: %q %v", value, text, err)
	}
	return string(text)
}

// A site serves a record's key in valid, correctly labelled text that is
// the wrong text (UTF-8 read as GB18030 upstream): no check of the bytes
// sees it. The snapshot, which then has a new record and a missing one,
// fails naming both, and nothing is loaded or put pending removal. With
// encoding_twins switched off (with a reason) the same snapshot adds the
// garbled record and puts the real one pending removal: the guard is what
// stops it.
func TestMojibakeTwinRefused(t *testing.T) {
	t.Parallel()
	// Most Chinese text misread so by x/text holds bytes it cannot read
	// (公司 becomes 鍏�徃) and is refused by key_chars already (a Java
	// gateway's private-use character instead: the test below); these
	// values misread into text valid throughout, which only the guard
	// catches.
	tests := []struct {
		name, source, list, column, value string
	}{
		{"HTML name (key uscc+name+listed_on)", cityAbnormal, "abnormal", "name", "许昌英才人力资源集团"},
		{"JSON 决定书文号 (key record_id)", platformPenalties, "penalties", "record_id", "魏都人社罚决2026-12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newShapedEnv(t)
			rows := e.fx.Rows(tt.list)
			rows[0] = maps.Clone(rows[0])
			rows[0][tt.column] = tt.value
			e.fx.SetRows(tt.list, rows)
			e.mustSync()
			clean := e.state()
			real, garbled := tt.value, garble(t, tt.value)
			e.fx.Inject(shapedEndpoint[tt.source], fixture.Fault{Kind: fixture.Mojibake, Column: tt.column})

			res, err := e.sync(listsync.Options{}, tt.source)
			r := result(t, res, tt.source)
			if !errors.Is(err, listsync.ErrMojibake) || r.Status != listsync.StatusFailed {
				t.Fatalf("sync: status %s, error %v; want failed with ErrMojibake", r.Status, err)
			}
			for _, w := range []string{real, garbled, "UTF-8 read as GB18030"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if got := e.state(); got != clean {
				t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
			}
			if n := e.count("SELECT count() FROM external_records FINAL WHERE source = {s:String} AND missed_on IS NOT NULL", map[string]any{"s": tt.source}); n != 0 {
				t.Errorf("%d records pending removal", n)
			}

			// The guard off: the garbled record is added and the real one
			// goes pending removal.
			e.source(tt.source).SkipChecks = []listsync.SkipCheck{{Check: "encoding_twins", Reason: "test: the guard off"}}
			res, err = e.sync(listsync.Options{}, tt.source)
			if r := result(t, res, tt.source); err != nil || r.Added != 1 || r.PendingRemovals != 1 {
				t.Errorf("with encoding_twins off: added %d, pending %d, error %v; want 1, 1", r.Added, r.PendingRemovals, err)
			}
		})
	}
}

// A gateway before the site that reads UTF-8 as GB18030 in Java, ICU,
// iconv or Python turns bytes in GB18030's user-defined areas into
// private-use characters (公司's AC E5 → U+E100), where x/text's decoder,
// the guard's model, gives U+FFFD: the misreading never matched, the
// garbled name was added and the real record put pending removal. Compared
// with both as one wildcard, the twin is refused whichever way it goes.
func TestMojibakeTwinWithPrivateUseRefused(t *testing.T) {
	t.Parallel()
	const real, garbled = "许昌英才人力资源有限公司", "璁告槍鑻辨墠浜哄姏璧勬簮鏈夐檺鍏\ue100徃" // Python: real.encode().decode("gb18030")
	for _, tt := range []struct {
		name       string
		was, comes string
	}{
		{"the gateway misreads", real, garbled},
		{"the gateway is fixed", garbled, real},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			serve := func(name string) {
				rows := e.fx.Rows("abnormal")
				rows[0] = maps.Clone(rows[0])
				rows[0]["name"] = name
				e.fx.SetRows("abnormal", rows)
			}
			serve(tt.was)
			e.mustSync(abnormal)
			clean := e.state()
			serve(tt.comes)
			res, err := e.sync(listsync.Options{}, abnormal)
			r := result(t, res, abnormal)
			if !errors.Is(err, listsync.ErrMojibake) || r.Status != listsync.StatusFailed || !strings.Contains(err.Error(), "UTF-8 read as GB18030") {
				t.Fatalf("sync: status %s, added %d, pending %d, error %v; want failed with ErrMojibake", r.Status, r.Added, r.PendingRemovals, err)
			}
			if got := e.state(); got != clean {
				t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
			}
		})
	}
}

// Text outside the key misread the same way (a reason, with the
// private-use characters of a Java gateway) changes no record's identity:
// it is loaded as a modification, and the run names it.
func TestMisreadTextOutsideTheKeyNamed(t *testing.T) {
	t.Parallel()
	const real, garbled = "未按规定期限公示年度报告", "鏈\ue045寜瑙勫畾鏈熼檺鍏\ue102ず骞村害鎶ュ憡" // Python: real.encode().decode("gb18030")
	e := newEnv(t)
	serve := func(reason string) {
		rows := e.fx.Rows("abnormal")
		rows[0] = maps.Clone(rows[0])
		rows[0]["reason"] = reason
		e.fx.SetRows("abnormal", rows)
	}
	serve(real)
	e.mustSync(abnormal)
	for _, tt := range []struct {
		serve, want string
	}{
		{garbled, "reason " + strconv.Quote(garbled) + " is " + strconv.Quote(real) + " misread (UTF-8 read as GB18030)"},
		{real, "reason " + strconv.Quote(real) + " was stored misread as " + strconv.Quote(garbled) + " (UTF-8 read as GB18030)"},
	} {
		serve(tt.serve)
		r := result(t, e.mustSync(abnormal), abnormal)
		if r.Modified != 1 || len(r.Misread) != 1 || !strings.Contains(r.Misread[0], tt.want) {
			t.Errorf("modified %d, misread %q; want one naming %s", r.Modified, r.Misread, tt.want)
		}
	}
}

// A wrong charset label is recorded with the run, and 'sources' shows the
// pages of the last run that had one.
func TestWrongLabelRecordedWithTheRun(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	e.mustSync()
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.UTF8LabelledGBK})
	r := result(t, e.mustSync(cityAbnormal), cityAbnormal)
	if len(r.Mislabelled) == 0 || !strings.Contains(r.Mislabelled[0], "labelled gbk, but its bytes are UTF-8") {
		t.Fatalf("Mislabelled = %q", r.Mislabelled)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE run_id = {run:String} AND mislabelled = {want:Array(String)}",
		map[string]any{"run": r.RunID, "want": r.Mislabelled}); n != 1 {
		t.Errorf("sync_runs does not hold the run's wrong labels %q", r.Mislabelled)
	}
	status := func() []string {
		st, err := listsync.Sources(context.Background(), e.s, e.cfg, *r.LastSuccess)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.Source == cityAbnormal {
				return s.LastMislabelled
			}
		}
		t.Fatalf("no status of %s", cityAbnormal)
		return nil
	}
	if got := status(); !slices.Equal(got, r.Mislabelled) {
		t.Errorf("Sources: LastMislabelled %q, want %q", got, r.Mislabelled)
	}
	e.fx.ClearFaults()
	e.mustSync(cityAbnormal)
	if got := status(); len(got) != 0 {
		t.Errorf("after a clean run: LastMislabelled %q", got)
	}
}
