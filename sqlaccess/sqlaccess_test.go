package sqlaccess_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// scoped is a store with a main database holding two counties' rows and a
// county database of views over one of them, as the SQL endpoint makes.
type scoped struct {
	s              store.Store
	main, countyDB string
	countyPolicy   sqlaccess.Policy
	cityPolicy     sqlaccess.Policy
	countySession  store.FormatOptions
	citySession    store.FormatOptions
	otherCountyDB  string
	foreignSecrets []string
}

// setup makes the fixture for one test (or one fuzz target, whose inputs
// share it).
func setup(t testing.TB) *scoped {
	t.Helper()
	var fixture *scoped
	{
		s := storetest.OpenEmbedded(t)
		ctx := context.Background()
		main := s.Database()
		f := &scoped{s: s, main: main, countyDB: main + "_county_411002", otherCountyDB: main + "_county_411081",
			foreignSecrets: []string{"禹州外县机构", "SECRET-RAW-PAGE"}}
		for _, q := range []string{
			"CREATE TABLE institutions (uscc String, name String, county_code String) ENGINE = MergeTree ORDER BY uscc",
			"INSERT INTO institutions VALUES ('A1', '魏都本县机构', '411002'), ('B1', '禹州外县机构', '411081')",
			"CREATE TABLE raw_pages (url String, body String) ENGINE = MergeTree ORDER BY url",
			"INSERT INTO raw_pages VALUES ('u', 'SECRET-RAW-PAGE')",
			"CREATE TABLE _stage_20261206_x (uscc String) ENGINE = MergeTree ORDER BY uscc",
			"CREATE DATABASE " + f.countyDB,
			"CREATE VIEW " + f.countyDB + ".institutions AS SELECT * FROM " + main + ".institutions WHERE county_code = '411002'",
			"CREATE DATABASE " + f.otherCountyDB,
			"CREATE VIEW " + f.otherCountyDB + ".institutions AS SELECT * FROM " + main + ".institutions WHERE county_code = '411081'",
		} {
			if err := s.Exec(ctx, q, nil); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		f.countyPolicy = sqlaccess.County("411002", f.countyDB)
		f.cityPolicy = sqlaccess.City(main, f.countyDB, f.otherCountyDB)
		f.countySession = store.FormatOptions{Database: f.countyDB, TimeZone: "Asia/Shanghai"}
		f.citySession = store.FormatOptions{Database: main, TimeZone: "Asia/Shanghai"}
		fixture = f
	}
	return fixture
}

func (f *scoped) county(q string) (sqlaccess.Statement, error) {
	return sqlaccess.Check(context.Background(), f.s, f.countyPolicy, q, f.countySession)
}

func TestAllowedStatements(t *testing.T) {
	f := setup(t)
	for _, c := range []struct {
		q      string
		kind   sqlaccess.Kind
		format string
	}{
		{"SELECT count() FROM institutions", sqlaccess.Select, ""},
		{"SELECT uscc -- FORMAT TSV SETTINGS\nFROM institutions", sqlaccess.Select, ""},
		{"select uscc from `institutions` format JSONEachRow", sqlaccess.Select, "JSONEachRow"},
		{"WITH x AS (SELECT * FROM institutions) SELECT count() FROM x", sqlaccess.Select, ""},
		{"SELECT * FROM " + f.countyDB + ".institutions UNION ALL SELECT * FROM institutions", sqlaccess.Select, ""},
		{"SELECT number FROM numbers(3)", sqlaccess.Select, ""},
		{"SELECT name FROM system.settings LIMIT 1", sqlaccess.Select, ""},
		// clickhouse-go's hello, as the endpoint rewrites it (displayName()
		// is the host's name).
		{"SELECT 'creditsync', version(), revision(), timezone()", sqlaccess.Select, ""},
		{"DESCRIBE TABLE institutions", sqlaccess.Describe, ""},
		{"SHOW TABLES", sqlaccess.ShowTables, ""},
		{"KILL QUERY WHERE query_id = 'abc'", sqlaccess.KillQuery, ""},
		// Value generators with a structure of columns and types, and
		// windows written in OVER.
		{"SELECT * FROM values('code String, n UInt8', ('411002', 1))", sqlaccess.Select, ""},
		{"SELECT * FROM values(('411002', 1), ('411081', 2))", sqlaccess.Select, ""},
		{"SELECT * FROM values(1, 2, 3)", sqlaccess.Select, ""},
		{"SELECT * FROM values([1, 2], [3])", sqlaccess.Select, ""},
		{"SELECT * FROM values(-1, 2)", sqlaccess.Select, ""},
		{"SELECT x FROM generateRandom('x String, e Enum8(\\'a\\' = 1)') LIMIT 1", sqlaccess.Select, ""},
		{"SELECT count() OVER (PARTITION BY county_code) FROM institutions", sqlaccess.Select, ""},
		{"SELECT row_number() OVER (), count() OVER () FROM institutions", sqlaccess.Select, ""},
		// Aggregate functions by name, with numeric parameters.
		{"SELECT arrayReduce('sum', [1, 2])", sqlaccess.Select, ""},
		{"SELECT arrayReduce('quantile(0.5)', [1, 2]), arrayReduce('topK( 2 )', [1, 1, 2])", sqlaccess.Select, ""},
		{"SELECT finalizeAggregation(initializeAggregation('sumState', 1))", sqlaccess.Select, ""},
		// Cross and comma joins (their TableJoin node has no children).
		{"SELECT count() FROM institutions, numbers(2) AS n", sqlaccess.Select, ""},
		{"SELECT count() FROM institutions CROSS JOIN numbers(2) AS n", sqlaccess.Select, ""},
	} {
		st, err := f.county(c.q)
		if err != nil {
			t.Errorf("%q: refused: %v", c.q, err)
			continue
		}
		if st.Kind != c.kind || st.Format != c.format {
			t.Errorf("%q: kind %q format %q, want %q %q", c.q, st.Kind, st.Format, c.kind, c.format)
		}
	}
}

// Expressions the syntax tree does not print — in a named window, in
// APPLY, in a DEFAULT of a value generator's structure — would reach the
// analyzer unchecked, and it evaluates them while it resolves the
// statement, quoting their values in its errors: another county's names,
// a host file, the daemon's environment with every token. Refused before.
func TestExpressionsTheTreeHides(t *testing.T) {
	f := setup(t)
	other := "(SELECT toUInt8(arrayStringConcat(groupArray(name), '|')) FROM " + f.main + ".institutions WHERE county_code = '411081')"
	for _, q := range []string{
		"SELECT count() OVER w FROM numbers(1) WINDOW w AS (PARTITION BY " + other + ")",
		"SELECT count() OVER w FROM numbers(1) WINDOW w AS (PARTITION BY toUInt8(file('/etc/hostname')))",
		"SELECT count() OVER (ROWS BETWEEN toUInt8(file('/etc/hostname')) PRECEDING AND CURRENT ROW) FROM numbers(1)",
		"SELECT * APPLY(x -> " + other + ") FROM numbers(1)",
		"SELECT COLUMNS('number') APPLY(x -> toUInt8(file('/etc/hostname'))) FROM numbers(1)",
		"SELECT * APPLY(toString) FROM numbers(1)",
		"SELECT x FROM generateRandom('x String, y UInt8 DEFAULT toUInt8(file(\\'/proc/self/environ\\'))') LIMIT 1",
		"SELECT x FROM generateRandom('x String, y UInt8 alias toUInt8(file(\\'/etc/hostname\\'))') LIMIT 1",
		"SELECT * FROM values('x String, y UInt8 MATERIALIZED toUInt8(file(\\'/etc/hostname\\'))', ('a'))",
		"SELECT x FROM generateRandom({s:String}) LIMIT 1",
		// An aggregate function given by name is parsed as a call whose
		// parameters the engine evaluates: a file, another county's
		// rows, put in the result by groupArrayInsertAt.
		"SELECT arrayReduce('groupArrayInsertAt(file(\\'/etc/hostname\\'), 2)', [''], [toUInt32(0)])",
		"SELECT arrayReduce('groupArrayInsertAt(toString((SELECT count() FROM " + f.main + ".institutions WHERE county_code = \\'411081\\')), 2)', [''], [toUInt32(0)])",
		"SELECT ARRAYREDUCE('groupArrayInsertAt(hostName(), 2)', [''], [toUInt32(0)])",
		"SELECT arrayReduceInRanges('groupArrayInsertAt(hostName(), 2)', [(1, 1)], [''], [toUInt32(0)])",
		"SELECT finalizeAggregation(initializeAggregation('groupArrayInsertAtState(hostName(), 2)', '', toUInt32(0)))",
		"WITH concat('groupArrayInsertAt(host', 'Name(), 2)') AS f SELECT arrayReduce(f, [''], [toUInt32(0)])",
		"SELECT arrayReduce({f:String}, [''], [toUInt32(0)])",
		"SELECT arrayReduce('quantile(toFloat64(length(hostName())) / 10)', [1, 2])",
		// A DEFAULT after a tab, a line break or a comment: the tree
		// prints the tab as \\t, and a pattern over the printed text saw
		// no word boundary before DEFAULT.
		"SELECT * FROM generateRandom('a UInt8\\tDEFAULT toUInt8(file(\\'/etc/hostname\\'))') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8\tDEFAULT toUInt8(hostName())') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8\\nDEFAULT toUInt8(hostName())') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8\\rMATERIALIZED toUInt8(hostName())') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8/**/DEFAULT toUInt8(hostName())') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8\\x09DEFAULT toUInt8(hostName())') LIMIT 1",
		"SELECT * FROM values('a UInt8\\tALIAS toUInt8(hostName())', 1)",
		"SELECT * FROM generateRandom('a Decimal(toUInt8(hostName()), 2)') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8, INDEX i a TYPE minmax') LIMIT 1",
		"SELECT * FROM generateRandom('a UInt8) ENGINE = Null --') LIMIT 1",
		// Any constant is folded to the structure string; functions
		// that parse column declarations evaluate a DEFAULT too.
		"WITH 'a UInt8 DEFAULT toUInt8(file(\\'/etc/hostname\\'))' AS s SELECT * FROM generateRandom(s) LIMIT 1",
		"SELECT * FROM generateRandom(concat('a UInt8 DEF', 'AULT toUInt8(file(\\'/etc/hostname\\'))')) LIMIT 1",
		"SELECT * FROM generateRandom((SELECT 'a UInt8 DEFAULT toUInt8(file(\\'/etc/hostname\\'))')) LIMIT 1",
		"WITH 'a UInt8 DEFAULT toUInt8(file(\\'/etc/hostname\\'))' AS s SELECT * FROM values(s, 'x')",
		"WITH 'a UInt8 DEFAULT toUInt8(file(\\'/etc/hostname\\'))' AS s SELECT * FROM values(s, ('x'))",
		"SELECT * FROM values(concat('a UInt8 DEF', 'AULT toUInt8(file(\\'/etc/hostname\\'))'), 'x')",
		"SELECT * FROM values((SELECT 'a UInt8 DEFAULT toUInt8(file(\\'/etc/hostname\\'))'), 'x')",
		"SELECT * FROM values({s:String}, 'x')",
		"SELECT structureToCapnProtoSchema('a UInt8 DEFAULT toUInt8(file(\\'/etc/hostname\\'))')",
		"SELECT structureToProtobufSchema('a UInt8 MATERIALIZED toUInt8(file(\\'/etc/hostname\\'))')",
		"EXPLAIN QUERY TREE SELECT * APPLY(x -> file('/etc/hostname')) FROM numbers(1)",
	} {
		params := store.Params{"s": "x String, y UInt8 DEFAULT toUInt8(file('/etc/hostname'))", "f": "groupArrayInsertAt(hostName(), 2)"}
		for name, c := range map[string]struct {
			policy  sqlaccess.Policy
			session store.FormatOptions
		}{"county": {f.countyPolicy, f.countySession}, "city": {f.cityPolicy, f.citySession}} {
			c.session.Params = params
			if _, err := sqlaccess.Check(context.Background(), f.s, c.policy, q, c.session); !isDenied(err) {
				t.Errorf("%s %q: %v, want refused before it runs", name, q, err)
			}
		}
	}
}

func TestKillNamesOneQuery(t *testing.T) {
	f := setup(t)
	st, err := f.county("kill query where query_id = 'it''s-mine' sync")
	if err != nil || st.KillQueryID != "it's-mine" {
		t.Errorf("KILL QUERY by id: %+v, %v", st, err)
	}
	// Its mode, as ClickHouse's: ASYNC unless it says SYNC or TEST,
	// whatever its id or its output clauses say.
	for q, want := range map[string]sqlaccess.KillMode{
		"KILL QUERY WHERE query_id = 'a'":                                                 sqlaccess.KillAsync,
		"KILL QUERY WHERE query_id = 'a' ASYNC":                                           sqlaccess.KillAsync,
		"KILL QUERY WHERE query_id = 'a' SYNC":                                            sqlaccess.KillSync,
		"KILL QUERY WHERE query_id = 'a' TEST":                                            sqlaccess.KillTest,
		"KILL QUERY WHERE 'a SYNC' = query_id TEST FORMAT TSV":                            sqlaccess.KillTest,
		"KILL QUERY WHERE query_id = 'a\\nTEST' SYNC SETTINGS max_threads = 1 FORMAT TSV": sqlaccess.KillSync,
	} {
		if st, err := f.county(q); err != nil || st.KillMode != want {
			t.Errorf("%q: mode %q, %v; want %s", q, st.KillMode, err, want)
		}
	}
	for _, q := range []string{"KILL QUERY WHERE 1", "KILL QUERY WHERE user = 'default'", "KILL QUERY WHERE query_id LIKE '%'",
		"KILL QUERY WHERE query_id = 'a' OR 1", "KILL MUTATION WHERE 1", "KILL QUERY WHERE query_id = 'a' INTO OUTFILE '/tmp/x'"} {
		if _, err := f.county(q); !isDenied(err) {
			t.Errorf("%q: %v, want refused", q, err)
		}
	}
}

func isDenied(err error) bool {
	var d *sqlaccess.Denied
	return errors.As(err, &d)
}

// Refusals name what is not allowed.
func TestRefusalsNameWhat(t *testing.T) {
	f := setup(t)
	for q, want := range map[string]string{
		"SELECT * FROM " + f.main + ".raw_pages":                "reading " + f.main + ".raw_pages",
		"SELECT 1 INTO OUTFILE '/tmp/x'":                        "INTO OUTFILE",
		"SELECT * FROM file('/etc/passwd', 'LineAsString')":     "table function file",
		"SELECT dictGet('d', 'a', 1)":                           "function dictGet",
		"SELECT * FROM system.processes":                        "reading system.processes",
		"SYSTEM FLUSH LOGS":                                     "statement of kind",
		"SHOW TABLES FROM system":                               "SHOW TABLES FROM system",
		"SHOW CREATE TABLE " + f.main + ".raw_pages FORMAT TSV": "reading " + f.main + ".raw_pages",
		"SHOW CREATE TABLE institutions FORMAT TSV":             "SHOW CREATE TABLE is not allowed",
		"SHOW COLUMNS FROM institutions":                        "SHOW COLUMNS is not allowed",
		"EXISTS TABLE " + f.main + ".raw_pages":                 "EXISTS of " + f.main + ".raw_pages",
		"SELECT * FROM " + f.otherCountyDB + ".institutions":    "reading " + f.otherCountyDB + ".institutions",
	} {
		_, err := f.county(q)
		if !isDenied(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want a refusal naming %q", q, err, want)
		}
	}
	if _, err := f.county("SELECT 1; SELECT * FROM " + f.main + ".raw_pages"); err == nil || !strings.Contains(err.Error(), "Multi-statements") {
		t.Errorf("two statements: %v, want the engine's refusal", err)
	}
}

// A text is checked as the one statement the engine reads it as: EXPLAIN
// takes settings before its statement, and "EXPLAIN AST " put before the
// text as sent read "optimize = 1 FROM system.one SELECT final, (…)" as a
// setting of the EXPLAIN and another statement than the one that runs
// (an implicit SELECT) — and with optimize = 1 evaluated file() while it
// printed the tree, the file's bytes in its error, for any token.
func TestATextIsCheckedAsTheStatementThatRuns(t *testing.T) {
	f := setup(t)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("SECRET-ON-THE-HOST"), 0o600); err != nil {
		t.Fatal(err)
	}
	city := func(q string) (sqlaccess.Statement, error) {
		return sqlaccess.Check(context.Background(), f.s, f.cityPolicy, q, f.citySession)
	}
	for _, q := range []string{
		"optimize = 1 FROM system.one SELECT final, (SELECT toUInt8(file('" + secret + "')))",
		"optimize = 1 FROM system.one SELECT final, (SELECT base64Encode(file('" + secret + "')))",
		"optimize = 0 FROM system.one SELECT final, numbers(2)",
		"EXPLAIN optimize = 1 SELECT (SELECT toUInt8(file('" + secret + "')))",
		"EXPLAIN SYNTAX optimize = 1 SELECT (SELECT toUInt8(file('" + secret + "')))",
		"EXPLAIN AST optimize = 1 SELECT (SELECT toUInt8(file('" + secret + "')))",
		"SELECT * FROM (EXPLAIN SYNTAX optimize = 1 SELECT (SELECT toUInt8(file('" + secret + "'))))",
		"WITH x AS (EXPLAIN SYNTAX optimize = 1 SELECT toUInt8(file('" + secret + "'))) SELECT * FROM x",
		"1 + 1",
	} {
		for who, check := range map[string]func(string) (sqlaccess.Statement, error){"county": f.county, "city": city} {
			_, err := check(q)
			if err == nil || strings.Contains(err.Error(), "SECRET-ON-THE-HOST") || strings.Contains(err.Error(), "U0VDUkVU") {
				t.Errorf("%s: %q: %v, want it refused without the file's bytes", who, q, err)
			}
		}
	}
}

