-- Stage and ready tables of batches whose loader died before dropping
-- them (killed with -9, crashed). Only called under the jobs lease, when
-- no other loader can be running in this database.
SELECT name
FROM system.tables
WHERE database = currentDatabase() AND (startsWith(name, '_stage_') OR startsWith(name, '_ready_'))
ORDER BY name
