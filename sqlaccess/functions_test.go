package sqlaccess_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
)

// Every function of the two trees is one the engine's catalog lists, found
// as the engine finds it — aggregate functions with their combinators,
// names in any case the engine takes in any case — or one the trees are
// known to name (a lambda, EXISTS, GROUPING). What an analyst writes is
// allowed.
func TestFunctionsTheEngineRuns(t *testing.T) {
	f := setup(t)
	for _, q := range []string{
		// Aggregate functions with combinators, one or several.
		"SELECT sumIf(length(name), uscc != ''), countIf(uscc = 'A1'), uniqArrayIf([uscc], 1), avgOrNullIf(length(uscc), 1), sumForEach([1, 2]) FROM institutions",
		"SELECT groupArrayResample(0, 10, 1)(uscc, length(uscc)), argMaxState(name, uscc), sumIfOrNull(1, 1), sumOrDefault(1), minOrNull(uscc) FROM institutions",
		"SELECT quantilesStateMerge(0.5)(s), sumMerge(t) FROM (SELECT quantilesState(0.5)(length(uscc)) AS s, sumState(1) AS t FROM institutions)",
		"SELECT uniqCombinedIfMergeIf(s, 1) FROM (SELECT uniqCombinedIfState(uscc, 1) AS s FROM institutions)",
		// countDistinct is count with Distinct, in any case of count.
		"SELECT countDistinct(uscc), count(DISTINCT uscc), COUNT(DISTINCT name), countIfDistinct(uscc, 1), sum(DISTINCT length(uscc)) FROM institutions",
		"SELECT count() FILTER (WHERE uscc = 'A1'), sum(length(name)) FILTER (WHERE 1) FROM institutions",
		// Parametric aggregate functions.
		"SELECT quantile(0.5)(length(name)), quantiles(0.1, 0.9)(length(name)), topK(3)(uscc), histogram(2)(length(name)) FROM institutions",
		// Case: the engine finds these in any case.
		"SELECT SUM(length(name)), Count(), AVG(1), CAST(1 AS String), cast(1, 'String'), LOWER(any(name)), IFNULL(NULL, 1) FROM institutions",
		// Window functions.
		"SELECT row_number() OVER (ORDER BY uscc), rank() OVER (ORDER BY uscc), lagInFrame(uscc) OVER (ORDER BY uscc), sum(1) OVER (PARTITION BY county_code), countDistinct(uscc) OVER (PARTITION BY county_code) FROM institutions",
		// Lambdas: as arguments, and named by WITH.
		"SELECT arrayMap(x -> x + 1, [1, 2]), arrayFilter((x, y) -> x > y, [1, 2], [2, 1]), arraySort(x -> -x, [1, 2])",
		"WITH x -> concat(x, '!') AS shout SELECT shout(name), arrayMap(y -> shout(y), [uscc]) FROM institutions",
		// CAST in each of its forms, IN in each of its.
		"SELECT CAST(uscc AS Nullable(String)), uscc::String, CAST(uscc, 'String'), accurateCastOrNull(1, 'UInt8'), toString(1) FROM institutions",
		"SELECT uscc IN ('A1', 'B1'), uscc NOT IN (SELECT uscc FROM institutions), uscc GLOBAL IN ('A1'), (uscc, name) IN (('A1', 'x')), uscc IN tuple('A1') FROM institutions",
		// What the parser writes as functions of its own.
		"SELECT EXISTS (SELECT 1 FROM institutions), NOT EXISTS (SELECT 1), untuple((1, 'a')), (1, 2).1, [1, 2][1], -length(uscc) FROM institutions",
		"SELECT county_code, grouping(county_code), count() FROM institutions GROUP BY county_code WITH ROLLUP",
		"SELECT county_code, GROUPING(county_code) FROM institutions GROUP BY GROUPING SETS ((county_code), ())",
		"SELECT CASE county_code WHEN '411002' THEN 1 ELSE 2 END, CASE WHEN uscc = 'A1' THEN 'a' END, uscc BETWEEN 'A' AND 'B', name LIKE '%机构', name NOT ILIKE 'x' FROM institutions",
		"SELECT EXTRACT(DAY FROM today()), today() + INTERVAL 1 DAY, SUBSTRING(name FROM 1 FOR 2), TRIM(BOTH ' ' FROM name), POSITION('机' IN name), DATE '2026-01-01' FROM institutions",
		"SELECT uscc FROM institutions AS a WHERE EXISTS (SELECT 1 FROM institutions AS b WHERE b.uscc = a.uscc)",
	} {
		if _, err := f.county(q); err != nil {
			t.Errorf("%q: %v, want it allowed", q, err)
		}
	}
	// aggregate_functions_null_for_empty (a token's to set) makes the
	// query tree's aggregate functions sumOrNull and the like.
	session := f.countySession
	session.Settings = []store.Setting{{Name: "aggregate_functions_null_for_empty", Value: "1"}}
	q := "SELECT sum(length(name)), sumIf(1, 1), avg(1), argMax(uscc, name) FROM institutions"
	if _, err := sqlaccess.Check(context.Background(), f.s, f.countyPolicy, q, session); err != nil {
		t.Errorf("%q with aggregate_functions_null_for_empty: %v", q, err)
	}
}