// An alias or a type may hold the words the engine's trees use to
// separate a name from what follows it: the alias `q (alias r` made the
// syntax tree's name "arrayReduce (alias q", which no check recognised
// (a county read host files and other counties' rows through its
// aggregate string), and a tuple element named `x, function_name: plus`
// in arrayFold's result type made the query tree's last function_name
// plus. Such statements are refused as trees that cannot be read.
func TestNamesHidingInAliasesAndTypes(t *testing.T) {
	f := setup(t)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("SECRET-ON-THE-HOST"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT arrayReduce('groupArrayInsertAt(file(\\'" + secret + "\\'), 2)', [''], [toUInt32(0)]) AS `q (alias r`",
		"SELECT initializeAggregation('groupArrayInsertAtState(file(\\'" + secret + "\\'), 2)', '') AS `q (alias r`",
		"SELECT arrayReduce('groupArrayInsertAt((SELECT groupArray(name) FROM " + f.main + ".institutions), 2)', [''], [toUInt32(0)]) AS `q (alias r`",
		"SELECT editDistance('a', 'b') AS `q (alias r`",
		"SELECT length(tupleElement(arrayFold((acc, x) -> CAST((acc.1 + x, concat(acc.2, 'x')), 'Tuple(`x, function_name: plus` UInt64, s String)'), range(10), CAST((0, ''), 'Tuple(`x, function_name: plus` UInt64, s String)')) AS `q (alias r`, 2))",
		"SELECT length(tupleElement(arrayFold((acc, x) -> CAST((acc.1 + x, concat(acc.2, 'x')), 'Tuple(`x, function_name: plus` UInt64, s String)'), range(10), CAST((0, ''), 'Tuple(`x, function_name: plus` UInt64, s String)')), 2))",
	} {
		_, err := f.county(q)
		if !isDenied(err) || strings.Contains(err.Error(), "SECRET-ON-THE-HOST") || strings.Contains(err.Error(), f.foreignSecrets[0]) {
			t.Errorf("%q: %v, want a refusal telling nothing", q, err)
		}
	}
	// An ordinary alias is still an alias.
	if _, err := f.county("SELECT arrayReduce('sum', [1, 2]) AS `total (alias)`, lower(name) AS n FROM institutions"); err != nil {
		t.Errorf("an alias holding '(alias)' once: %v, want it allowed", err)
	}
}

