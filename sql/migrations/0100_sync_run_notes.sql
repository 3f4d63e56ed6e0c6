-- What a run of a source read differently from what the source declared,
-- and which checks its configuration switched off: kept with the run, not
-- only logged, so that 'creditsync sources' shows them and a later look at
-- a run's data knows how it was read (docs/sync.md §1a, skip_checks).

ALTER TABLE sync_runs {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS mislabelled Array(String) COMMENT 'pages whose charset label was wrong and were read in the charset of their bytes: "page 3: labelled utf-8, but its bytes are GB18030"',
    ADD COLUMN IF NOT EXISTS skipped_checks Array(String) COMMENT 'checks the source''s configuration switched off for the run (skip_checks): "check: reason"';
