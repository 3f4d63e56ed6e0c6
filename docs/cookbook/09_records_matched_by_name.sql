-- 名单中没有统一社会信用代码、按名称匹配到机构的记录，以及未能匹配的
-- External records published without a USCC: the institution each was
-- matched to by name, or NULL when no single institution has that name
-- (those wait in `creditsync review`).
SELECT list_zh, record_key, listed_name, on_date, uscc, institution_name, county_name, matched_by_zh
FROM v_list_records
WHERE listed_uscc IS NULL
ORDER BY list, on_date, record_key