// Functions whose one call on one row can outlast every limit (the
// engine checks time limits and KILL QUERY between blocks) are refused by
// what the engine's catalog says they are: under any alias or case, in a
// lambda, a subquery or a CTE, before anything runs. Linear string
// functions stay.
func TestCostlyFunctionsAreRefusedBeforeTheyRun(t *testing.T) {
	f := setup(t)
	city := func(q string) (sqlaccess.Statement, error) {
		return sqlaccess.Check(context.Background(), f.s, f.cityPolicy, q, f.citySession)
	}
	for _, tt := range []struct{ query, names string }{
		{"SELECT editDistance(repeat('a', 65536), repeat('b', 65536))", "editDistance"},
		{"SELECT levenshteinDistance(name, 'x') FROM institutions", "levenshteinDistance"},
		{"SELECT LevenshteinDistanceUTF8(name, 'x') FROM institutions", "LevenshteinDistanceUTF8"},
		{"SELECT damerauLevenshteinDistance('a', 'b')", "damerauLevenshteinDistance"},
		{"SELECT jaroWinklerSimilarity('a', 'b')", "jaroWinklerSimilarity"},
		{"SELECT arrayFold((acc, x) -> acc + x, range(3000000), 0::UInt64)", "arrayFold"},
		{"SELECT arrayMap(x -> arrayLevenshteinDistance([x], [1]), [1])", "arrayLevenshteinDistance"},
		{"WITH (SELECT editDistance('a', 'b')) AS d SELECT d", "editDistance"},
		{"SELECT * FROM (SELECT arraySimilarity([1], [2], [1.], [1.]))", "arraySimilarity"},
		{"SELECT polygonsDistanceCartesian([[[(0., 0.), (1., 0.)]]], [[[(2., 2.), (3., 3.)]]])", "category Geo"},
		{"SELECT greatCircleDistance(0., 0., 1., 1.)", "category Geo"},
		{"SELECT base58Encode(repeat('a', 32000))", "base58Encode"},
		{"SELECT tryBase58Decode('abc')", "tryBase58Decode"},
		{"SELECT hasAll(materialize(arrayMap(x -> toString(x), range(60000))), arrayMap(x -> toString(x), range(60000)))", "hasAll"},
		{"SELECT hasAny(groupArray(name), ['x']) FROM institutions", "hasAny"},
		// One pass over the group for each level: parameters are bounded.
		{"SELECT quantilesExact(" + levels(33) + ")(number) FROM numbers(10)", "quantilesExact with 33 parameters"},
		{"SELECT quantilesExactIf(" + levels(40) + ")(number, 1) OVER () FROM numbers(10)", "quantilesExactIf with 40 parameters"},
		{"SELECT arrayReduce('quantilesExact(" + levels(33) + ")', [1, 2])", "33 parameters"},
	} {
		for who, check := range map[string]func(string) (sqlaccess.Statement, error){"county": f.county, "city": city} {
			_, err := check(tt.query)
			if !isDenied(err) || !strings.Contains(err.Error(), tt.names) {
				t.Errorf("%s: %q: %v, want a refusal naming %q", who, tt.query, err, tt.names)
			}
		}
	}
	for _, q := range []string{
		"SELECT ngramDistance(name, '魏都') FROM institutions",
		"SELECT lower(name), position(name, '机构'), byteHammingDistance('ab', 'ac') FROM institutions",
		"SELECT arrayMap(x -> x + 1, [1, 2])",
		"SELECT has([name], 'x'), hasSubstr([name], ['x']), arrayIntersect([name], ['x']), countEqual([name], 'x') FROM institutions",
		"SELECT quantiles(" + levels(32) + ")(number), arrayReduce('quantiles(" + levels(32) + ")', [1, 2]) FROM numbers(10)",
	} {
		if _, err := f.county(q); err != nil {
			t.Errorf("%q: %v, want it allowed", q, err)
		}
	}
}

