package listsync

// Resuming: when a source last succeeded, and whether a snapshot left
// open by an earlier run may go on (its first and last pages unchanged).

import (
	"context"
	"errors"
	"fmt"
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
