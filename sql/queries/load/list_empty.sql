-- Whether the list's table holds no row yet: a first load needs no
-- change detection.
SELECT count() = 0 FROM (SELECT 1 FROM {{.Table}} LIMIT 1)
