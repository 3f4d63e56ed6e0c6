-- Rows in the seven lists, to refuse replacing data by accident.
SELECT
    (SELECT count() FROM institutions) + (SELECT count() FROM inspections) + (SELECT count() FROM annual_reports)
    + (SELECT count() FROM penalties) + (SELECT count() FROM abnormal) + (SELECT count() FROM dishonest)
    + (SELECT count() FROM public_eval)
SETTINGS final = 0
