-- Empties one of the tables the generator fills: a generated data set
-- replaces what was there.
TRUNCATE TABLE IF EXISTS {table:Identifier} {{.OnCluster}}
