-- Grades waiting on people: objections under review, and publicity
-- periods ending within {days} days of {day}.
SELECT uscc, name, county_code, grade, status, publicity_ends_on, note
FROM v_grade_history
WHERE superseded_on IS NULL
  AND (status = 'under_review'
       OR (status = 'publicized' AND publicity_ends_on BETWEEN {day:Date} AND {day:Date} + {days:UInt16}))
ORDER BY status DESC, publicity_ends_on, uscc
