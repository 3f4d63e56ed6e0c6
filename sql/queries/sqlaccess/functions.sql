-- Every function the engine lists, aliases included, for the SQL
-- endpoint's check (sqlaccess): what the name stands for, whether it is an
-- aggregate function, whether the engine also finds it in another case,
-- whether it is the engine's own (not CREATE FUNCTION's or a host's
-- executable one), and its categories.
SELECT name, if(alias_to = '', name, alias_to), is_aggregate = 1, case_insensitive = 1, origin = 'System', categories
FROM system.functions
