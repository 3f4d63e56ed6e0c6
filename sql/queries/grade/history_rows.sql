-- Recorded grades with their run, the name and evaluating unit stored with
-- each (as they were when it was graded), the register's name now and the
-- institution's licence, oldest first, filtered by any of: one USCC ({uscc} = '' for all), one
-- status ({status} = '' for all), in force on a day ({in_effect_on} NULL
-- for any day), not yet in force but publicized or under objection on a
-- day ({pending_on} NULL for any day), one run ({run_id} = '' for all),
-- in force from a day after {starts_after} (NULL for any), and open — in effect with no successor yet, the rows a new grade may
-- replace — when {open} is true. Rows of runs that never finished are
-- invisible, so a failed run leaves nothing half-recorded behind.
--
-- A cancelled licence ends the grade in force on its status date
-- (docs/rules.md §4.7): from that day no grade is in force, and none is
-- publicized either; license_ended_on is that date. A revoked licence ends
-- nothing: revocation is clause D3, and the D it brings stays in force,
-- listed like any other grade.
-- Publicity starts on publicized_from, or for rows older than that column
-- on the evaluation's as-of date.
SELECT
    h.uscc, h.name, h.county_code, i.name AS register_name, h.run_id, r.kind, r.year, r.as_of,
    h.grade, h.evidence, h.status, h.publicity_ends_on, h.valid_from,
    h.valid_until, h.superseded_on, h.note, h.recorded_at,
    if(h.publicity_ends_on IS NULL, NULL, coalesce(h.publicized_from, r.as_of)) AS publicized_from,
    h.objected_on, toString(i.license_status) AS license_status,
    if(i.license_status = 'cancelled', i.license_status_on, NULL) AS license_ended_on
FROM grade_history AS h FINAL
INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
LEFT JOIN institutions AS i FINAL ON i.uscc = h.uscc
WHERE r.finished IS NOT NULL
  AND ({uscc:String} = '' OR h.uscc = {uscc:String})
  AND ({status:String} = '' OR h.status = {status:String})
  AND ({run_id:String} = '' OR h.run_id = {run_id:String})
  AND ({starts_after:Nullable(Date)} IS NULL OR h.valid_from > {starts_after:Nullable(Date)})
  AND (NOT {open:Bool} OR (h.valid_from IS NOT NULL AND h.superseded_on IS NULL))
  AND ({in_effect_on:Nullable(Date)} IS NULL
       OR (h.valid_from <= {in_effect_on:Nullable(Date)}
           AND (h.superseded_on IS NULL OR h.superseded_on > {in_effect_on:Nullable(Date)})
           AND NOT (i.license_status = 'cancelled'
                    AND i.license_status_on <= {in_effect_on:Nullable(Date)})))
  AND ({pending_on:Nullable(Date)} IS NULL
       OR (h.publicity_ends_on IS NOT NULL
           AND coalesce(h.publicized_from, r.as_of) <= {pending_on:Nullable(Date)}
           AND (h.valid_from IS NULL OR h.valid_from > {pending_on:Nullable(Date)})
           AND (h.superseded_on IS NULL OR h.superseded_on > {pending_on:Nullable(Date)})
           AND NOT (i.license_status = 'cancelled'
                    AND i.license_status_on <= {pending_on:Nullable(Date)})))
ORDER BY h.uscc, h.recorded_at, h.run_id
