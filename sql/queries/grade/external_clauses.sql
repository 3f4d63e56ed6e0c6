-- Clauses from the external lists: D4 (latest public credit evaluation is
-- D), D5 (on the seriously dishonest list), C6 (on the abnormal-operations
-- list) and B6 (a penalty decided in the window still publicized).
--
-- A row with a USCC belongs to that code. A row without one belongs to the
-- institution whose name_key it shares, when exactly one institution has
-- that name_key; a name shared by several institutions, or by none, is
-- ignored here (the row stays in its table for review) rather than guessed.
-- Evidence ids are the list keys: the decision number for penalties, else
-- "<uscc or name_key>|<date>".
--
-- Shape, for speed at national scale (the lists hold tens of millions of
-- rows, mostly about other enterprises):
--   * the lists are read through their copies of the entries about
--     registered institutions (<list>_registered, migration 0070, kept by
--     package registered), a few percent of each list. The copies hold
--     nothing but entries about registered institutions and rows without
--     a USCC, and harmless extras (a decision since moved to another
--     enterprise, say), so the register is not read again to filter them:
--     rows with a USCC are kept for the caller, which keeps those of the
--     institutions it grades; {only} narrows everything to one;
--   * each copy is read once, with FINAL (see pen below);
--   * the four lists are joined to by_name once (ClickHouse evaluates a
--     CTE again at every reference), and `resolved` is read once, grouped
--     by institution to find its latest evaluation.
-- Tables read with FINAL say so explicitly. The caller keeps the
-- institutions graded at {as_of}.
WITH
    {as_of:Date} AS t,
    subtractMonths(t, {window_months:Int32}) AS window_start,
    -- Only the names that rows without a USCC carry: a few thousand, not
    -- the whole register, so the join below stays small.
    by_name AS (
        SELECT name_key, any(uscc) AS owner
        FROM institutions FINAL
        WHERE name_key != '' AND name_key IN (
            SELECT name_key FROM penalties_registered WHERE uscc = ''
            UNION ALL SELECT name_key FROM abnormal_registered WHERE uscc = ''
            UNION ALL SELECT name_key FROM dishonest_registered WHERE uscc = ''
            UNION ALL SELECT name_key FROM public_eval_registered WHERE uscc = ''
        )
        GROUP BY name_key
        HAVING count() = 1
    ),
    -- Each copy read with FINAL: the latest version of each key, merged
    -- in key order (the copies are small, so this costs little time and
    -- far less memory than grouping every key). Conditions on columns a
    -- later version may change come after the merge (WHERE applies to the
    -- merged rows). A penalty is keyed by decision number: its keys are
    -- chosen by any version's uscc, and filtered again in ext.
    pen AS (
        SELECT record_id, uscc, name_key, name, decided_on, publicity_ended_on, authority, content
        FROM penalties_registered FINAL
        WHERE {only:String} = '' OR record_id IN (SELECT record_id FROM penalties_registered WHERE uscc IN ({only:String}, ''))
    ),
    -- Listings and evaluations are read whatever their removal date:
    -- which version of a listing counts is decided per institution below,
    -- and only then whether it is still listed. The dates they are keyed
    -- by are the same in every version, so they filter here.
    abn AS (
        SELECT uscc, name_key, listed_on, name, removed_on, reason, authority, version, source_line
        FROM abnormal_registered FINAL
        WHERE ({only:String} = '' OR uscc IN ({only:String}, '')) AND listed_on <= t
    ),
    dis AS (
        SELECT uscc, name_key, listed_on, name, removed_on, reason, authority, version, source_line
        FROM dishonest_registered FINAL
        WHERE ({only:String} = '' OR uscc IN ({only:String}, '')) AND listed_on <= t
    ),
    evals AS (
        SELECT uscc, name_key, evaluated_on, name, grade, grade_label, version, source_line
        FROM public_eval_registered FINAL
        WHERE ({only:String} = '' OR uscc IN ({only:String}, '')) AND evaluated_on <= t
    ),
    ext AS (
        SELECT 'penalty' AS list, uscc, name_key, name, record_id AS id, decided_on AS date, '' AS grade, '' AS grade_label,
               concat('decided ', toString(decided_on),
                      if(authority = '', '', concat(' by ', authority)),
                      if(publicity_ended_on IS NULL, ', publicity open-ended', concat(', publicized until ', toString(publicity_ended_on))),
                      if(content = '', '', concat('; ', content))) AS detail,
               CAST(NULL AS Nullable(Date)) AS removed, toUInt64(0) AS version, toUInt32(0) AS line
        FROM pen
        WHERE ({only:String} = '' OR uscc IN ({only:String}, ''))
          AND decided_on > window_start AND decided_on <= t
          AND (publicity_ended_on IS NULL OR publicity_ended_on > t)

        UNION ALL

        SELECT 'abnormal', uscc, name_key, name, concat(if(uscc != '', uscc, name_key), '|', toString(listed_on)), listed_on, '', '',
               concat('listed ', toString(listed_on), if(reason = '', '', concat(': ', reason)),
                      if(authority = '', '', concat('; ', authority))),
               removed_on, version, source_line
        FROM abn

        UNION ALL

        SELECT 'dishonest', uscc, name_key, name, concat(if(uscc != '', uscc, name_key), '|', toString(listed_on)), listed_on, '', '',
               concat('listed ', toString(listed_on), if(reason = '', '', concat(': ', reason)),
                      if(authority = '', '', concat('; ', authority))),
               removed_on, version, source_line
        FROM dis

        UNION ALL

        -- Most evaluations support no clause (only a D on the latest
        -- date does): their id and detail are written at the end, for
        -- the few kept, not here for all of them.
        SELECT 'public_eval', uscc, name_key, name, '', evaluated_on, grade, grade_label, '', NULL, version, source_line
        FROM evals
    ),
    resolved AS (
        SELECT
            if(e.uscc != '', e.uscc, n.owner) AS owner,
            e.uscc AS code, e.name_key AS name_key,
            e.list AS list, e.id AS id, e.date AS date, e.grade AS grade, e.grade_label AS grade_label,
            e.detail AS detail,
            if(e.uscc != '', '', e.name) AS matched,
            e.removed AS removed, e.version AS version, e.line AS line
        FROM ext AS e
        LEFT JOIN by_name AS n ON n.name_key = e.name_key
        WHERE if(e.uscc != '', {only:String} = '' OR e.uscc = {only:String},
                 n.owner != '' AND ({only:String} = '' OR n.owner = {only:String}))
    ),
    -- One listing or evaluation per institution and date, as the data
    -- contract keys them (USCC + date): the rows stored apart because
    -- they came under different names (one without a USCC, matched by
    -- name, and one with it; one under the institution's old name and
    -- one under its new) are versions of one record, and the version
    -- loaded last replaces the others (a removal date appearing, a grade
    -- corrected), a later line of one batch winning as within a file;
    -- between rows alike in both (written to the store by hand) the worse
    -- counts: the worse grade, a listing not removed or removed later.
    -- Only then is a listing's removal read. Penalties are keyed by
    -- decision number already.
    current AS (
        SELECT owner, list, date,
               argMax(tuple(code, name_key, id, grade, grade_label, detail, matched, removed),
                      (version, line, grade, isNull(removed), ifNull(removed, t))) AS v
        FROM resolved
        GROUP BY owner, list, date, if(list = 'penalty', id, '')
    ),
    listed AS (
        SELECT owner, list, date,
               v.1 AS code, v.2 AS name_key, v.3 AS id, v.4 AS grade, v.5 AS grade_label, v.6 AS detail, v.7 AS matched
        FROM current
        WHERE list NOT IN ('abnormal', 'dishonest') OR v.8 IS NULL OR v.8 > t
    )
