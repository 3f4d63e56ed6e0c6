-- Keys of {{.List}} whose latest version its copy lacks although some
-- version concerns a registered institution: there should be none (see
-- package registered).
WITH latest AS (
    SELECT {{.Key}}, max(version) AS version
    FROM {{.List}}
    WHERE ({{.Key}}) IN (SELECT {{.Key}} FROM {{.List}} WHERE {{template "concerns" .}})
    GROUP BY {{.Key}}
)
SELECT count()
FROM latest
WHERE ({{.Key}}, version) NOT IN (SELECT {{.Key}}, version FROM {{.List}}_registered)
SETTINGS final = 0
