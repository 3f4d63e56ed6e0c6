-- 某机构的全部等级记录（含未生效的公示、复核记录）
-- One institution's history: every grade recorded, oldest first, with its
-- status, validity and reasons. Parameter: uscc.
--   creditsync sql --param_uscc=91411002MALD5T628U --queries-file docs/cookbook/03_institution_history.sql
SELECT
    as_of, run_kind_zh, year, grade, status_zh,
    publicity_ends_on, valid_from, valid_until, superseded_on,
    arrayStringConcat(clause_texts, '；') AS reasons,
    note
FROM v_grade_history
WHERE uscc = {uscc:String}
ORDER BY recorded_at
