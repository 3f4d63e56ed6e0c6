package listsync

// Resuming: when a source last succeeded, and whether a snapshot left
// open by an earlier run may go on (its first page unchanged).

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

// firstPageUnchanged fetches the listing's first page again and compares
// it with the one the open snapshot stored.
func (r *runner) firstPageUnchanged(ctx context.Context, st state) (bool, string, error) {
	var stored string
	var claimed int64
	if err := store.QueryRow(ctx, r.s, r.q("pending_first_page"), store.Params{"source": r.src.Name, "snapshot_id": st.SnapshotID}, &stored, &claimed); err != nil {
		if err == store.ErrNoRows {
			return false, "the first page was not stored", nil
		}
		return false, "", fmt.Errorf("read the open snapshot's first page: %w", err)
	}
	f, err := r.src.newFetcher(r.set, r.list, r.opt.Logger, st.Watermark)
	if err != nil {
		return false, "", err
	}
	var first page
	err = f.Fetch(ctx, "", func(p page) error {
		first = p
		return errFirstPage
	})
	if err != nil && !errors.Is(err, errFirstPage) {
		return false, "", err
	}
	if got := r.cleaned(first); pageDigest(got.Header, got.Records) != stored {
		return false, "page 1 is no longer what it was", nil
	}
	if int64(first.Claimed) != claimed {
		return false, fmt.Sprintf("the record count changed from %d to %d", claimed, first.Claimed), nil
	}
	return true, "", nil
}
