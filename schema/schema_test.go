package schema_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/schema"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// A database that applied a former text of a migration (one that differs
// in its comments only) is up to date; one that applied any other text is
// refused as modified.
func TestFormerTextsOfAMigration(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	migrations, err := sql.Migrations(sql.Target{})
	if err != nil {
		t.Fatal(err)
	}
	first := migrations[0]
	if len(first.Former) == 0 {
		t.Fatal("migration 0001 lists no former checksum; this test needs one")
	}
	recordAs := func(checksum string) {
		t.Helper()
		err := s.Exec(ctx, sql.MustQuery(sql.Target{}, "schema/record_migration"), store.Params{
			"version": first.Version, "name": first.Name, "checksum": checksum, "status": schema.StatusApplied,
			"statements": len(first.Statements), "done": len(first.Statements), "error": "",
			"started_at": time.Now().UTC(), "by": "an older build",
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	recordAs(first.Former[0])
	pending, err := schema.Pending(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("pending after a former text was applied: %v", pending)
	}
	if _, err := schema.Migrate(ctx, s, schema.Options{}); err != nil {
		t.Errorf("migrate after a former text was applied: %v", err)
	}

	recordAs("0123456789abcdef")
	if pending, err = schema.Pending(ctx, s); err != nil || !slices.Contains(pending, "0001_lists") {
		t.Errorf("pending after another text was applied = %v, %v; want 0001_lists", pending, err)
	}
	if _, err := schema.Migrate(ctx, s, schema.Options{}); !errors.Is(err, schema.ErrModified) {
		t.Errorf("migrate after another text was applied = %v, want ErrModified", err)
	}
}

// Every time the store keeps is typed in Asia/Shanghai, like its dates:
// no column of a migrated store, table or view, is left in UTC.
func TestNoColumnInUTC(t *testing.T) {
	s := storetest.OpenMigrated(t)
	rows, err := s.Query(context.Background(), "SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND (type LIKE '%UTC%' OR comment LIKE '%(UTC)%') ORDER BY table, name", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, name, typ string
		if err := rows.Scan(&table, &name, &typ); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s.%s is %s", table, name, typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var leases string
	if err := store.QueryRow(context.Background(), s, "SELECT type FROM system.columns WHERE database = currentDatabase() AND table = 'schema_migrations' AND name = 'started_at'", nil, &leases); err != nil || leases != "DateTime64(3, 'Asia/Shanghai')" {
		t.Errorf("schema_migrations.started_at: %q %v", leases, err)
	}
}
