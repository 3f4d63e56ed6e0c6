package sql_test

import (
	"context"
	"testing"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestArchiveTwiceKeepsOneCopy: when clearing a closed snapshot's pages
// failed after they were archived, closing it again must not archive
// them a second time.
func TestArchiveTwiceKeepsOneCopy(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	err := s.Exec(ctx, `INSERT INTO sync_pending (source, snapshot_id, page, fetch_id, seq, run_id, url, status, sha256, bytes, body, fetched_at)
		VALUES ('src', 'snap', 1, 'f1', 0, 'run1', 'https://example.test/p1', 200, 'abc', 3, 'x', now64(3)),
		       ('src', 'snap', 1, 'f1', 1, 'run1', '', 0, '', 0, '', now64(3)),
		       ('src', 'snap', 2, 'f2', 0, 'run1', 'https://example.test/p2', 200, 'def', 3, 'y', now64(3)),
		       ('other', 'snap', 1, 'f3', 0, 'run2', 'https://example.test/o', 200, 'ghi', 3, 'z', now64(3))`, nil)
	if err != nil {
		t.Fatal(err)
	}
	archive := sql.MustQuery(sql.Target{}, "sync/pending_archive")
	for range 2 {
		if err := s.Exec(ctx, archive, store.Params{"source": "src"}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := store.Count(ctx, s, "SELECT count() FROM raw_pages", nil)
	if err != nil || n != 2 {
		t.Errorf("raw_pages holds %d rows (%v), want the 2 pages of src once each", n, err)
	}
}
