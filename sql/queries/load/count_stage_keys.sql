-- Rows and distinct keys of the stage. The stage is sorted by the key,
-- so the keys are counted in order, in memory that does not grow with
-- the batch.
SELECT sum(n), count()
FROM (SELECT count() AS n FROM {{.Stage}} GROUP BY {{.Key}})
SETTINGS optimize_aggregation_in_order = 1
