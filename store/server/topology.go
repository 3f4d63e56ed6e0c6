package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// ErrShards means the cluster has more than one shard.
var ErrShards = errors.New("creditsync runs on a cluster of one shard")

// Clusters is where the engine describes its clusters.
const Clusters = "system.clusters"

// CheckOneShard refuses a cluster with more than one shard, or one the
// server does not know. creditsync's tables are Replicated, not
// Distributed: on several shards each node would hold and read only its
// own part, so inserts, FINAL and argMax reads would silently give wrong
// results. One shard with any number of replicas holds a national data
// set many times over. from is the table listing the clusters
// (Clusters; tests point it at a table of the same shape).
func CheckOneShard(ctx context.Context, s store.Store, cluster, from string) error {
	q, err := sql.QueryWith(sql.Target{}, "schema/cluster_shards", map[string]any{"Clusters": from})
	if err != nil {
		return err
	}
	var shards, hosts uint64
	if err := store.QueryRow(ctx, s, q, store.Params{"cluster": cluster}, &shards, &hosts); err != nil {
		return fmt.Errorf("read the topology of cluster %s: %w", cluster, err)
	}
	switch {
	case hosts == 0:
		return &store.Error{Op: "use cluster " + cluster, Err: errors.New("the server knows no cluster of that name"),
			Hint: "check --cluster (CREDITSYNC_CLUSTER) against SELECT DISTINCT cluster FROM system.clusters"}
	case shards > 1:
		return &store.Error{Op: "use cluster " + cluster,
			Err:  fmt.Errorf("%w, and %s has %d shards (%d hosts): its tables are not Distributed, so each shard would hold and read only part of the data and grades would be silently wrong", ErrShards, cluster, shards, hosts),
			Hint: "define a cluster of one shard whose replicas are the hosts (remote_servers), and name it with --cluster"}
	}
	return nil
}
