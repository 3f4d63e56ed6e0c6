-- Each list: records held, and when a batch last loaded into it.
WITH batches AS (
    SELECT list, max(finished_at) AS last_load, argMax(source_ref, finished_at) AS last_ref,
           sum(rows_rejected) AS rejected_total
    FROM import_batches
    GROUP BY list
)
SELECT l.list, l.records, b.last_load, b.last_ref, b.rejected_total
FROM (
    SELECT 'institutions' AS list, count() AS records, 1 AS o FROM institutions
    UNION ALL SELECT 'inspections', count(), 2 FROM inspections
    UNION ALL SELECT 'annual_reports', count(), 3 FROM annual_reports
    UNION ALL SELECT 'penalties', count(), 4 FROM penalties
    UNION ALL SELECT 'abnormal', count(), 5 FROM abnormal
    UNION ALL SELECT 'dishonest', count(), 6 FROM dishonest
    UNION ALL SELECT 'public_eval', count(), 7 FROM public_eval
) AS l
LEFT JOIN batches AS b ON b.list = l.list
ORDER BY l.o
