-- A batch of an external list, just attached to the list: its
-- rows that concern registered institutions join the copy grading reads
-- (migration 0070). A penalty is keyed by its decision number, and a
-- later version may name another enterprise: every new version of a
-- decision already in the copy joins it too, so that the copy holds each
-- decision's latest version.
INSERT INTO {{.List}}_registered ({{.Columns}})
SELECT {{.Columns}} FROM {{.From}}
WHERE {{template "concerns" .}}
{{- if .ByRecord}}
   OR record_id IN (SELECT record_id FROM {{.List}}_registered)
{{- end}}
SETTINGS final = 0
