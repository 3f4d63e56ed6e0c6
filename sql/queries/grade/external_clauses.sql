-- Clauses from the external lists: D4 (latest public credit evaluation is
-- D), D5 (on the seriously dishonest list), C6 (on the abnormal-operations
-- list) and B6 (a penalty decided in the window still publicized).
--
-- A row with a USCC belongs to that code. A row without one belongs to the
-- institution whose name_key it shares, when exactly one institution has
-- that name_key; a name shared by several institutions, or by none, is
-- ignored here (the row stays in its table for review) rather than guessed.
-- Evidence ids are the list keys: decision number for penalties, else
-- "<uscc or name_key>|<date>". Rows come for institutions in the register
-- ({only} = '': all of them) and never for the many other enterprises on
-- these lists; the caller keeps those graded at {as_of}.
WITH
    {as_of:Date} AS t,
    subtractMonths(t, {window_months:Int32}) AS window_start,
    registered AS (
        SELECT uscc FROM institutions FINAL
        WHERE {only:String} = '' OR uscc = {only:String}
    ),
    by_name AS (
        SELECT name_key, any(uscc) AS owner
        FROM institutions FINAL
        WHERE name_key != ''
        GROUP BY name_key
        HAVING count() = 1
    ),
    pen AS (
        SELECT uscc AS owner, record_id, decided_on, publicity_ended_on, authority, content, '' AS matched_name
        FROM penalties FINAL WHERE uscc != ''
        UNION ALL
        SELECT n.owner, p.record_id, p.decided_on, p.publicity_ended_on, p.authority, p.content, p.name
        FROM penalties AS p FINAL INNER JOIN by_name AS n ON n.name_key = p.name_key
        WHERE p.uscc = ''
    ),
    abn AS (
        SELECT uscc AS owner, uscc AS key, listed_on, removed_on, reason, authority, '' AS matched_name
        FROM abnormal FINAL WHERE uscc != ''
        UNION ALL
        SELECT n.owner, a.name_key, a.listed_on, a.removed_on, a.reason, a.authority, a.name
        FROM abnormal AS a FINAL INNER JOIN by_name AS n ON n.name_key = a.name_key
        WHERE a.uscc = ''
    ),
    dis AS (
        SELECT uscc AS owner, uscc AS key, listed_on, removed_on, reason, authority, '' AS matched_name
        FROM dishonest FINAL WHERE uscc != ''
        UNION ALL
        SELECT n.owner, d.name_key, d.listed_on, d.removed_on, d.reason, d.authority, d.name
        FROM dishonest AS d FINAL INNER JOIN by_name AS n ON n.name_key = d.name_key
        WHERE d.uscc = ''
    ),
    evals AS (
        SELECT uscc AS owner, uscc AS key, grade, grade_label, evaluated_on, '' AS matched_name
        FROM public_eval FINAL WHERE uscc != '' AND evaluated_on <= t
        UNION ALL
        SELECT n.owner, e.name_key, e.grade, e.grade_label, e.evaluated_on, e.name
        FROM public_eval AS e FINAL INNER JOIN by_name AS n ON n.name_key = e.name_key
        WHERE e.uscc = '' AND e.evaluated_on <= t
    ),
    -- Two evaluations on the latest date (one by code, one by name) would
    -- tie; any D among them holds, so the answer never depends on row order.
    latest_evals AS (
        SELECT * FROM evals
        WHERE (owner, evaluated_on) IN (SELECT owner, max(evaluated_on) FROM evals GROUP BY owner)
    )
SELECT owner AS uscc, 'D4' AS clause, 'public_eval' AS kind, concat(key, '|', toString(evaluated_on)) AS id,
       evaluated_on AS date,
       concat('public credit evaluation ', grade, if(grade_label IN ('', grade), '', concat(' (', grade_label, ')')),
              if(matched_name = '', '', concat('; matched by name ', matched_name))) AS detail
FROM latest_evals
WHERE grade = 'D' AND owner IN (SELECT uscc FROM registered)

UNION ALL

SELECT owner, 'D5', 'dishonest', concat(key, '|', toString(listed_on)), listed_on,
       concat('listed ', toString(listed_on), if(reason = '', '', concat(': ', reason)),
              if(authority = '', '', concat('; ', authority)),
              if(matched_name = '', '', concat('; matched by name ', matched_name)))
FROM dis
WHERE listed_on <= t AND (removed_on IS NULL OR removed_on > t) AND owner IN (SELECT uscc FROM registered)

UNION ALL

SELECT owner, 'C6', 'abnormal', concat(key, '|', toString(listed_on)), listed_on,
       concat('listed ', toString(listed_on), if(reason = '', '', concat(': ', reason)),
              if(authority = '', '', concat('; ', authority)),
              if(matched_name = '', '', concat('; matched by name ', matched_name)))
FROM abn
WHERE listed_on <= t AND (removed_on IS NULL OR removed_on > t) AND owner IN (SELECT uscc FROM registered)

UNION ALL

SELECT owner, 'B6', 'penalty', record_id, decided_on,
       concat('decided ', toString(decided_on),
              if(authority = '', '', concat(' by ', authority)),
              if(publicity_ended_on IS NULL, ', publicity open-ended', concat(', publicized until ', toString(publicity_ended_on))),
              if(content = '', '', concat('; ', content)),
              if(matched_name = '', '', concat('; matched by name ', matched_name)))
FROM pen
WHERE decided_on > window_start AND decided_on <= t
  AND (publicity_ended_on IS NULL OR publicity_ended_on > t)
  AND owner IN (SELECT uscc FROM registered)
