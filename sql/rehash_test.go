package sql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/gen"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// TestRehashMigrationAgreesWithTheLoader: migration 0110 writes into
// every table that keeps a row_hash the hash the loader computes today
// (load/stage_row_hash.sql over the list's stored columns). Rows are
// generated (gen writes the loader's hash, which gen's own tests check
// by re-importing) and loaded; every hash is then spoilt, the
// migration's statements run, and each table must hold again exactly
// the hashes it held.
func TestRehashMigrationAgreesWithTheLoader(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	sc := gen.Scale{Name: "rehash", Institutions: 60, Abnormal: 600, Penalties: 300, Dishonest: 100, PublicEval: 200, Inspections: 100, ReportYears: 3}
	if _, err := gen.Generate(ctx, s, sc, gen.Options{Seed: 3, AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	sub := contract.Submissions()
	var header []string
	for _, c := range sub.Columns {
		header = append(header, c.Key)
	}
	m, err := sub.Map(header)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := transform.USCCCheckChar("91411002MA4000000")
	if err != nil {
		t.Fatal(err)
	}
	res, err := load.Load(ctx, s, m, sub, load.Source{Name: "test"}, func(yield func(load.Record, error) bool) {
		yield(load.Record{Line: 2, Fields: []string{"许昌市人力资源服务有限公司", "91411002MA4000000" + string(ch), "A", "无", "", "否", "", "魏都区人社局", "", "411002", "2026-07-31", "2026-08-01T02:00:00.000000000Z"}}, nil)
	})
	if err != nil || res.Loaded != 1 {
		t.Fatalf("load a submission: %v (%d rejected: %v)", err, res.Rejected, res.ByReason)
	}

	tables := []string{"submissions"}
	for _, l := range contract.Lists() {
		tables = append(tables, l.Name)
		if l.External {
			tables = append(tables, l.Name+"_registered")
		}
	}
	fingerprint := func(table string) (rows int64, sum string) {
		t.Helper()
		q := fmt.Sprintf("SELECT count(), toString(groupBitXor(cityHash64(batch_id, source_line, row_hash))) FROM %s", table)
		if err := store.QueryRow(ctx, s, q, nil, &rows, &sum); err != nil {
			t.Fatal(err)
		}
		return rows, sum
	}
	want := map[string]string{}
	for _, table := range tables {
		rows, sum := fingerprint(table)
		if rows == 0 {
			t.Fatalf("%s is empty: the test would say nothing of it", table)
		}
		want[table] = sum
		if err := s.Exec(ctx, "ALTER TABLE "+table+" UPDATE row_hash = 0 WHERE true SETTINGS mutations_sync = 2", nil); err != nil {
			t.Fatal(err)
		}
		if _, spoilt := fingerprint(table); spoilt == sum {
			t.Fatalf("%s: spoiling the hashes changed nothing", table)
		}
	}

	ms, err := sql.Migrations(sql.Target{})
	if err != nil {
		t.Fatal(err)
	}
	// 0110 and the migrations after it that change a hash's columns
	// (0130 for submissions), in order.
	ran := false
	for _, mig := range ms {
		if mig.Version < 110 {
			continue
		}
		for _, stmt := range mig.Statements {
			if err := s.Exec(ctx, stmt, nil); err != nil {
				t.Fatalf("%s: %v", mig.Name, err)
			}
		}
		ran = true
	}
	if !ran {
		t.Fatal("no migration 0110")
	}
	for _, table := range tables {
		if _, got := fingerprint(table); got != want[table] {
			t.Errorf("%s: the migration's hashes differ from the loader's", table)
		}
	}
}
