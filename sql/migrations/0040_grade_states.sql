-- The dates of the states a recorded grade passes through before it is in
-- force (docs/rules.md §4.7), so that the state of every grade on any past
-- day can be told: publicized (公示中) from publicized_from to
-- publicity_ends_on, under objection (异议复核中) from objected_on until the
-- review supersedes it. Rows written before this migration have both NULL;
-- readers fall back to the evaluation's as-of date for the start of
-- publicity.
ALTER TABLE grade_history {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS publicized_from Nullable(Date) COMMENT 'first day of publicity (公示) for evaluations',
    ADD COLUMN IF NOT EXISTS objected_on Nullable(Date) COMMENT 'day an objection (异议) was filed; under review from then until superseded_on';
