package listsync_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// A pager whose claims disagree — with each other, or with pages that
// exist past them — fails the snapshot, naming the claims, and changes
// nothing; the claims are read by default, with no count selector
// configured.
func TestPagerClaimsMustAgree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault fixture.Fault
		want  []string // in the error
	}{
		{"page count below the record count", fixture.Fault{Kind: fixture.PagerShort, Count: 1}, []string{"records and", "pages, but"}},
		{"page count above the record count", fixture.Fault{Kind: fixture.PagerLong, Count: 1}, []string{"records and", "pages, but"}},
		{"full last page, no link to a next page", fixture.Fault{Kind: fixture.ClaimsShort}, []string{"past the", "pages the listing claims"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, clean := pagerEnv(t)
			e.fx.Inject(fixture.AbnormalPages, tt.fault)
			res, err := e.sync(listsync.Options{}, cityAbnormal)
			r := result(t, res, cityAbnormal)
			if err == nil || r.Status != listsync.StatusFailed || !errors.Is(err, fetch.ErrClaims) {
				t.Fatalf("sync: status %s, error %v; want failed with ErrClaims", r.Status, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if got := e.state(); got != clean {
				t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
			}
			e.fx.ClearFaults()
			if r := result(t, e.mustSync(cityAbnormal), cityAbnormal); r.Resumed != 0 || r.PendingRemovals != 0 || r.Added != 0 {
				t.Errorf("clean sync after the fault: %+v", r)
			}
		})
	}
}

// pagerEnv is the site-shaped sources synced once, the city list's pager
// read by default (no count selector), and the state they left.
func pagerEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := newShapedEnv(t)
	src := e.source(cityAbnormal)
	src.PageCountSelector, src.RecordCountSelector, src.PageCountPattern, src.RecordCountPattern = "", "", "", ""
	e.mustSync()
	return e, e.state()
}

// A page cut short in transfer, or a last page the site failed to fill,
// looks like a short listing: without the checks, the records past the
// cut would be removed while still published (and the last one cut
// stored cut). Both fail the snapshot as incomplete and change nothing.
func TestPagesCutShortOrUnfilled(t *testing.T) {
	t.Parallel()
	probe := newShapedEnv(t)
	pages := (len(probe.fx.Rows("abnormal")) + 1) / 2
	if pages < 3 {
		t.Fatalf("the fixture's abnormal list makes %d pages of two; want three or more", pages)
	}
	tests := []struct {
		name  string
		fault fixture.Fault
		want  string // in the error
	}{
		{"a middle page cut short", fixture.Fault{Kind: fixture.CutShort, Page: 2}, "was cut short"},
		{"the last page cut short", fixture.Fault{Kind: fixture.CutShort, Page: pages}, "was cut short"},
		{"the last page the pager counts is empty", fixture.Fault{Kind: fixture.EmptyLastPage}, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, clean := pagerEnv(t)
			e.fx.Inject(fixture.AbnormalPages, tt.fault)
			for range 2 { // the second would confirm a removal the first proposed
				res, err := e.sync(listsync.Options{}, cityAbnormal)
				r := result(t, res, cityAbnormal)
				if err == nil || !errors.Is(err, fetch.ErrIncomplete) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("sync: status %s, error %v; want ErrIncomplete saying %q", r.Status, err, tt.want)
				}
			}
			if got := e.state(); got != clean {
				t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
			}
			e.fx.ClearFaults()
			if r := result(t, e.mustSync(cityAbnormal), cityAbnormal); r.PendingRemovals != 0 || r.Added != 0 || r.Modified != 0 {
				t.Errorf("clean sync after the fault: %+v", r)
			}
		})
	}
}

// A pager that leaves out the last page of a listing of two (共2条 当前第1/1页
// over page 1's two rows, while three are listed) states no page size:
// nothing told that its one page was full, and the record on page 2 was
// removed by the second sync. Since the last complete snapshot held
// three records, page 2 is asked for, and its row contradicts the pager.
func TestLonePageOfAShrunkListingIsProbed(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	src := e.source(cityAbnormal)
	src.PageCountSelector, src.RecordCountSelector, src.PageCountPattern, src.RecordCountPattern = "", "", "", ""
	e.fx.SetRows("abnormal", e.fx.Rows("abnormal")[:3])
	e.mustSync(cityAbnormal)
	clean := e.state()
	e.fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.ClaimsShort})
	for range 2 { // the second would confirm the removal the first proposed
		res, err := e.sync(listsync.Options{}, cityAbnormal)
		r := result(t, res, cityAbnormal)
		if !errors.Is(err, fetch.ErrClaims) || !strings.Contains(err.Error(), "past the 1 pages the listing claims") {
			t.Fatalf("sync: status %s, %d pending removals, error %v; want failed with ErrClaims", r.Status, r.PendingRemovals, err)
		}
	}
	if got := e.state(); got != clean {
		t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
	}
}