// The functions that compile their patterns with vectorscan (hyperscan)
// are off in every checked session, by the engine itself
// (allow_hyperscan = 0, 446): the compile of 1,500 patterns was one call
// of minutes that no limit or KILL QUERY stopped. A statement cannot
// switch them back on. The regular expressions of re2 and the plain
// searches stay.
func TestVectorscanIsOffInCheckedSessions(t *testing.T) {
	f := setup(t)
	// Checked, then run as the endpoint runs it: the engine refuses a
	// call on constants while it analyses the statement, any other when
	// its run starts, before a pattern is compiled.
	run := func(p sqlaccess.Policy, opt store.FormatOptions) func(string) (sqlaccess.Statement, error) {
		return func(q string) (sqlaccess.Statement, error) {
			st, err := sqlaccess.Check(context.Background(), f.s, p, q, opt)
			if err != nil {
				return st, err
			}
			opt.Settings = sqlaccess.SessionSettings()
			return st, store.QueryFormatted(context.Background(), f.s, io.Discard, q, opt)
		}
	}
	for _, q := range []string{
		"SELECT multiFuzzyMatchAny('abc', 2, ['abd', 'xyz'])",
		"SELECT multiMatchAny(name, ['机构$', 'x+']) FROM institutions",
		"SELECT arrayMap(p -> multiMatchAllIndices(name, [p]), ['a']) FROM institutions",
		"SELECT (SELECT multiFuzzyMatchAnyIndex('abc', 1, ['abd']))",
	} {
		for who, check := range map[string]func(string) (sqlaccess.Statement, error){"county": run(f.countyPolicy, f.countySession), "city": run(f.cityPolicy, f.citySession)} {
			if _, err := check(q); err == nil || !strings.Contains(err.Error(), "FUNCTION_NOT_ALLOWED") {
				t.Errorf("%s: %q: %v, want the engine's refusal (446)", who, q, err)
			}
		}
	}
	var se *sqlaccess.SettingError
	if _, err := f.county("SELECT multiMatchAny('abc', ['b']) SETTINGS allow_hyperscan = 1"); !errors.As(err, &se) || se.Code != 164 {
		t.Errorf("allow_hyperscan = 1 in SETTINGS: %v, want READONLY (164)", err)
	}
	if err := sqlaccess.CheckSetting("allow_hyperscan", "1", f.countySession); !errors.As(err, &se) || se.Code != 164 {
		t.Errorf("allow_hyperscan = 1 as a setting of the run: %v, want READONLY (164)", err)
	}
	const other = "SELECT match(name, '机构$'), multiSearchAny(name, ['本县', 'x']), extract(name, '^(..)'), name REGEXP '^魏', countMatches(name, '机') FROM institutions FORMAT TSV"
	if _, err := f.county(other); err != nil {
		t.Fatalf("re2 and the plain searches: %v, want them allowed", err)
	}
	var out strings.Builder
	opt := f.countySession
	opt.Settings = sqlaccess.SessionSettings()
	if err := store.QueryFormatted(context.Background(), f.s, &out, other, opt); err != nil || out.String() != "1\t1\t魏都\t1\t1\n" {
		t.Errorf("re2 and the plain searches in a checked session: %q, %v", out.String(), err)
	}
}

