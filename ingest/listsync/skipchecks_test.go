package listsync_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// A check is switched off only in a source's configuration, by a known
// name, with a reason: testdata/skip_checks holds one source each.
func TestSkipChecksConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want string // in the error; "" = valid
	}{
		{"ok.toml", ""},
		{"no_reason.toml", "skip_checks[0]: check probe is switched off without a reason"},
		{"blank_reason.toml", "skip_checks[0]: check probe is switched off without a reason"},
		{"unknown_check.toml", `skip_checks[0]: unknown check "page_cout"; checks: counted_removals, current_page, encoding_twins, key_chars, overlap, page_count, page_size, probe, record_count`},
		{"twice.toml", "skip_checks[1]: check probe is switched off twice"},
		{"wrong_kind.toml", "skip_checks[0]: check page_count does not run for api sources"},
		{"selector_conflict.toml", "page_count is switched off, but page_count_selector asks for the page count"},
		{"misspelt_key.toml", "unknown key(s) source.skip_checks.reasn"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata", "skip_checks", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := listsync.ParseConfig(string(text))
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := cfg.Sources[0].Skipped(); !slices.Equal(got, []string{"probe: the interface answers 500 past its last page (ticket 42)"}) {
					t.Errorf("Skipped() = %q", got)
				}
				return
			}
			if !errors.Is(err, listsync.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want ErrConfig with %q", err, tt.want)
			}
		})
	}
}

// The city site's pager claims a page fewer than its records make. The
// sync fails on it until page_count is switched off with a reason; then
// the listing is read to its end (the record count still has to hold),
// nothing is lost, and the run and 'sources' say which check was off and
// why.
func TestSkipPageCountSyncsADisagreeingPager(t *testing.T) {
	t.Parallel()
	const reason = "the pager counts one page too few; reported to the site 2026-05-02"
	e := newShapedEnv(t)
	src := e.source(cityAbnormal)
	src.PageCountSelector, src.RecordCountSelector, src.PageCountPattern, src.RecordCountPattern = "", "", "", ""
	e.mustSync()
	clean := e.state()
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.PagerShort, Count: 1})

	res, err := e.sync(listsync.Options{}, cityAbnormal)
	if r := result(t, res, cityAbnormal); err == nil || !errors.Is(err, fetch.ErrClaims) || len(r.SkippedChecks) != 0 {
		t.Fatalf("with every check on: status %s, error %v; want ErrClaims", r.Status, err)
	}

	src.SkipChecks = []listsync.SkipCheck{{Check: "page_count", Reason: reason}}
	if err := e.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err = e.sync(listsync.Options{}, cityAbnormal)
	if err != nil {
		t.Fatalf("with page_count off: %v", err)
	}
	r := result(t, res, cityAbnormal)
	if !r.Complete || r.Added != 0 || r.PendingRemovals != 0 || r.Removed != 0 || r.Rows != len(e.fx.Rows("abnormal")) {
		t.Errorf("with page_count off: %+v", r)
	}
	want := []string{"page_count: " + reason}
	if !slices.Equal(r.SkippedChecks, want) {
		t.Errorf("Result.SkippedChecks = %q, want %q", r.SkippedChecks, want)
	}
	if got := e.state(); got != clean {
		t.Errorf("the lists changed:\nbefore\n%s\nafter\n%s", clean, got)
	}
	if n := e.count("SELECT count() FROM sync_runs FINAL WHERE run_id = {run:String} AND skipped_checks = {want:Array(String)}",
		map[string]any{"run": r.RunID, "want": want}); n != 1 {
		t.Errorf("sync_runs does not record the check switched off")
	}
	if !strings.Contains(e.log.String(), "checks switched off by the configuration") || !strings.Contains(e.log.String(), reason) {
		t.Errorf("the log does not say the check was off:\n%s", e.log)
	}
	st, err := listsync.Sources(context.Background(), e.s, e.cfg, r.LastSuccess.Add(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Source == cityAbnormal && !slices.Equal(s.SkippedChecks, want) {
			t.Errorf("Sources: %s skips %q, want %q", s.Source, s.SkippedChecks, want)
		}
	}
}
