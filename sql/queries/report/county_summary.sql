-- Per county: institutions on the register, licence status, and how many
-- have records that matter for grading at {as_of}. County names come
-- from transform.XuchangCounties as parameters.
WITH
    inst AS (SELECT uscc, county_code, license_status, licensed_on FROM institutions FINAL),
    insp AS (SELECT uscc, count() AS n FROM inspections FINAL WHERE handled_on <= {as_of:Date} GROUP BY uscc),
    listed AS (
        SELECT uscc FROM abnormal FINAL WHERE listed_on <= {as_of:Date} AND (removed_on IS NULL OR removed_on > {as_of:Date})
        UNION DISTINCT
        SELECT uscc FROM dishonest FINAL WHERE listed_on <= {as_of:Date} AND (removed_on IS NULL OR removed_on > {as_of:Date})
    ),
    counties AS (
        SELECT arrayJoin(arrayZip({county_codes:Array(String)}, {county_names:Array(String)})) AS c
    )
SELECT
    inst.county_code AS county,
    if(any(counties.c.2) = '', '(not a Xuchang county)', any(counties.c.2)) AS name,
    count() AS institutions,
    countIf(inst.license_status = 'valid') AS licensed,
    countIf(inst.license_status = 'revoked') AS revoked,
    countIf(inst.license_status = 'cancelled') AS cancelled,
    countIf(insp.n > 0) AS with_inspections,
    sum(insp.n) AS inspection_records,
    countIf(inst.uscc IN (SELECT uscc FROM listed)) AS on_external_lists
FROM inst
LEFT JOIN insp ON insp.uscc = inst.uscc
LEFT JOIN counties ON counties.c.1 = inst.county_code
GROUP BY inst.county_code
ORDER BY inst.county_code
