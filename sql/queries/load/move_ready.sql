-- Move a batch's rows to the list's table as one block, so one part: a
-- part is written whole or not at all, so a failure leaves none of the
-- batch visible. Squashing the whole batch into one block (one insert
-- thread, no row or byte threshold short of it) costs memory in
-- proportion to the changed rows, not to the batch.
INSERT INTO {{.Table}} ({{.Columns}})
SELECT {{.Columns}} FROM {{.Ready}}
SETTINGS max_insert_threads = 1,
         min_insert_block_size_rows = 1000000000000,
         min_insert_block_size_bytes = 1000000000000000
