package listsync_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
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
	// Most Chinese text misread so holds bytes GB18030 cannot read (公司
	// becomes 鍏�徃) and is refused by key_chars already; these values
	// misread into text valid throughout, which only the guard catches.
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
