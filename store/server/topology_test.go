package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/server"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestCheckOneShard runs the topology check's real query on the embedded
// engine against a table with the columns of system.clusters, filled
// with the answers a server would give.
func TestCheckOneShard(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenEmbedded(t)
	// Same shape as the engine's own system.clusters, with no rows.
	if err := s.Exec(ctx, "CREATE TABLE clusters ENGINE = Memory AS SELECT * FROM system.clusters WHERE 0", nil); err != nil {
		t.Fatal(err)
	}
	insert := "INSERT INTO clusters (cluster, shard_num, replica_num, host_name, port) VALUES ({c:String}, {shard:UInt32}, {replica:UInt32}, {host:String}, 9000)"
	for _, r := range []struct {
		cluster        string
		shard, replica uint32
	}{
		{"replicated", 1, 1}, {"replicated", 1, 2}, {"replicated", 1, 3},
		{"sharded", 1, 1}, {"sharded", 1, 2}, {"sharded", 2, 1}, {"sharded", 2, 2},
	} {
		host := r.cluster + "-" + string(rune('0'+r.shard)) + string(rune('0'+r.replica))
		if err := s.Exec(ctx, insert, store.Params{"c": r.cluster, "shard": r.shard, "replica": r.replica, "host": host}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		cluster string
		wantErr error
		want    string
	}{
		{"replicated", nil, ""},
		{"sharded", server.ErrShards, "has 2 shards (4 hosts)"},
		{"nosuch", nil, "knows no cluster"},
	}
	for _, tt := range tests {
		err := server.CheckOneShard(ctx, s, tt.cluster, "clusters")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.cluster, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error saying %q", tt.cluster, err, tt.want)
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("%s: %v, want %v", tt.cluster, err, tt.wantErr)
		}
	}
	// The real system.clusters of the embedded engine answers the same query.
	if err := server.CheckOneShard(ctx, s, "nosuch", server.Clusters); err == nil || !strings.Contains(err.Error(), "knows no cluster") {
		t.Errorf("system.clusters: %v", err)
	}
}
