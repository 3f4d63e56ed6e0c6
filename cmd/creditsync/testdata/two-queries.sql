-- a comment; with a semicolon
SELECT 'a;b' AS s;
/* another; */ SELECT {n:UInt8} + 1 AS n;
