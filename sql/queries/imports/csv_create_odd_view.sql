CREATE MATERIALIZED VIEW {{.OddView}} TO {{.Odd}}
AS SELECT fast_row AS row, {{.Fields}} FROM {{.Input}} WHERE NOT fast_canonical
