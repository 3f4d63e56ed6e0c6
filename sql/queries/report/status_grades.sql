-- Grades in effect on {day} per county, with expired ones counted apart.
-- A cancelled licence ends the grade on its date (docs/rules.md §4.7); a
-- revoked one does not: its D (D3) is counted like any grade.
SELECT
    county_code,
    countIf(grade = 'A') AS A,
    countIf(grade = 'B') AS B,
    countIf(grade = 'C') AS C,
    countIf(grade = 'D') AS D,
    countIf(valid_until < {day:Date}) AS expired
FROM v_grade_history
WHERE valid_from <= {day:Date} AND (superseded_on IS NULL OR superseded_on > {day:Date})
  AND uscc NOT IN (SELECT uscc FROM institutions FINAL
                   WHERE license_status = 'cancelled' AND license_status_on <= {day:Date})
GROUP BY county_code
ORDER BY county_code
