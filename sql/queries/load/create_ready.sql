-- The new or changed rows of a batch, gathered part by part before they
-- move to the list's table in one insert (move_ready).
CREATE TABLE {{.Ready}} AS {{.Table}} ENGINE = MergeTree ORDER BY tuple()
