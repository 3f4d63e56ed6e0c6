-- One value that changes whenever what the pages show may: every write of
-- the tables the grades shown come from. The lifecycle runs recorded
-- (evaluation, regrade, review, upgrade) and the batches loaded into a
-- list or the register, as before; and the grades' own rows, which an
-- objection, a confirmation or an expiry by hand rewrite without a run
-- (grade_history: a status change writes the row again with a higher
-- version), and the nominations (exemplary). Row versions come from the
-- engine's clock and only grow (store.NextVersion), so a table's highest
-- version moves with each write to it. The report sources keep what they
-- read for a day only while the value stays the same (report's
-- dayCache): any of these commands shows at once.
SELECT concat(
    toString((SELECT count() FROM grade_runs)), '|',
    toString((SELECT max(coalesce(finished, started)) FROM grade_runs)), '|',
    toString((SELECT count() FROM import_batches)), '|',
    toString((SELECT max(finished_at) FROM import_batches)), '|',
    toString((SELECT max(version) FROM grade_history)), '|',
    toString((SELECT max(version) FROM exemplary)))