// The city token reads its databases but still writes nothing anywhere
// and cancels nobody's queries.
func TestCityPolicy(t *testing.T) {
	f := setup(t)
	city := func(q string) error {
		_, err := sqlaccess.Check(context.Background(), f.s, f.cityPolicy, q, f.citySession)
		return err
	}
	for _, q := range []string{"SELECT count() FROM raw_pages", "SELECT * FROM " + f.otherCountyDB + ".institutions",
		"SELECT count() FROM system.processes", "SHOW DATABASES", "EXPLAIN SELECT 1", "SHOW CREATE TABLE institutions",
		"SHOW COLUMNS FROM institutions", "SHOW FULL COLUMNS IN institutions FROM " + f.main + " LIKE 'u%' FORMAT TSV", "SHOW COLUMNS FROM " + f.otherCountyDB + ".institutions"} {
		if err := city(q); err != nil {
			t.Errorf("city %q: %v", q, err)
		}
	}
	// The table is read from the engine's parse: FORMAT is not a table
	// (it was checked as reading "institutions.TSV").
	for _, c := range []struct{ q, format string }{
		{"SHOW CREATE TABLE institutions FORMAT TSV", "TSV"},
		{"SHOW CREATE TABLE " + f.otherCountyDB + ".institutions FORMAT TSV", "TSV"},
		{"EXISTS TABLE institutions FORMAT JSON", "JSON"},
	} {
		st, err := sqlaccess.Check(context.Background(), f.s, f.cityPolicy, c.q, f.citySession)
		want := sqlaccess.ShowOther
		if strings.HasPrefix(c.q, "EXISTS") {
			want = sqlaccess.Exists
		}
		if err != nil || st.Kind != want || st.Format != c.format {
			t.Errorf("city %q: %+v, %v; want SHOW in format %s", c.q, st, err, c.format)
		}
	}
	for _, q := range []string{"SELECT 1 INTO OUTFILE '/tmp/x'", "SELECT 1 INTO OUTFILE '/tmp/x' APPEND", "KILL QUERY WHERE 1",
		"INSERT INTO FUNCTION file('/tmp/x', 'TSV') SELECT 1", "SYSTEM SHUTDOWN", "SET readonly = 0", "INSERT INTO raw_pages VALUES ('a', 'b')",
		"SELECT * FROM file('/etc/passwd', 'LineAsString')", "SELECT * FROM url('http://127.0.0.1:1/', 'CSV')", "EXPLAIN SELECT 1 INTO OUTFILE '/tmp/x'",
		"SHOW TABLES INTO OUTFILE '/tmp/x'", "DESCRIBE raw_pages INTO OUTFILE '/tmp/x'", "BACKUP TABLE raw_pages TO File('/tmp/b')",
		// DESCRIBE of a query evaluates its scalar subqueries unaudited.
		"DESCRIBE (SELECT CAST(1, assumeNotNull((SELECT concat('Enum8(\\'', any(uscc), '\\' = 1)') FROM institutions))) AS x)",
		"DESCRIBE TABLE (SELECT 1)", "DESCRIBE numbers(3)",
		// A job's work table: a read would hold up the job's drop of it.
		"SELECT * FROM _stage_20261206_x", "SELECT * FROM " + f.main + "._stage_20261206_x",
		// Unqualified, without FORMAT, the name is checked too.
		"SHOW CREATE TABLE _stage_20261206_x", "EXISTS TABLE _stage_20261206_x", "SELECT 1 WHERE 'x' IN (SELECT uscc FROM _stage_20261206_x)",
		// SHOW COLUMNS names its table in the engine's writing of it.
		"SHOW COLUMNS FROM _stage_20261206_x", "SHOW COLUMNS FROM " + f.main + "._stage_20261206_x",
		"SHOW FULL COLUMNS IN `_stage_20261206_x` FROM " + f.main + " FORMAT TSV", "SHOW COLUMNS FROM raw_pages FROM no_such_db_of_the_policy",
		// SHOW's syntax tree shows no WHERE: an expression there ran
		// unchecked, a file's bytes or the host's name quoted in its error.
		"SHOW COLUMNS FROM institutions WHERE throwIf(field = 'uscc', (SELECT any(line) FROM file('/etc/passwd', 'LineAsString')))",
		"SHOW COLUMNS FROM institutions WHERE throwIf(field = 'uscc', hostName()) SETTINGS max_threads = 1",
		"SHOW FULL COLUMNS FROM institutions LIKE 'u%' WHERE throwIf(1, hostName())", "SHOW COLUMNS FROM institutions LIMIT 1",
		"SHOW TABLES WHERE throwIf(name = 'institutions', (SELECT any(line) FROM url('http://127.0.0.1:1/', 'LineAsString')))",
		"SHOW TABLES LIKE 'i%' LIMIT 1", "SHOW TABLES FROM " + f.main + " LIMIT 1", "SHOW TABLES FROM no_such_db_of_the_policy",
		"SHOW TABLES FROM " + f.main + " WHERE throwIf(1, hostName())", "SHOW DATABASES LIMIT 1"} {
		if err := city(q); err == nil {
			t.Errorf("city %q: allowed", q)
		}
	}
}

// The host's read-only policy reads the store's parameterized views, in
// its database or named with it, as any view; other table functions stay
// refused.
func TestHostPolicy(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if err := f.s.Exec(ctx, "CREATE VIEW v_on AS SELECT * FROM institutions WHERE county_code = {c:String}", nil); err != nil {
		t.Fatal(err)
	}
	host := sqlaccess.Host("v_on")
	session := store.FormatOptions{Database: f.main, TimeZone: "Asia/Shanghai"}
	for _, q := range []string{"SELECT name FROM v_on(c = '411081')", "SELECT count() FROM " + f.main + ".v_on(c = '411002')", "SELECT * FROM raw_pages"} {
		if _, err := sqlaccess.Check(ctx, f.s, host, q, session); err != nil {
			t.Errorf("host %q: %v", q, err)
		}
	}
	for _, q := range []string{"SELECT * FROM file('/etc/passwd', 'LineAsString')", "SELECT * FROM url('http://127.0.0.1:1/', 'CSV')",
		"SELECT * FROM v_other(c = '1')", "SELECT 1 INTO OUTFILE '/tmp/x'"} {
		if _, err := sqlaccess.Check(ctx, f.s, host, q, session); err == nil {
			t.Errorf("host %q: allowed", q)
		}
	}
}

