package sql

import (
	"path"
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"-- only a comment;\nSELECT 'a;b'; SELECT `x;y`", []string{"-- only a comment;\nSELECT 'a;b'", "SELECT `x;y`"}},
		{"SELECT 'it\\'s;' /* ; */; ;", []string{"SELECT 'it\\'s;' /* ; */"}},
		{"-- nothing\n", nil},
		{"SELECT 'a;b'; SELECT \"c;d\", `e;f`", []string{"SELECT 'a;b'", "SELECT \"c;d\", `e;f`"}},
		{"SELECT 'it''s;'; -- a comment; here\nSELECT 2", []string{"SELECT 'it''s;'", "-- a comment; here\nSELECT 2"}},
		{"/* one; */ SELECT 1;;  ; -- only a comment;", []string{"/* one; */ SELECT 1"}},
		{"SELECT 'a\\';b'", []string{"SELECT 'a\\';b'"}},
		{"SELECT 1 # a comment; here\n; # only this;", []string{"SELECT 1 # a comment; here"}},
	}
	for _, tt := range tests {
		if got := Split(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every query file must render on one node and on a cluster, hold one
// statement and use no template data it is not given (QueryWith callers
// are checked where they render).
func TestEveryQueryRenders(t *testing.T) {
	names := QueryNames()
	if len(names) == 0 {
		t.Fatal("no query files embedded")
	}
	for _, name := range names {
		// Templated identifiers get stand-ins here; the packages that
		// render them with real values test the result on the engine.
		data, err := StandIns(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []Target{{}, {Cluster: "xc"}} {
			if _, err := QueryWith(target, name, data); err != nil {
				t.Errorf("%s on %+v: %v", name, target, err)
			}
		}
	}
}

func TestMigrationsRenderForCluster(t *testing.T) {
	single, err := Migrations(Target{})
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := Migrations(Target{Cluster: "xc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(single) == 0 || len(single) != len(cluster) {
		t.Fatalf("%d single-node and %d cluster migrations", len(single), len(cluster))
	}
	for i, m := range single {
		if m.Version <= 0 || (i > 0 && m.Version <= single[i-1].Version) {
			t.Errorf("migration %s has version %d out of order", m.Name, m.Version)
		}
		for j, stmt := range m.Statements {
			c := cluster[i].Statements[j]
			if strings.Contains(stmt, "ON CLUSTER") || strings.Contains(stmt, "Replicated") {
				t.Errorf("%s statement %d: single-node text mentions the cluster:\n%s", m.Name, j+1, stmt)
			}
			if strings.HasPrefix(stmt, "CREATE TABLE") {
				if !strings.Contains(c, "ON CLUSTER `xc`") {
					t.Errorf("%s statement %d: cluster text lacks ON CLUSTER", m.Name, j+1)
				}
				if strings.Contains(stmt, "MergeTree") && !strings.Contains(c, "ReplicatedReplacingMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}'") && !strings.Contains(c, "ReplicatedMergeTree(") {
					t.Errorf("%s statement %d: cluster text lacks a Replicated engine:\n%s", m.Name, j+1, c)
				}
			}
		}
		if m.Checksum != cluster[i].Checksum {
			t.Errorf("%s: checksum depends on the target", m.Name)
		}
	}
}

func TestQueryWithRejectsMissingData(t *testing.T) {
	if _, err := QueryWith(Target{}, "load/create_stage", map[string]any{"Stage": "s"}); err == nil {
		t.Error("rendering without .Table succeeded")
	}
	q, err := QueryWith(Target{}, "load/create_stage", map[string]any{"Stage": "s", "Table": "institutions", "Order": "uscc"})
	if err != nil || !strings.HasSuffix(q, "\nCREATE TABLE s AS institutions ENGINE = MergeTree ORDER BY uscc") {
		t.Errorf("create_stage = %q, %v", q, err)
	}
}

func TestPartialsAreSharedNotListed(t *testing.T) {
	for _, name := range QueryNames() {
		if strings.HasPrefix(path.Base(name), "_") {
			t.Errorf("partial %s listed as a query", name)
		}
	}
	a, err := Query(Target{}, "gen/penalties")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Query(Target{}, "gen/abnormal")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "-- About other enterprises."
	if !strings.Contains(a, marker) || !strings.Contains(b, marker) {
		t.Error("the shared block is not rendered into the queries that include it")
	}
}
