-- The new or changed rows of a batch, gathered part by part before they
-- are attached to the list's table (attach).
CREATE TABLE {{.Ready}} AS {{.Stage}}
