-- Exemplary institutions nominated for one year.
SELECT uscc, county_code, reason, nominated_on
FROM exemplary FINAL
WHERE year = {year:UInt16}
ORDER BY county_code, uscc
