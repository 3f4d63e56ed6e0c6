-- The institutions of the register as it holds them now ({uscc} = '' for
-- all, in USCC order): name, county and licence, with the name and county
-- of each one's last recorded grade ('' when it has none; last in the
-- order lifecycle.History reads them, recorded_at then run_id, runs that
-- never finished left out). They answer for an institution no grade shows
-- on a day (not yet evaluated, or its licence cancelled), placed in the
-- county of its last grade, else the register's (report.NotGraded).
SELECT i.uscc, i.name, i.county_code, i.licensed_on, toString(i.license_status), i.license_status_on,
       coalesce(g.last_name, ''), coalesce(g.last_county, '')
FROM institutions AS i FINAL
LEFT JOIN (
    SELECT h.uscc AS uscc,
           argMax(h.name, (h.recorded_at, h.run_id)) AS last_name,
           argMax(h.county_code, (h.recorded_at, h.run_id)) AS last_county
    FROM grade_history AS h FINAL
    INNER JOIN grade_runs AS r FINAL ON r.run_id = h.run_id
    WHERE r.finished IS NOT NULL
      AND ({uscc:String} = '' OR h.uscc = {uscc:String})
    GROUP BY h.uscc
) AS g ON g.uscc = i.uscc
WHERE {uscc:String} = '' OR i.uscc = {uscc:String}
ORDER BY i.uscc
