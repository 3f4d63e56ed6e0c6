package sqlaccess

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Every function the two trees name must be one the engine's catalog
// knows, found as the engine finds it. A name the checks did not know
// used to be let through ("a lambda's or a column's name: the engine
// says"), and each way an alias, a line break or a tuple element's name
// made a tree line read as a name no check knew — "arrayReduce (alias q",
// a Literal line, "function_name: plus" — was a way past the checks. A
// name that is nothing the engine runs is now refused however it came to
// be read, and so is one the engine runs but this package cannot resolve
// as it does.

// functionCatalog is the engine's catalog of functions (system.functions)
// and of the combinators of aggregate functions
// (system.aggregate_function_combinators).
type functionCatalog struct {
	// byName holds the engine's own functions by the name it lists,
	// aliases included.
	byName map[string]catalogFunction
	// anyCase holds, by lower-case name, those the engine also finds in
	// another case (SUM, Count, cast).
	anyCase map[string]catalogFunction
	// userDefined are the names of functions that are not the engine's
	// own: see checkFunction.
	userDefined map[string]bool
	// combinators, longest first: the engine takes the first its list
	// (sorted so) finds at the end of a name, OrNull before Null.
	combinators []combinator
}

type catalogFunction struct {
	canonical  string   // lower-case name of the function an alias stands for
	aggregate  bool     // an aggregate function (combinators apply to it)
	categories []string // as system.functions lists them
}

type combinator struct {
	suffix   string
	internal bool // the engine's own (Null): written by a query, the engine refuses it
}

// listedFunction is a row of system.functions (sql/queries/sqlaccess/functions.sql).
type listedFunction struct {
	name, aliasTo                      string
	aggregate, caseInsensitive, system bool
	categories                         string
}

// newCatalog builds the catalog from the engine's lists.
func newCatalog(functions []listedFunction, combinators []combinator) *functionCatalog {
	c := &functionCatalog{byName: map[string]catalogFunction{}, anyCase: map[string]catalogFunction{}, userDefined: map[string]bool{},
		combinators: slices.SortedStableFunc(slices.Values(combinators), func(a, b combinator) int { return cmp.Compare(len(b.suffix), len(a.suffix)) })}
	// Categories by name, and lower-cased for an alias_to written in
	// another case than the function's own name (connection_id is
	// connectionID).
	categories, lower := map[string]string{}, map[string]string{}
	for _, f := range functions {
		if f.name == f.aliasTo {
			categories[f.name], lower[strings.ToLower(f.name)] = f.categories, f.categories
		}
	}
	for _, f := range functions {
		if !f.system {
			c.userDefined[f.name] = true
			continue
		}
		cf := catalogFunction{canonical: strings.ToLower(f.aliasTo), aggregate: f.aggregate}
		// An alias has the categories of the function it stands for.
		cats, ok := categories[f.aliasTo]
		if !ok {
			cats, ok = lower[strings.ToLower(f.aliasTo)]
		}
		if !ok {
			cats = f.categories
		}
		for _, cat := range strings.Split(cats, ",") {
			if cat = strings.TrimSpace(cat); cat != "" {
				cf.categories = append(cf.categories, cat)
			}
		}
		c.byName[f.name] = cf
		if f.caseInsensitive {
			c.anyCase[strings.ToLower(f.name)] = cf
		}
	}
	return c
}

// lookup finds a name as the engine's factories do: as listed, then, for
// a function the engine finds in any case, lower-cased. A function that
// is not case-insensitive written in another case (TOSTRING) is not that
// function: the engine does not run it either.
func (c *functionCatalog) lookup(name string) (catalogFunction, bool) {
	if f, ok := c.byName[name]; ok {
		return f, true
	}
	f, ok := c.anyCase[strings.ToLower(name)]
	return f, ok
}

// resolve finds the function the engine runs for name, as the engine
// does: the name itself (lookup), else an aggregate function with
// combinators — the longest combinator the name ends with (case as
// listed) taken off, again, until what remains is an aggregate function
// (sumIf, uniqArrayIf, quantilesStateMerge, avgOrNullIf, sumForEach,
// countDistinct: count with Distinct). It returns the function that
// remains, whose checks (costly, categories) decide. ok is false when
// the engine would find no function either, or a combinator of its own
// (Null) is written.
func (c *functionCatalog) resolve(name string) (catalogFunction, bool) {
	if f, ok := c.lookup(name); ok {
		return f, true
	}
	rest := name
	for {
		i := slices.IndexFunc(c.combinators, func(k combinator) bool { return strings.HasSuffix(rest, k.suffix) })
		if i < 0 || c.combinators[i].internal || len(rest) == len(c.combinators[i].suffix) {
			return catalogFunction{}, false
		}
		rest = rest[:len(rest)-len(c.combinators[i].suffix)]
		// Only an aggregate function takes a combinator: plusIf is no
		// function, and the engine goes on taking suffixes off a name
		// it does not find as an aggregate function.
		if f, ok := c.lookup(rest); ok && f.aggregate {
			return f, true
		}
	}
}

// catalogs holds each store's catalog: the engine's functions do not
// change while it runs (a function created later is not in it, and is
// refused as unknown).
var catalogs sync.Map // store.Store → *functionCatalog

// catalogOf reads the engine's catalog of functions once per store.
func catalogOf(ctx context.Context, s store.Store) (*functionCatalog, error) {
	if c, ok := catalogs.Load(s); ok {
		return c.(*functionCatalog), nil
	}
	t := sql.Target{Cluster: s.Cluster()}
	var functions []listedFunction
	err := scanAll(ctx, s, sql.MustQuery(t, "sqlaccess/functions"), func(rows store.Rows) error {
		var f listedFunction
		err := rows.Scan(&f.name, &f.aliasTo, &f.aggregate, &f.caseInsensitive, &f.system, &f.categories)
		functions = append(functions, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var combinators []combinator
	err = scanAll(ctx, s, sql.MustQuery(t, "sqlaccess/aggregate_function_combinators"), func(rows store.Rows) error {
		var k combinator
		err := rows.Scan(&k.suffix, &k.internal)
		combinators = append(combinators, k)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list aggregate function combinators: %w", err)
	}
	c, _ := catalogs.LoadOrStore(s, newCatalog(functions, combinators))
	return c.(*functionCatalog), nil
}

// scanAll calls scan for every row of query.
func scanAll(ctx context.Context, s store.Store, query string, scan func(store.Rows) error) error {
	rows, err := s.Query(ctx, query, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
