-- The inspection records and penalties named as evidence, with the fields
-- the 附件2 table shows: who handled them, the measure taken and what
-- happened. A penalty has no measure column; it is itself the measure
-- 行政处罚 (administrative penalty). The caller attaches each row to the
-- institutions whose evidence names it (a penalty may be matched by name,
-- so its own uscc may be empty) and sorts them. Ids come as parameters,
-- never spliced.
SELECT 'inspection' AS source, record_id, kind, severity, handled_on AS date, measure, authority, description
FROM inspections FINAL
WHERE record_id IN {inspection_ids:Array(String)}

UNION ALL

SELECT 'penalty', record_id, 'penalty', '', decided_on, '行政处罚', authority, content
FROM penalties FINAL
WHERE record_id IN {penalty_ids:Array(String)}
