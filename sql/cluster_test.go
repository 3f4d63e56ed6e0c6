package sql_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// cluster has a hyphen, as real cluster names often do: it must be quoted.
const cluster = "prod-xuchang"

// TestClusterStatementsParse renders every migration and every query for a
// cluster — DDL ON CLUSTER with Replicated engines, the lease, the schema
// steps, the deletes — and has the engine's own parser read each one
// (formatQuery parses without running). A broken statement is rejected by
// the same check, so the check can fail.
func TestClusterStatementsParse(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenEmbedded(t)
	parses := func(stmt string) error {
		var out string
		return store.QueryRow(ctx, s, "SELECT formatQuery({q:String})", store.Params{"q": stmt}, &out)
	}
	target := sql.Target{Cluster: cluster}
	var stmts []string
	migrations, err := sql.Migrations(target)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations {
		stmts = append(stmts, m.Statements...)
	}
	for _, name := range sql.QueryNames() {
		q, err := sql.QueryWith(target, name, standIns(t, name))
		if err != nil {
			t.Fatalf("render %s: %v", name, err)
		}
		stmts = append(stmts, q)
	}
	onCluster := 0
	for _, stmt := range stmts {
		if strings.Contains(code(stmt), "ON CLUSTER") {
			onCluster++
			if !strings.Contains(stmt, "ON CLUSTER `"+cluster+"`") {
				t.Errorf("cluster name not quoted in:\n%s", stmt)
			}
		}
		if err := parses(stmt); err != nil {
			t.Errorf("the engine's parser rejects:\n%s\n%v", stmt, err)
		}
	}
	if onCluster < 10 {
		t.Errorf("only %d statements carry ON CLUSTER; the rendering lost the cluster", onCluster)
	}

	// Negative controls: the same check rejects broken statements.
	for _, bad := range []string{
		"CREATE TABLE leases ON CLUSTER " + cluster + " (x UInt8) ENGINE = Memory", // unquoted hyphen
		"CREATE TABLE IF NOT EXISTS ON CLUSTER `" + cluster + "` (x UInt8) ENGINE = Memory",
		"DELETE FROM sync_pending WHERE",
	} {
		if err := parses(bad); err == nil {
			t.Errorf("the parser accepted a broken statement:\n%s", bad)
		}
	}
}

// TestNoReplicaWideDeletes: a delete or truncate on a Replicated table
// replicates by itself; ON CLUSTER would run it once per replica and wait
// for every host.
func TestNoReplicaWideDeletes(t *testing.T) {
	for _, name := range sql.QueryNames() {
		q, err := sql.QueryWith(sql.Target{Cluster: cluster}, name, standIns(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if q = code(q); deletes.MatchString(q) && strings.Contains(q, "ON CLUSTER") {
			t.Errorf("%s deletes ON CLUSTER:\n%s", name, q)
		}
	}
}

var deletes = regexp.MustCompile(`(?im)^\s*(DELETE|ALTER TABLE \S+ .*DELETE)\b`)

// standIns is sql.StandIns, failing the test on an error.
func standIns(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := sql.StandIns(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// code is stmt without its comment lines.
func code(stmt string) string {
	var b strings.Builder
	for _, line := range strings.Split(stmt, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
