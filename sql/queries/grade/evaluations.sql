-- The annual evaluations recorded, oldest publicity first: the year, the
-- as-of date, and the publicity period (start and end over its grades;
-- rows older than publicized_from start on the as-of date). Used to say
-- why a report on a date has nothing to show.
SELECT
    r.year,
    r.as_of,
    min(coalesce(h.publicized_from, r.as_of)) AS publicized_from,
    max(h.publicity_ends_on) AS publicity_ends_on
FROM grade_runs AS r FINAL
INNER JOIN grade_history AS h FINAL ON h.run_id = r.run_id
WHERE r.kind = 'evaluate' AND r.finished IS NOT NULL
GROUP BY r.year, r.as_of
ORDER BY publicized_from, r.year