// A function name the catalog does not list — made up, a combinator that
// is none or is the engine's own, a combinator on a function that takes
// none, a case the engine does not take, a table function outside FROM —
// is refused in step 2, before anything is evaluated: it used to pass the
// syntax tree's check ("the engine says") and reach the analyzer. The
// refusal says so, and is answered as a server answers a function it
// does not have (UNKNOWN_FUNCTION).
func TestFunctionsTheEngineDoesNotListAreRefused(t *testing.T) {
	f := setup(t)
	for q, name := range map[string]string{
		"SELECT nosuchfunction(1)":                            "nosuchfunction",
		"SELECT sumFoo(length(name)) FROM institutions":       "sumFoo",
		"SELECT sumNull(length(name)) FROM institutions":      "sumNull",
		"SELECT plusIf(1, 1)":                                 "plusIf",
		"SELECT sumif(1, 1)":                                  "sumif",
		"SELECT TOSTRING(1)":                                  "TOSTRING",
		"SELECT uscc IN numbers(3) FROM institutions":         "numbers",
		"SELECT arrayMap(x -> nosuch(x), [1])":                "nosuch",
		"SELECT (SELECT uniqFoo(uscc) FROM institutions)":     "uniqFoo",
		"WITH x -> x AS f SELECT arrayMap(y -> g(y), [1])":    "g",
		"EXPLAIN SELECT nosuchfunction(1)":                    "nosuchfunction",
		"SELECT count() FROM institutions WHERE madeUp(uscc)": "madeUp",
	} {
		_, err := sqlaccess.Parse(context.Background(), f.s, f.cityPolicy, q, f.citySession)
		if !isDenied(err) || !strings.Contains(err.Error(), "function "+name+" (it is not one the engine lists)") {
			t.Errorf("%q: %v, want it refused before anything runs, naming %s as a function the engine does not list", q, err, name)
		}
	}
}

// A function defined on the host (CREATE FUNCTION; a read-only token
// cannot create one) is the host's, not the engine's: its body is not in
// the syntax tree checked, and the analyzer evaluates it while it
// resolves the statement. The catalog lists it; it is refused.
func TestFunctionsDefinedOnTheHostAreRefused(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	// Functions are the engine's, not a database's: named after the
	// test's own database, and dropped.
	udf := "udf_" + f.main
	if err := f.s.Exec(ctx, "CREATE FUNCTION "+udf+" AS (x) -> x * 2", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.s.Exec(ctx, "DROP FUNCTION IF EXISTS "+udf, nil) })
	for _, q := range []string{
		"SELECT " + udf + "(1)",
		"SELECT arrayMap(x -> " + udf + "(x), [1])",
		// Named by a lambda of the statement too: a call outside the
		// lambda's scope is the host's function.
		"SELECT " + udf + "(1) FROM (WITH x -> x AS " + udf + " SELECT 1)",
	} {
		_, err := f.county(q)
		if !isDenied(err) || !strings.Contains(err.Error(), "function "+udf+" (defined on the host") {
			t.Errorf("%q: %v, want it refused as the host's function", q, err)
		}
	}
}

// countingStore counts the reads of the engine's catalog of functions.
type countingStore struct {
	store.Store
	catalogReads atomic.Int32
}

func (c *countingStore) Query(ctx context.Context, query string, params store.Params) (store.Rows, error) {
	if strings.Contains(query, "system.functions") || strings.Contains(query, "system.aggregate_function_combinators") {
		c.catalogReads.Add(1)
	}
	return c.Store.Query(ctx, query, params)
}

func (c *countingStore) QueryFormatted(ctx context.Context, w io.Writer, query string, opt store.FormatOptions) error {
	return store.QueryFormatted(ctx, c.Store, w, query, opt)
}

// The catalog (its functions and combinators) is read once per store, not
// once per statement.
func TestTheCatalogIsReadOnce(t *testing.T) {
	f := setup(t)
	s := &countingStore{Store: f.s}
	for i, q := range []string{
		"SELECT sumIf(1, 1) FROM institutions",
		"SELECT countDistinct(uscc) FROM institutions",
		"SELECT nosuchfunction(1)",
		"SELECT arrayMap(x -> x + 1, [1])",
		"SELECT quantile(0.5)(length(name)) FROM institutions",
	} {
		_, _ = sqlaccess.Check(context.Background(), s, f.countyPolicy, q, f.countySession)
		if n := s.catalogReads.Load(); n != 2 {
			t.Fatalf("after %d statements: %d reads of the catalog, want 2 (its functions and its combinators, once)", i+1, n)
		}
	}
}

// BenchmarkCheck measures a whole check (three engine round trips, the
// catalog read once) of a statement of many functions.
func BenchmarkCheck(b *testing.B) {
	f := setup(b)
	q := "SELECT county_code, sumIf(length(name), uscc != ''), countDistinct(uscc), quantile(0.5)(length(name)), arrayMap(x -> x + 1, [1, 2]), " +
		"toString(CAST(1 AS UInt8)), uniqArrayIf([uscc], 1), avgOrNullIf(length(uscc), 1) FROM institutions GROUP BY county_code"
	for b.Loop() {
		if _, err := f.county(q); err != nil {
			b.Fatal(err)
		}
	}
}
