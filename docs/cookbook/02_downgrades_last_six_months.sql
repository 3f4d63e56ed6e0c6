-- 近六个月内被降级的机构、原等级与新等级及理由
-- Institutions downgraded in the last six months: from what, to what, when, why.
SELECT
    changed_on, county_name, uscc, name, from_grade, to_grade, kind_zh,
    arrayStringConcat(clause_texts, '；') AS reasons
FROM v_grade_changes
WHERE change = 'downgrade'
  AND changed_on > toDate(now(), 'Asia/Shanghai') - INTERVAL 6 MONTH
ORDER BY changed_on DESC, county_code, uscc
