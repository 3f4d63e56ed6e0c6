-- The entries of the four external lists that concern institutions in
-- the register: a copy, kept current as lists and the register are loaded
-- (package registered), that grading reads instead of the whole lists.
-- The lists hold tens of millions of rows about every enterprise of a
-- province, a few percent of them about registered institutions, and the
-- rows wanted lie scattered through every granule of the lists, so
-- reading them from the lists costs a full read of every column.
--
-- What each table holds, for every key of its list: the latest version,
-- whenever any version of that key names (by USCC) a registered
-- institution, or carries no USCC and the name of one. More rows are
-- harmless (grading checks whom a row names), fewer are not.
CREATE TABLE IF NOT EXISTS penalties_registered {{.OnCluster}} AS penalties
ENGINE = {{engine "ReplacingMergeTree(version)"}} ORDER BY record_id
COMMENT '登记机构的行政处罚 penalties about registered institutions (a copy grading reads)';

CREATE TABLE IF NOT EXISTS abnormal_registered {{.OnCluster}} AS abnormal
ENGINE = {{engine "ReplacingMergeTree(version)"}} ORDER BY (uscc, name_key, listed_on)
COMMENT '登记机构的经营异常名录记录 abnormal-operations entries about registered institutions (a copy grading reads)';

CREATE TABLE IF NOT EXISTS dishonest_registered {{.OnCluster}} AS dishonest
ENGINE = {{engine "ReplacingMergeTree(version)"}} ORDER BY (uscc, name_key, listed_on)
COMMENT '登记机构的严重失信记录 seriously dishonest entries about registered institutions (a copy grading reads)';

CREATE TABLE IF NOT EXISTS public_eval_registered {{.OnCluster}} AS public_eval
ENGINE = {{engine "ReplacingMergeTree(version)"}} ORDER BY (uscc, name_key, evaluated_on)
COMMENT '登记机构的公共信用综合评价 public credit evaluations of registered institutions (a copy grading reads)';

-- What is already stored.
INSERT INTO penalties_registered
SELECT * FROM penalties
WHERE record_id IN (
    SELECT record_id FROM penalties
    WHERE uscc IN (SELECT uscc FROM institutions)
       OR (uscc = '' AND name_key != '' AND name_key IN (SELECT name_key FROM institutions))
)
SETTINGS final = 0;

INSERT INTO abnormal_registered
SELECT * FROM abnormal
WHERE uscc IN (SELECT uscc FROM institutions)
   OR (uscc = '' AND name_key != '' AND name_key IN (SELECT name_key FROM institutions))
SETTINGS final = 0;

INSERT INTO dishonest_registered
SELECT * FROM dishonest
WHERE uscc IN (SELECT uscc FROM institutions)
   OR (uscc = '' AND name_key != '' AND name_key IN (SELECT name_key FROM institutions))
SETTINGS final = 0;

INSERT INTO public_eval_registered
SELECT * FROM public_eval
WHERE uscc IN (SELECT uscc FROM institutions)
   OR (uscc = '' AND name_key != '' AND name_key IN (SELECT name_key FROM institutions))
SETTINGS final = 0;
