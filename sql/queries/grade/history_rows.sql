-- Recorded grades with their run and the institution's name, oldest first,
-- filtered by any of: one USCC ({uscc} = '' for all), one status ({status}
-- = '' for all), in effect on a day ({in_effect_on} NULL for any day), one
-- run ({run_id} = '' for all), and open — in effect with no successor yet,
-- the rows a new grade may replace — when {open} is true. Rows of runs that never finished are
-- invisible, so a failed run leaves nothing half-recorded behind.
SELECT
    h.uscc, i.name, i.county_code, h.run_id, r.kind, r.year, r.as_of,
    h.grade, h.evidence, h.status, h.publicity_ends_on, h.valid_from,
    h.valid_until, h.superseded_on, h.note, h.recorded_at
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
LEFT JOIN institutions AS i FINAL ON i.uscc = h.uscc
WHERE r.finished IS NOT NULL
  AND ({uscc:String} = '' OR h.uscc = {uscc:String})
  AND ({status:String} = '' OR h.status = {status:String})
  AND ({run_id:String} = '' OR h.run_id = {run_id:String})
  AND (NOT {open:Bool} OR (h.valid_from IS NOT NULL AND h.superseded_on IS NULL))
  AND ({in_effect_on:Nullable(Date)} IS NULL
       OR (h.valid_from <= {in_effect_on:Nullable(Date)}
           AND (h.superseded_on IS NULL OR h.superseded_on > {in_effect_on:Nullable(Date)})))
ORDER BY h.uscc, h.recorded_at, h.run_id