SELECT
    uscc, clauses, kind,
    if(kind = 'public_eval', concat(if(code != '', code, name_key), '|', toString(date)), id) AS id,
    date,
    concat(
        if(kind = 'public_eval',
           concat('public credit evaluation ', grade, if(grade_label IN ('', grade), '', concat(' (', grade_label, ')'))),
           detail),
        if(matched = '', '', concat('; matched by name ', matched))) AS detail
FROM (
    SELECT
        owner AS uscc,
        r.1 AS kind, r.2 AS code, r.3 AS name_key, r.4 AS id, r.5 AS date, r.6 AS grade, r.7 AS grade_label, r.8 AS detail, r.9 AS matched,
        -- One evaluation per date (current): the latest date's decides.
        multiIf(
            kind = 'public_eval', if(grade = 'D' AND date = latest, ['D4'], []),
            kind = 'dishonest', ['D5'],
            kind = 'abnormal', ['C6'],
            ['B6']
        ) AS clauses
    FROM (
        -- Per institution: the date of its latest evaluation, and the rows
        -- that may support a clause (an evaluation only if it is a D).
        -- Grouping, not a window over all rows: a window sorts every
        -- evaluation of the register, several times slower at xl scale.
        SELECT owner,
               max(if(list = 'public_eval', date, NULL)) AS latest,
               groupArrayIf((list, code, name_key, id, date, grade, grade_label, detail, matched),
                            list != 'public_eval' OR grade = 'D') AS rows
        FROM listed
        GROUP BY owner
    )
    ARRAY JOIN rows AS r
)
WHERE notEmpty(clauses)
SETTINGS final = 0
