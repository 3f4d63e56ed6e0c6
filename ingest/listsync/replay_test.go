package listsync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// An abnormal list of two pages of five by ?page=N, its pager after the
// rows (共10条记录 当前第1/2页 共2页 每页5条).
const abnormalPagesTOML = `
[[source]]
name = "city-abnormal"
list = "abnormal"
kind = "html"
page_template = "{site}/jyyc/list.html?page={page}"
row_selector = "table.list tr:not(.title)"
header_selector = "table.list tr.title th"
empty_text = "暂无数据"
ignore_columns = ["序号"]
rate = 0
retries = 0
`

// Sites that answer a page number past the end with page 1 again, or
// with the last page again, end a live sync there (docs/sync.md §2);
// a replay of that run read the page kept past the end as a page of the
// listing and reported "record … is on page 1 and again on page 3: the
// pages overlap". A replay decides where the listing ends by the code
// the live run ran, and agrees with it.
func TestReplayEndsWhereTheRunEnded(t *testing.T) {
	t.Parallel()
	pastEnd := func(ext string, again int) func(int) string {
		return func(n int) string {
			if n > 2 {
				n = again
			}
			return "pastend/page" + string(rune('0'+n)) + "." + ext
		}
	}
	penalties := strings.Replace(penaltyAPITOML, "rate = 0", "total_path = \"data.total\"\nrate = 0", 1)
	tests := []struct {
		name  string
		pages func(int) string
		toml  string
	}{
		{"list pages: page 1 again past the end", pastEnd("html", 1), abnormalPagesTOML},
		{"list pages: the last page again past the end", pastEnd("html", 2), abnormalPagesTOML},
		{"an interface: page 1 again past the end", pastEnd("json", 1), penalties},
		{"an interface: the last page again past the end", pastEnd("json", 2), penalties},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := siteEnv(t, tt.pages, tt.toml)
			res, err := e.sync(listsync.Options{})
			if err != nil {
				t.Fatalf("live sync: %v", err)
			}
			live := res[0]
			if !live.Complete || live.Rows != 10 || live.Pages != 3 {
				t.Fatalf("live sync: complete %v, %d rows on %d pages; want 10 rows on 2 pages and the page past the end", live.Complete, live.Rows, live.Pages)
			}
			got, err := listsync.Replay(context.Background(), e.s, e.cfg, live.RunID)
			if err != nil || got.Err != nil {
				t.Fatalf("replay: %v, %v; want the run's snapshot again", err, got.Err)
			}
			if got.Pages != live.Pages || got.Rows != live.Rows || got.Claimed != live.Claimed || got.Added != 0 || got.Modified != 0 || got.Missing != 0 {
				t.Errorf("replay %+v; want what the run saw (%d pages, %d rows, claimed %d), nothing new or missing", got, live.Pages, live.Rows, live.Claimed)
			}
		})
	}
}

// A run that stopped before the listing's end (page 2 failed) cannot be
// replayed as a complete snapshot: the replay asks for the page the run
// did not keep, and says so.
func TestReplayOfARunCutShort(t *testing.T) {
	t.Parallel()
	e := siteEnv(t, func(n int) string {
		if n == 2 {
			return "pastend/missing.html" // 500: the file does not exist
		}
		return "pastend/page1.html"
	}, abnormalPagesTOML)
	res, err := e.sync(listsync.Options{})
	if err == nil {
		t.Fatalf("sync with page 2 failing: %+v", res[0])
	}
	got, err := listsync.Replay(context.Background(), e.s, e.cfg, res[0].RunID)
	if err != nil || !errors.Is(got.Err, fetch.ErrNotArchived) || !strings.Contains(got.Err.Error(), "page 2") {
		t.Errorf("replay of a run cut short: %+v, %v; want ErrNotArchived naming page 2", got, err)
	}
}
