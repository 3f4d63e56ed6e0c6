package gen

import (
	"context"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestFutureAsOfDoesNotOutrankLaterWrites: a data set generated for a
// date years ahead is versioned by the engine's clock, so a later write
// of the same key (versioned the way imports are, by store.Version) wins.
func TestFutureAsOfDoesNotOutrankLaterWrites(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := Generate(ctx, s, tiny, Options{Seed: 3, AsOf: future}); err != nil {
		t.Fatal(err)
	}
	var uscc string
	if err := store.QueryRow(ctx, s, "SELECT uscc FROM institutions ORDER BY uscc LIMIT 1", nil, &uscc); err != nil {
		t.Fatal(err)
	}
	v, err := store.Version(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Exec(ctx, `INSERT INTO institutions SELECT * REPLACE ('imported later' AS name, {v:UInt64} AS version)
		FROM institutions WHERE uscc = {uscc:String}`, store.Params{"v": v, "uscc": uscc})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := store.QueryRow(ctx, s, "SELECT name FROM institutions FINAL WHERE uscc = {uscc:String}", store.Params{"uscc": uscc}, &name); err != nil {
		t.Fatal(err)
	}
	if name != "imported later" {
		t.Errorf("after a later write the row reads %q: the generated row (as of %s) outranks it", name, future.Format(time.DateOnly))
	}
}
