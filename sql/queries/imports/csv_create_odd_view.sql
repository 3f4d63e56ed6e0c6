CREATE MATERIALIZED VIEW {{.OddView}} TO {{.Odd}}
AS SELECT row, {{.Fields}} FROM {{.Input}} WHERE NOT canonical
