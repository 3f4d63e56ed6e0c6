package sqlaccess

import (
	"errors"
	"strings"
	"testing"
)

// testCatalog is a part of the engine's catalog, as its lists give it.
func testCatalog() *functionCatalog {
	return newCatalog([]listedFunction{
		{name: "sum", aliasTo: "sum", aggregate: true, caseInsensitive: true, system: true},
		{name: "count", aliasTo: "count", aggregate: true, caseInsensitive: true, system: true},
		{name: "quantiles", aliasTo: "quantiles", aggregate: true, system: true},
		{name: "groupArray", aliasTo: "groupArray", aggregate: true, system: true},
		{name: "array_concat_agg", aliasTo: "groupArrayArray", aggregate: true, caseInsensitive: true, system: true},
		{name: "plus", aliasTo: "plus", system: true, categories: "Arithmetic"},
		{name: "toString", aliasTo: "toString", system: true},
		{name: "hostName", aliasTo: "hostName", system: true},
		{name: "hostname", aliasTo: "hostName", system: true},
		{name: "CAST", aliasTo: "CAST", caseInsensitive: true, system: true},
		{name: "editDistance", aliasTo: "editDistance", system: true},
		{name: "levenshteinDistance", aliasTo: "editDistance", caseInsensitive: true, system: true},
		{name: "greatCircleDistance", aliasTo: "greatCircleDistance", system: true, categories: "Geo"},
		{name: "double", aliasTo: "double", system: false},
	}, []combinator{{"If", false}, {"Null", true}, {"OrNull", false}, {"Array", false}, {"State", false},
		{"Merge", false}, {"Distinct", false}, {"ForEach", false}})
}

// A name resolves to the function the engine runs for it, as the engine
// finds it, or to none.
func TestResolveAsTheEngine(t *testing.T) {
	c := testCatalog()
	for _, tt := range []struct {
		name, resolves string // "" when the engine finds no function
	}{
		{"sum", "sum"}, {"SUM", "sum"}, {"Count", "count"}, {"cast", "cast"}, {"toString", "tostring"},
		// Not case-insensitive: written in another case, no function.
		{"TOSTRING", ""}, {"tostring", ""},
		// An alias is the function it stands for.
		{"levenshteinDistance", "editdistance"}, {"LEVENSHTEINDISTANCE", "editdistance"}, {"hostname", "hostname"},
		// Combinators, taken off the end one by one, longest first.
		{"sumIf", "sum"}, {"sumOrNull", "sum"}, {"sumIfOrNull", "sum"}, {"sumOrNullIf", "sum"}, {"quantilesStateMerge", "quantiles"},
		{"countDistinct", "count"}, {"COUNTDistinct", "count"}, {"countIfDistinct", "count"}, {"sumForEach", "sum"},
		{"groupArrayArray", "grouparray"}, {"array_concat_agg", "grouparrayarray"},
		// Combinators are suffixes as listed: sumif is no function.
		{"sumif", ""}, {"sumIF", ""},
		// Null is the engine's own; Foo no combinator; plus takes none;
		// a combinator alone is no function.
		{"sumNull", ""}, {"sumIfNull", ""}, {"sumFoo", ""}, {"plusIf", ""}, {"If", ""}, {"Distinct", ""}, {"nosuch", ""},
		// A function defined on the host is not the engine's.
		{"double", ""}, {"doubleIf", ""},
	} {
		f, ok := c.resolve(tt.name)
		if ok != (tt.resolves != "") || f.canonical != tt.resolves {
			t.Errorf("resolve(%q) = %q, %v; want %q", tt.name, f.canonical, ok, tt.resolves)
		}
	}
}

// queryTree is a query tree as EXPLAIN QUERY TREE prints it, with one
// function.
func queryTree(function, kind string) string {
	return "QUERY id: 0\n" +
		"  PROJECTION COLUMNS\n" +
		"    x UInt8\n" +
		"  PROJECTION\n" +
		"    LIST id: 1, nodes: 1\n" +
		"      FUNCTION id: 2, function_name: " + function + ", function_type: " + kind + ", result_type: UInt8\n" +
		"  JOIN TREE\n" +
		"    TABLE id: 3, alias: __table1, table_name: system.one\n"
}

// The query tree's functions are checked as the syntax tree's: a name the
// catalog does not list is refused there too — whatever put it in the
// query tree alone (the analyzer's rewriting, a body substituted for a
// name) — and the analyzer's own names are known.
func TestQueryTreeFunctionsTheCatalogDoesNotList(t *testing.T) {
	p := County("411002", "db")
	c := testCatalog()
	for _, fn := range []string{"sumOrNullIf", "groupingForRollup", "groupingOrdinary", "groupingForCube", "groupingForGroupingSets", "exists", "CAST"} {
		if reads, _, err := p.readQueryTree(queryTree(fn, "ordinary"), c); err != nil || strings.Join(reads, ",") != "system.one" {
			t.Errorf("%s: %v, %v; want it read", fn, reads, err)
		}
	}
	for _, tt := range []struct {
		function, want string
		unknown        bool // answered as UNKNOWN_FUNCTION
	}{
		{"madeUp", "function madeUp (it is not one the engine lists)", true},
		{"sumFoo", "function sumFoo (it is not one the engine lists)", true},
		{"grouping", "function grouping (it is not one the engine lists)", true}, // the parser's name, not the analyzer's
		{"lambda", "function lambda (it is not one the engine lists)", true},
		{"double", "function double (defined on the host", false},
	} {
		_, _, err := p.readQueryTree(queryTree(tt.function, "ordinary"), c)
		var d *Denied
		if !errors.As(err, &d) || !strings.Contains(err.Error(), tt.want) || d.UnknownFunction != tt.unknown {
			t.Errorf("%s: %v, want %q", tt.function, err, tt.want)
		}
	}
}
