-- How many shards and replicas the cluster has. Clusters is
-- system.clusters, or in tests a table of the same shape.
SELECT uniqExact(shard_num) AS shards, count() AS hosts
FROM {{.Clusters}}
WHERE cluster = {cluster:String}
