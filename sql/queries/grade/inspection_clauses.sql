-- Clauses that follow from inspection records: D1, D2, C1, C2, C3, B1
-- (commitment breach), B2, B3 (compliance failure), B4 and B5. Records
-- handled after {as_of} are invisible. A record yields one row with every
-- clause it supports (so its detail is sent once); C1 lists every
-- violation in the window once the count reaches {c1_violations}. The record's kind is renamed record_kind
-- because the output column `kind` (the evidence kind) would shadow it.
-- Rows come for the whole register ({only} = '') or one USCC; the caller
-- keeps those of institutions graded at {as_of}.
WITH
    {as_of:Date} AS t,
    subtractMonths(t, {window_months:Int32}) AS window_start,
    -- Each institution's candidate records and its violations in the
    -- window, by grouping rather than a window function: a window sorts
    -- every candidate record of the register, which costs twice as much
    -- at xl scale.
    per_institution AS (
        SELECT
            uscc,
            countIf(in_window AND record_kind = 'violation') AS violations,
            groupArray((record_id, record_kind, severity, handled_on, rectified_on, refused, measure, description, in_window, open_at_t)) AS records
        FROM (
            SELECT
                record_id, uscc, kind AS record_kind, severity, handled_on, rectified_on, refused, measure, description,
                handled_on > window_start AS in_window,
                rectified_on IS NULL OR rectified_on > t AS open_at_t
            FROM inspections FINAL
            -- Only records in the window or refused can make a clause
            -- hold; dropping the rest early keeps the grouping small.
            WHERE handled_on <= t AND (handled_on > window_start OR refused)
              AND ({only:String} = '' OR uscc = {only:String})
        )
        GROUP BY uscc
    ),
    recs AS (
        SELECT
            uscc, violations,
            r.1 AS record_id, r.2 AS record_kind, r.3 AS severity, r.4 AS handled_on, r.5 AS rectified_on,
            r.6 AS refused, r.7 AS measure, r.8 AS description, r.9 AS in_window, r.10 AS open_at_t
        FROM per_institution
        ARRAY JOIN records AS r
    )
SELECT
    uscc,
    arrayFilter(c -> c != '', [
        if(in_window AND record_kind = 'violation' AND severity = 'major', 'D1', ''),
        if(in_window AND record_kind = 'fund_fraud', 'D2', ''),
        if(in_window AND record_kind = 'violation' AND violations >= {c1_violations:Int32}, 'C1', ''),
        if(in_window AND record_kind = 'violation' AND severity = 'serious', 'C2', ''),
        if(refused AND (in_window OR open_at_t), 'C3', ''),
        if(in_window AND record_kind = 'commitment_breach', 'B1', ''),
        if(in_window AND record_kind = 'violation' AND severity IN ('minor', 'general'), 'B2', ''),
        if(in_window AND record_kind = 'compliance_failure', 'B3', ''),
        if(in_window AND record_kind = 'false_materials', 'B4', ''),
        if(in_window AND record_kind = 'conditions_unmet', 'B5', '')
    ]) AS clauses,
    'inspection' AS kind,
    record_id AS id,
    handled_on AS date,
    concat(
        record_kind, if(severity = '', '', concat(' (', severity, ')')),
        if(refused, if(open_at_t, ', refused and not rectified', concat(', refused, rectified ', toString(rectified_on))), ''),
        if(measure = '', '', concat('; ', measure)),
        if(description = '', '', concat('; ', description))
    ) AS detail
FROM recs
WHERE notEmpty(clauses)
