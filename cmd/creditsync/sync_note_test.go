package main

import "testing"

// The sync table's note says why removals were skipped, not always
// "rejected records".
func TestRemovalsNote(t *testing.T) {
	for _, c := range []struct{ reason, want string }{
		{"2 record(s) were rejected and might be entries still listed; nothing is removed until the snapshot validates fully", "removals skipped: 2 record(s) were rejected and might be entries still listed"},
		{"no page of the source states how many records the listing has (共N条, the interface's total), so nothing proves …", "removals skipped: no page of the source states how many records the listing has"},
		{"the source claims exactly 10000 records, a cap that search-backed interfaces put on their counts", "removals skipped: the source claims exactly 10000 records"},
	} {
		if got := removalsNote(c.reason); got != c.want {
			t.Errorf("%q: %q, want %q", c.reason, got, c.want)
		}
	}
}