// rewrite writes q again with the same meaning: keywords in another case,
// identifiers quoted, white space and comments between tokens. q's tokens
// are separated by single spaces; string literals hold none.
func rewrite(q string, r *rand.Rand) string {
	toks := strings.Split(q, " ")
	var b strings.Builder
	gaps := []string{" ", "  ", "\n", "\t", " /* x */ ", " -- FORMAT TSV SETTINGS\n", "/**/", " /* FROM " + "system.processes */ "}
	for i, tok := range toks {
		if i > 0 {
			b.WriteString(gaps[r.IntN(len(gaps))])
		}
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case keyword.MatchString(tok):
			b.WriteString(recase(tok, r))
		case identifier.MatchString(tok) && next != "(":
			parts := strings.Split(tok, ".")
			for j, p := range parts {
				if j > 0 {
					b.WriteString(".")
				}
				switch r.IntN(3) {
				case 0:
					b.WriteString(p)
				case 1:
					b.WriteString("`" + p + "`")
				case 2:
					b.WriteString(`"` + p + `"`)
				}
			}
		default:
			b.WriteString(tok)
		}
	}
	return b.String()
}

var (
	keyword    = regexp.MustCompile(`^(SELECT|FROM|WHERE|IN|AS|WITH|UNION|ALL|JOIN|USING|LIMIT|AND|OR|NOT|ORDER|BY|GROUP|DESCRIBE|TABLE|SHOW|TABLES)$`)
	identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)
)

func recase(kw string, r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return strings.ToLower(kw)
	case 1:
		return kw
	}
	b := []byte(strings.ToLower(kw))
	for i := range b {
		if r.IntN(2) == 0 {
			b[i] = b[i] - 'a' + 'A'
		}
	}
	return string(b)
}

// fuzzBases are statements, tokens separated by one space, with what the
// county policy decides for them. MAIN and OTHER stand for the main
// database and another county's.
var fuzzBases = []struct {
	q       string
	allowed bool
}{
	{"SELECT uscc , name FROM institutions WHERE county_code = '411002'", true},
	{"SELECT count ( ) FROM institutions AS i", true},
	{"WITH v AS ( SELECT uscc FROM institutions ) SELECT * FROM v", true},
	{"SELECT uscc FROM institutions WHERE uscc IN ( SELECT uscc FROM institutions ) LIMIT 5", true},
	{"SELECT name FROM system.settings LIMIT 1", true},
	{"SELECT number FROM numbers ( 3 ) AS n", true},
	{"DESCRIBE TABLE institutions", true},
	{"SELECT name FROM system.tables WHERE database = currentDatabase ( )", true}, // filtered to its database by the run
	{"SELECT name , type FROM system.columns AS c", true},
	{"SELECT uscc , name , county_code FROM MAIN.institutions WHERE county_code = toString ( 411081 )", false},
	{"SELECT * FROM MAIN.raw_pages", false},
	{"SELECT * FROM OTHER.institutions", false},
	{"WITH institutions AS ( SELECT * FROM MAIN.institutions ) SELECT * FROM institutions", false},
	{"SELECT uscc FROM institutions UNION ALL SELECT uscc FROM MAIN.institutions", false},
	{"SELECT uscc FROM institutions WHERE uscc IN MAIN.institutions", false},
	{"SELECT uscc FROM institutions AS a JOIN MAIN.institutions AS b USING uscc", false},
	{"SELECT * FROM system.processes", false},
	{"SELECT * FROM system.query_log", false},
	{"SELECT * FROM merge ( 'MAIN' , 'institutions' )", false},
	{"SELECT ( SELECT count ( ) FROM MAIN.raw_pages )", false},
	{"DESCRIBE TABLE MAIN.raw_pages", false},
	{"SHOW TABLES FROM MAIN", false},
}

func (f *scoped) base(i int) string {
	q := strings.ReplaceAll(fuzzBases[i].q, "MAIN", f.main)
	return strings.ReplaceAll(q, "OTHER", f.otherCountyDB)
}

// FuzzDecisionSurvivesRewrites: however a statement is written — comments,
// case, white space, quoting — the county policy decides the same.
func FuzzDecisionSurvivesRewrites(f *testing.F) {
	for i := range fuzzBases {
		f.Add(uint8(i), uint64(i)*7919)
		f.Add(uint8(i), uint64(i)*104729+1)
	}
	fx := setup(f)
	f.Fuzz(func(t *testing.T, which uint8, seed uint64) {
		i := int(which) % len(fuzzBases)
		q := rewrite(fx.base(i), rand.New(rand.NewPCG(seed, seed>>1)))
		_, err := fx.county(q)
		if fuzzBases[i].allowed && err != nil {
			t.Fatalf("allowed statement refused once rewritten:\n%s\n%v", q, err)
		}
		if !fuzzBases[i].allowed && err == nil {
			t.Fatalf("forbidden statement allowed once rewritten:\n%s", q)
		}
	})
}

// The bases decide as listed, written as they are.
func TestFuzzBases(t *testing.T) {
	f := setup(t)
	for i, b := range fuzzBases {
		_, err := f.county(f.base(i))
		if b.allowed != (err == nil) {
			t.Errorf("%q: allowed %v, err %v", f.base(i), b.allowed, err)
		}
		if !b.allowed && !isDenied(err) {
			t.Errorf("%q: refused by %v, want a refusal of the policy", f.base(i), err)
		}
	}
}

