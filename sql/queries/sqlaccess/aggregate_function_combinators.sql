-- The suffixes the engine strips from an aggregate function's name
-- (sumIf, uniqArrayIf, quantilesStateMerge), for the SQL endpoint's check
-- (sqlaccess); an internal one is refused by the engine when written.
SELECT name, is_internal = 1
FROM system.aggregate_function_combinators
