package main

import (
	"fmt"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// Every kind of fetch failure has its own word in the sync table: a
// redirect not followed read "failed", as an unknown fault does.
func TestFailureWords(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("page 2: %w", fetch.ErrRedirect), "sent to another host"},
		{fmt.Errorf("page 1: %w", fetch.ErrAuth), "credentials refused"},
		// A 403 to a source that sends no credential read "credentials
		// refused".
		{fmt.Errorf("page 2: %w", fetch.ErrBlocked), "refused by the site (403)"},
		// A page in the wrong charset, or a key holding U+FFFD, read
		// "failed", or "layout changed".
		{fmt.Errorf("page 1: %w", fetch.ErrCharset), "wrong charset or corrupt text"},
		{fmt.Errorf("snapshot: %w", listsync.ErrMojibake), "read in the wrong charset"},
		{fmt.Errorf("something else"), "failed"},
	} {
		if got := failure(tt.err); got != tt.want {
			t.Errorf("failure(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