// A name is printed in the syntax tree as it is: one ending like the
// engine's "(children N)" is read, one holding a line break (or ending
// in "(children N" before the alias's ")") makes lines the tree cannot
// place, and is refused as such, not failed as the engine's fault.
func TestNamesThatBreakTheSyntaxTree(t *testing.T) {
	f := setup(t)
	for _, q := range []string{
		"SELECT uscc AS `x (children 5)` FROM institutions",
		"SELECT uscc AS `(alias y)` FROM institutions AS `t (children 2)`",
	} {
		if _, err := f.county(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	for _, q := range []string{
		"SELECT uscc AS `x (children 1` FROM institutions",
	} {
		if _, err := f.county(q); !isDenied(err) || !strings.Contains(err.Error(), "syntax tree cannot be read") {
			t.Errorf("%q: %v, want refused as a tree that cannot be read", q, err)
		}
	}
	// A name holding a line break is refused before any tree is read: a
	// balanced one wrote nodes the child counts accepted (the alias below
	// read as a Literal child of the real literal).
	for _, q := range []string{
		"SELECT uscc AS `等级\n(grade)` FROM institutions",
		"SELECT uscc AS `x)\n     Literal 1` FROM institutions",
		"SELECT * FROM institutions AS `t\r\n x`",
		"SELECT 1 AS `a) (children 1)\n     Literal 0 (alias z`, 2",
		"SELECT 1 AS `a) (children 1)\n     Function file (alias z`, 2",
		"SELECT 1 AS \"a\\n b\", 2",
		"SELECT 1 AS `tab\tname`",
	} {
		if _, err := f.county(q); !isDenied(err) || !strings.Contains(err.Error(), "line break or another control character") {
			t.Errorf("%q: %v, want refused as a name holding a line break", q, err)
		}
	}
	// Line breaks in strings, heredocs and backquotes inside strings are
	// no names.
	for _, q := range []string{
		"SELECT 'a\nb' AS x, $$c`d\ne$$ AS y, concat('`', '\\n') AS `z w`",
	} {
		if _, err := f.county(q); err != nil {
			t.Errorf("%q: %v, want it allowed", q, err)
		}
	}
}

// The analyzer evaluates scalar subqueries and constants while it
// resolves a statement (step 3), before the tables it resolved are
// checked, and an error there quoted what they read: the channel every
// expression that got past step 2 unseen leaked through. Its errors keep
// their code and words, without the values.
func TestAnalysisErrorsQuoteNoValues(t *testing.T) {
	f := setup(t)
	_, err := f.county("SELECT toUInt8(concat('魏都本县', '机构'))")
	if err == nil || !strings.Contains(err.Error(), "Code: 6.") || strings.Contains(err.Error(), "魏都本县机构") || !strings.Contains(err.Error(), "'…'") {
		t.Errorf("an analysis that failed on a value: %v; want its code, the value left out", err)
	}
}

// A scalar subquery whose value is an array or a tuple was rewritten by
// the analyzer into the engine's own __getScalar('hash'), a function no
// token may call, with the subquery gone from the query tree: every such
// statement was refused, for every policy. The checks keep the subquery
// in the tree, where its tables are checked and recorded as any other;
// __getScalar written by hand stays refused.
func TestArrayScalarSubqueries(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	host := sqlaccess.Host()
	hostSession := store.FormatOptions{Database: f.main, TimeZone: "Asia/Shanghai"}
	policies := map[string]struct {
		policy  sqlaccess.Policy
		session store.FormatOptions
		db      string
	}{"county": {f.countyPolicy, f.countySession, f.countyDB}, "city": {f.cityPolicy, f.citySession, f.main}, "host": {host, hostSession, f.main}}
	for _, c := range []struct {
		q     string
		reads string
	}{
		{"SELECT length((SELECT groupArray(number) FROM numbers(10)))", "numbers()|system.one"},
		{"WITH (SELECT groupArray(uscc) FROM institutions WHERE county_code = '411002') AS ds SELECT count() FROM institutions WHERE has(ds, uscc)", "DB.institutions"},
		{"SELECT (SELECT [1, 2])", "system.one"},
		{"SELECT (SELECT 1, 'a')", "system.one"},
		{"SELECT 1 FROM numbers(1) WHERE has((SELECT groupArray(uscc) FROM institutions), 'A1')", "numbers()|DB.institutions"},
	} {
		for name, p := range policies {
			st, err := sqlaccess.Check(ctx, f.s, p.policy, c.q, p.session)
			if err != nil {
				t.Errorf("%s %q: %v", name, c.q, err)
				continue
			}
			// The subquery's tables are in what the statement read.
			if want := strings.ReplaceAll(c.reads, "DB", p.db); strings.Join(st.Reads, "|") != want {
				t.Errorf("%s %q: reads %q, want %q", name, c.q, st.Reads, want)
			}
		}
	}
	for _, q := range []string{
		"SELECT __getScalar('x')",
		"SELECT length((SELECT groupArray(number) FROM numbers(2))), __getScalar('1_2')",
		"SELECT length((SELECT groupArray(name) FROM " + f.main + ".institutions))",
		"SELECT length((SELECT groupArray(name) FROM " + f.otherCountyDB + ".institutions))",
	} {
		if _, err := f.county(q); !isDenied(err) {
			t.Errorf("county %q: %v, want refused", q, err)
		}
	}
	for name, p := range policies {
		if _, err := sqlaccess.Check(ctx, f.s, p.policy, "SELECT __getScalar('x')", p.session); !isDenied(err) {
			t.Errorf("%s: __getScalar written by hand: %v, want refused", name, err)
		}
	}
}

// The refusal of WITH TOTALS says what ROLLUP's row is: its keys are
// empty (” and 0), not NULL (unless group_by_use_nulls).
func TestTotalsRefusalSaysWhatRollupGives(t *testing.T) {
	f := setup(t)
	_, err := f.county("SELECT county_code, count() FROM institutions GROUP BY county_code WITH TOTALS")
	var u *sqlaccess.Unsupported
	if !errors.As(err, &u) || strings.Contains(err.Error(), "NULL") || !strings.Contains(err.Error(), "WITH ROLLUP (its row of empty keys") {
		t.Errorf("WITH TOTALS: %v", err)
	}
	// What it says: ROLLUP's totals row has empty keys.
	var out strings.Builder
	if err := store.QueryFormatted(context.Background(), f.s, &out, "SELECT county_code, count() FROM institutions GROUP BY county_code WITH ROLLUP ORDER BY county_code FORMAT TSV", f.countySession); err != nil || !strings.HasPrefix(out.String(), "\t1\n") {
		t.Errorf("ROLLUP: %q, %v; want the totals row first, its key empty", out.String(), err)
	}
}

// levels writes n quantile levels, 0.01 apart.
func levels(n int) string {
	l := make([]string, n)
	for i := range l {
		l[i] = fmt.Sprintf("%.2f", float64(i+1)/100)
	}
	return strings.Join(l, ", ")
}

// An EXPLAIN's SELECT is checked as the same SELECT would be, step 3
// included: EXPLAIN PLAN, PIPELINE and ESTIMATE have the analyzer resolve
// it (evaluating its scalar subqueries, computing a table's ALIAS
// columns) and QUERY TREE prints what that evaluated. Step 3 used to be
// skipped for an EXPLAIN: what only the query tree shows (a function in
// an ALIAS column) was answered, its reads were not recorded, and the
// analyzer's errors quoted their values.
func TestExplainIsCheckedAsItsSelect(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if err := f.s.Exec(ctx, "CREATE TABLE explained_alias (x String, host String ALIAS hostName()) ENGINE = MergeTree ORDER BY x", nil); err != nil {
		t.Fatal(err)
	}
	city := func(q string) (sqlaccess.Statement, error) {
		return sqlaccess.Check(ctx, f.s, f.cityPolicy, q, f.citySession)
	}
	kinds := []string{"EXPLAIN ", "EXPLAIN PLAN actions = 1, header = 1 ", "EXPLAIN PIPELINE ", "EXPLAIN ESTIMATE ",
		"EXPLAIN QUERY TREE ", "EXPLAIN SYNTAX run_query_tree_passes = 1 ", "EXPLAIN AST "}
	for _, tt := range []struct {
		name, query string
		// refused: the SELECT's refusal names it; "" when it is allowed.
		refused string
		// secret must not be in a refusal.
		secret string
	}{
		{"a function only the query tree shows", "SELECT host FROM explained_alias", "function hostName", ""},
		{"an analysis that failed on a value", "SELECT toUInt8(concat('魏都本县', '机构'))", "Code: 6.", "魏都本县机构"},
		{"a scalar subquery's reads", "SELECT (SELECT count() FROM institutions) FROM numbers(1)", "", ""},
		{"a view's reads", "SELECT count() FROM " + f.countyDB + ".institutions", "", ""},
	} {
		want, wantErr := city(tt.query)
		if (wantErr == nil) != (tt.refused == "") || (wantErr != nil && !strings.Contains(wantErr.Error(), tt.refused)) {
			t.Fatalf("%s: the SELECT alone: %v, want refused naming %q", tt.name, wantErr, tt.refused)
		}
		for _, kind := range kinds {
			q := kind + tt.query
			st, err := city(q)
			switch {
			case tt.refused != "" && (err == nil || err.Error() != wantErr.Error()):
				t.Errorf("%s: %q: %v, want the SELECT's own refusal %q", tt.name, q, err, wantErr)
			case tt.secret != "" && err != nil && strings.Contains(err.Error(), tt.secret):
				t.Errorf("%s: %q: %v, want the quoted value left out", tt.name, q, err)
			case tt.refused == "" && err != nil:
				t.Errorf("%s: %q: %v, want it allowed", tt.name, q, err)
			case tt.refused == "" && (len(st.Reads) == 0 || strings.Join(st.Reads, "|") != strings.Join(want.Reads, "|")):
				t.Errorf("%s: %q: reads %q, want the SELECT's %q", tt.name, q, st.Reads, want.Reads)
			}
		}
	}
	// WITH TOTALS is refused for a SELECT because the engine cannot
	// stream its totals block; an EXPLAIN answers with its plan.
	if st, err := city("EXPLAIN SELECT county_code, count() FROM institutions GROUP BY county_code WITH TOTALS"); err != nil || st.Kind != sqlaccess.Explain {
		t.Errorf("EXPLAIN of a SELECT WITH TOTALS: %+v, %v; want it allowed", st, err)
	}
}

// EXPLAIN's own options (EXPLAIN PLAN actions = 1) are allowed as
// ClickHouse documents them for each kind of EXPLAIN, with their values
// (0 or 1, a number of passes), and answered by the engine; any other
// setting there, an option of another kind or another value stays
// refused, and so does EXPLAIN for a county token.
func TestExplainOptions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for _, q := range []string{
		"EXPLAIN PLAN actions = 1 SELECT 1",
		"EXPLAIN actions = 1, header = 1, description = 0, indexes = 1, projections = 1, optimize = 0 SELECT uscc FROM institutions WHERE uscc = 'A1'",
		"EXPLAIN json = 1, description = 0 SELECT 1 UNION ALL SELECT 2 FORMAT TSVRaw",
		"EXPLAIN PLAN indexes = 1 SELECT count() FROM institutions WHERE uscc = 'A1' SETTINGS max_threads = 1",
		"explain plan actions = 0x1 select 1",
		"EXPLAIN PIPELINE header = 1, graph = 1, compact = 0 SELECT sum(number) FROM numbers(10)",
		"EXPLAIN AST graph = 1 SELECT 1",
		"EXPLAIN SYNTAX oneline = 1, run_query_tree_passes = 1, query_tree_passes = 2 SELECT count() FROM institutions",
		"EXPLAIN QUERY TREE run_passes = 1, dump_passes = 1, passes = 3, dump_tree = 1, dump_ast = 1 SELECT 1",
		"WITH 1 AS x SELECT x",
		"SELECT 1 FORMAT TSV SETTINGS max_threads = 1",
	} {
		if !strings.HasPrefix(strings.ToUpper(q), "EXPLAIN") {
			q = "EXPLAIN header = 1 " + q
		}
		st, err := sqlaccess.Check(ctx, f.s, f.cityPolicy, q, f.citySession)
		if err != nil {
			t.Errorf("city %q: %v, want it allowed", q, err)
			continue
		}
		// The engine answers it as checked (the endpoint runs it so).
		opt := f.citySession
		opt.Settings = sqlaccess.SessionSettings()
		opt.StatementSettings = len(st.Settings) > 0
		if err := store.QueryFormatted(ctx, f.s, io.Discard, q, opt); err != nil {
			t.Errorf("city %q: the engine: %v", q, err)
		}
	}
	for q, want := range map[string]string{
		"EXPLAIN PLAN max_threads = 1 SELECT 1":                                      "max_threads in the options of EXPLAIN",
		"EXPLAIN PLAN readonly = 0 SELECT 1":                                         "readonly in the options of EXPLAIN",
		"EXPLAIN AST optimize = 1 SELECT 1":                                          "optimize in the options of EXPLAIN AST",
		"EXPLAIN PIPELINE actions = 1 SELECT 1":                                      "actions in the options of EXPLAIN PIPELINE",
		"EXPLAIN ESTIMATE header = 1 SELECT 1":                                       "header in the options of EXPLAIN ESTIMATE (it takes no options)",
		"EXPLAIN PLAN actions = 2 SELECT 1":                                          "actions = 2 in the options of EXPLAIN (it takes 0 or 1)",
		"EXPLAIN PLAN actions = 'x' SELECT 1":                                        "actions = 'x'",
		"EXPLAIN PLAN actions = true SELECT 1":                                       "actions = true",
		"EXPLAIN QUERY TREE passes = -1 SELECT 1":                                    "passes = -1",
		"EXPLAIN PLAN actions = 1, max_threads = 1 SELECT 1":                         "max_threads in the options",
		"EXPLAIN PLAN actions = 1 SELECT * FROM " + f.main + ".raw_pages WHERE 0":    "",
		"EXPLAIN PLAN actions = 1 SELECT * FROM _stage_20261206_x":                   "a work table",
		"EXPLAIN PLAN actions = 1 SELECT * FROM file('/etc/passwd', 'LineAsString')": "table function file",
		"EXPLAIN PLAN actions = 1 SELECT 1 INTO OUTFILE '/tmp/x'":                    "INTO OUTFILE",
	} {
		_, err := sqlaccess.Check(ctx, f.s, f.cityPolicy, q, f.citySession)
		if want == "" {
			if err != nil {
				t.Errorf("city %q: %v, want it allowed", q, err)
			}
			continue
		}
		if !isDenied(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("city %q: %v, want a refusal naming %q", q, err, want)
		}
	}
	// A county token explains nothing, with options or without.
	for _, q := range []string{"EXPLAIN SELECT 1", "EXPLAIN PLAN actions = 1 SELECT 1", "EXPLAIN PIPELINE header = 1 SELECT count() FROM institutions"} {
		if _, err := f.county(q); !isDenied(err) || !strings.Contains(err.Error(), "EXPLAIN is not allowed") {
			t.Errorf("county %q: %v, want EXPLAIN refused", q, err)
		}
	}
}
