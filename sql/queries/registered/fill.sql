-- Entries of an external list that concern the institutions of
-- {{.Register}} join the copy grading reads (migration 0070). Register
-- is a batch of the register just attached (its institutions'
-- entries already in the list), or the register itself, after the
-- generator has replaced everything. For penalties, every version of a
-- decision that names one of them, so that the latest is among them.
INSERT INTO {{.List}}_registered ({{.Columns}})
SELECT {{.Columns}} FROM {{.List}}
WHERE
{{- if .ByRecord}} record_id IN (SELECT record_id FROM {{.List}} WHERE {{template "concerns" .}})
{{- else}} {{template "concerns" .}}
{{- end}}
SETTINGS final = 0
