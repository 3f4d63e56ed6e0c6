package listsync

// Resuming: when a source last succeeded, and whether a snapshot left
// open by an earlier run may go on (its first and last pages unchanged);
// and page 1 read again once the last page is read (firstPageAgain).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

func (r *runner) lastSuccess(ctx context.Context, now bool) (*time.Time, error) {
	if now {
		t := time.Now().UTC()
		return &t, nil
	}
	var t *time.Time
	if err := store.QueryRow(ctx, r.s, r.q("last_success"), store.Params{"source": r.src.Name}, &t); err != nil && err != store.ErrNoRows {
		return nil, err
	}
	return t, nil
}

// listingUnchanged fetches the listing's first page and the last page
// the open snapshot stored again, and compares them with what it stored.
// A record dropped or added before the pages already read shifts the
// rows after it: page 1 shows a change there, and the last stored page
// one anywhere up to it — a record delisted on page 2 and another listed
// at the end keep page 1 and the count as they were, while a record
// slides back from the first page not read onto the last page read,
// which the resumed snapshot would never see (and then remove).
func (r *runner) listingUnchanged(ctx context.Context, st state) (bool, string, error) {
	var stored string
	var claimed int64
	if err := store.QueryRow(ctx, r.s, r.q("pending_first_page"), store.Params{"source": r.src.Name, "snapshot_id": st.SnapshotID}, &stored, &claimed); err != nil {
		if err == store.ErrNoRows {
			return false, "the first page was not stored", nil
		}
		return false, "", fmt.Errorf("read the open snapshot's first page: %w", err)
	}
	first, err := r.pageAt(ctx, st, "")
	if err != nil {
		return false, "", err
	}
	if got := r.cleaned(first); pageDigest(got.Header, got.Records) != stored {
		return false, "page 1 is no longer what it was", nil
	}
	if int64(first.Claimed) != claimed {
		return false, fmt.Sprintf("the record count changed from %d to %d", claimed, first.Claimed), nil
	}
	var last uint32
	var lastDigest, from string
	var before uint64
	if err := store.QueryRow(ctx, r.s, r.q("pending_last_page"), store.Params{"source": r.src.Name, "snapshot_id": st.SnapshotID}, &last, &lastDigest, &from, &before); err != nil {
		return false, "", fmt.Errorf("read the open snapshot's last page: %w", err)
	}
	if last <= 1 {
		return true, "", nil
	}
	if before == 0 {
		return false, fmt.Sprintf("page %d was stored without the page before it", last), nil
	}
	again, err := r.pageAt(ctx, st, from)
	if err != nil {
		return false, "", err
	}
	if got := r.cleaned(again); pageDigest(got.Header, got.Records) != lastDigest {
		return false, fmt.Sprintf("page %d, the last one read, is no longer what it was (records were added or removed before it)", last), nil
	}
	return true, "", nil
}

// pageAt fetches the one page of the listing at position ("" for page 1).
func (r *runner) pageAt(ctx context.Context, st state, position string) (page, error) {
	f, err := r.src.newFetcher(r.set, r.list, r.opt.Logger, st.Watermark, 0)
	if err != nil {
		return page{}, err
	}
	var got page
	err = f.Fetch(ctx, position, func(p page) error {
		got = p
		return errFirstPage
	})
	if err != nil && !errors.Is(err, errFirstPage) {
		return page{}, err
	}
	return got, nil
}

// firstPageAgain fetches page 1 again once the last page of a snapshot
// is read, when the snapshot lacks records the source lists and would
// make them pending or confirm their removal, and compares it with page
// 1 as read. It says why the snapshot may hold two versions of the
// listing, "" when page 1 is as read (or there is nothing to weigh).
//
// A record delisted from page 1 after page 1 was read, and another
// listed at the end, keep the count: the record that slid onto page 1
// is read on neither page, and the pages, which never repeat a record,
// prove the listing whole. So does a page 1 from a cache (a CDN, a CMS's
// pre-built index page) beside current pages 2…N. Read again — with the
// no-cache request every fetch sends — page 1 shows the change, or the
// cache's copy gone; the snapshot's records are still loaded, but what it
// lacks proves nothing. A page 1 stale to every request, whatever it
// asks, cannot be told from a real delisting by the pages; against it
// stands confirm_removals_after (docs/sync.md §2, §4).
func (r *runner) firstPageAgain(ctx context.Context, st state, pages int, snapshot map[string]parsed, before map[string]known) (string, error) {
	if r.src.Mode != ModeSnapshot || r.src.Kind == KindFile || pages < 2 {
		return "", nil
	}
	lacks := false
	for key, k := range before {
		if _, ok := snapshot[key]; !ok && k.removedOn == nil {
			lacks = true
			break
		}
	}
	if !lacks {
		return "", nil
	}
	var stored string
	var claimed int64
	if err := store.QueryRow(ctx, r.s, r.q("pending_first_page"), store.Params{"source": r.src.Name, "snapshot_id": st.SnapshotID}, &stored, &claimed); err != nil {
		return "", fmt.Errorf("read the snapshot's first page: %w", err)
	}
	first, err := r.pageAt(ctx, st, "")
	if err != nil {
		// Not a failed snapshot: its records are what the site showed.
		// Its gaps prove nothing until page 1 can be checked.
		first, _, _ := strings.Cut(err.Error(), "\nhint: ")
		return "page 1, read again after the last page to check that the pages are one version of the listing, could not be read (" + first + ")", nil
	}
	r.log.Debug("page 1 read again after the last page", "records", len(first.Records))
	if got := r.cleaned(first); pageDigest(got.Header, got.Records) != stored || int64(first.Claimed) != claimed {
		return "page 1, read again after the last page, is no longer what it was when the listing was read: the listing changed while it was read, " +
			"or page 1 came from a cache; the pages may be of two versions of the listing, in which a record sliding from page 2 onto page 1 " +
			"is read on neither, so nothing the snapshot lacks is taken as delisted this time", nil
	}
	return "", nil
}
