-- One value that changes whenever what the pages show may: the last
-- lifecycle run recorded (evaluation, regrade, review, upgrade) and the
-- last batch loaded into a list or the register. The report sources keep
-- what they read for a day only while it stays the same (report's
-- dayCache): a nightly regrade shows at once.
SELECT concat(
    toString((SELECT count() FROM grade_runs)), '|',
    toString((SELECT max(coalesce(finished, started)) FROM grade_runs)), '|',
    toString((SELECT count() FROM import_batches)), '|',
    toString((SELECT max(finished_at) FROM import_batches)))
