package sql

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/migrations.sum")

// A released migration must keep rendering to the same statements. Its
// file's checksum guards the file; this guards what the file includes
// (the blocks of migrations/_*.sql, the contract's lists they read), which
// the checksum does not see. A new migration is added to the file with
// -update; a changed line for an old one means a released migration
// would now create something else: make a new block instead.
func TestMigrationsRenderAsPinned(t *testing.T) {
	ms, err := Migrations(Target{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%04d_%s %s\n", m.Version, m.Name, checksum([]byte(strings.Join(m.Statements, ";\n"))))
	}
	const file = "testdata/migrations.sum"
	if *update {
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(b.String(), "\n")
	for i, w := range strings.Split(string(want), "\n") {
		if i >= len(got) {
			t.Errorf("migration %s is gone", w)
		} else if got[i] != w {
			t.Errorf("rendered migration %q, pinned %q", got[i], w)
		}
	}
	if n := len(strings.Split(string(want), "\n")); len(got) > n {
		t.Errorf("migrations not pinned yet (go test ./sql -run Pinned -update): %q", got[n-1:])
	}
}
