// Package sqlaccess decides whether a token may run a statement. The
// decision is made on what the engine itself reads in the statement, never
// on patterns over its text:
//
//  1. the engine parses the text as one statement (formatQuery, with the
//     text bound as a parameter, so it cannot be anything but a value):
//     several statements are refused before anything runs;
//  2. the engine's syntax tree (EXPLAIN AST of exactly that text, which
//     runs nothing) gives the kind of statement, its output clauses and
//     every table, table function and function it names; INTO OUTFILE,
//     names outside the policy's databases, table functions off the
//     allow-list, functions the engine's catalog does not list (found
//     as the engine finds them: catalog.go) and functions that read by
//     name (dictionaries, files, Join tables) are refused here, before
//     anything is evaluated;
//  3. the analyzer's query tree (EXPLAIN QUERY TREE) gives every table the
//     statement resolves to, views and CTEs included, as database.table;
//     each must be on the policy's allow-list, and each function it
//     resolved to must be one the catalog lists, as in step 2.
//
// A statement runs only when all three agree; anything not proven allowed
// is refused with an error naming it. Comments, quoting, case, white space
// and aliases cannot change the outcome, since they do not survive the
// engine's parse.
package sqlaccess

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuchang-hrss/creditsync/store"
)

// Kind is the kind of a statement, from the root of its syntax tree.
type Kind string

// The kinds a policy can allow.
const (
	Select        Kind = "SELECT"
	Describe      Kind = "DESCRIBE"
	ShowTables    Kind = "SHOW TABLES"
	ShowDatabases Kind = "SHOW DATABASES"
	ShowOther     Kind = "SHOW" // SHOW CREATE, SHOW COLUMNS, SHOW PROCESSLIST
	// Exists is EXISTS TABLE, VIEW or DATABASE: whether a name the token
	// may see names something (Statement.ExistsDatabase).
	Exists    Kind = "EXISTS"
	Explain   Kind = "EXPLAIN"
	KillQuery Kind = "KILL QUERY"
)

// Statement is what the engine found in an allowed statement.
type Statement struct {
	Kind Kind
	// Text is the text to run: the statement as sent, which Parse proved
	// the engine reads as the statement every step checked, its writing
	// back (sameReading). Run as written back, answers changed: the
	// writing drops the quotes of `true`, `nan`, `NOT` and a few more
	// names, and grows a statement past max_query_size.
	Text string
	// Format is the FORMAT clause's format, "" when there is none.
	Format string
	// KillQueryID is the query a KILL QUERY names (its only allowed form
	// is KILL QUERY WHERE query_id = '…').
	KillQueryID string
	// KillMode is how a KILL QUERY answers, as ClickHouse's does: ASYNC
	// (the default) cancels the query and answers at once, SYNC answers
	// once the query has ended, TEST cancels nothing.
	KillMode KillMode
	// Settings are those of the statement's SETTINGS clauses, all allowed:
	// run it with FormatOptions.StatementSettings.
	Settings []Setting
	// Like is the filter of SHOW DATABASES LIKE '…', nil when none.
	Like *Like
	// Database is the database SHOW TABLES FROM names, or the one EXISTS
	// DATABASE asks about (ExistsDatabase); "" for the session's.
	Database string
	// ExistsDatabase marks EXISTS DATABASE: the caller answers it for the
	// databases the policy sees (Policy.Databases), 0 for any other, as
	// for one that does not exist — whether another county's database
	// exists is not the token's to learn. Statement.Text asks the engine
	// about every database.
	ExistsDatabase bool
	// Reads are the tables and table functions a SELECT reads, as the
	// analyzer resolved them (database.table, views and CTEs resolved to
	// what they read), sorted: what an audit records of what a statement
	// read, whatever its text.
	Reads []string
}

// KillMode is the mode of a KILL QUERY.
type KillMode string

// The modes of KILL QUERY.
const (
	KillAsync KillMode = "ASYNC"
	KillSync  KillMode = "SYNC"
	KillTest  KillMode = "TEST"
)

// Like is a LIKE filter: Op is LIKE, ILIKE, NOT LIKE or NOT ILIKE.
type Like struct{ Op, Pattern string }

// Policy says what a token may read.
type Policy struct {
	// Name says whose policy it is, in refusals ("county 411002").
	Name string
	// Databases whose every table and view may be read. The session's
	// database (FormatOptions.Database) must be one of them.
	Databases []string
	// SystemTables of the system database that may be read: they describe
	// the engine, not the data, and drivers read some when they connect.
	SystemTables []string
	// Catalog lets the policy read system.databases, system.tables and
	// system.columns as a ClickHouse server shows them to a user granted
	// only its databases: the engine drops every row about another
	// database (CatalogFilter, which the run must set). Schema browsers
	// (DBeaver, Grafana's query builder) read them.
	Catalog bool
	// ParameterizedViews are views called like table functions
	// (v_grades_on(day = …)) that may be read in the policy's databases.
	ParameterizedViews []string
	// AnyDatabase lets the policy read every database (the host's own
	// read-only sql command); Databases is then ignored.
	AnyDatabase bool
	// Kinds of statement allowed.
	Kinds []Kind
}

// Denied is a refusal: what is not allowed, and why.
type Denied struct {
	Policy string
	What   string
	// UnknownFunction: what is refused is a function the engine does not
	// list (checkFunction), which a ClickHouse server answers as
	// UNKNOWN_FUNCTION.
	UnknownFunction bool
}

func (d *Denied) Error() string { return d.What + " is not allowed for " + d.Policy }

// Unsupported is a statement or setting the engine cannot answer through
// a formatted stream (store.QueryFormatted): a totals or extremes block
// failed mid-answer with "No active streaming query", after the
// format's opening was written. What it is, and what to do instead.
type Unsupported struct {
	What, Instead string
}

func (u *Unsupported) Error() string {
	return u.What + " cannot be answered here (the embedded engine streams no totals or extremes block); " + u.Instead
}

var (
	errTotals   = &Unsupported{What: "GROUP BY … WITH TOTALS", Instead: "use WITH ROLLUP (its row of empty keys, '' and 0, is the totals), or a second query without GROUP BY"}
	errExtremes = &Unsupported{What: "the setting extremes", Instead: "select min() and max() of the columns in a query of their own"}
)

// EngineSystemTables describe the engine only (settings, functions,
// formats, types, zones); they hold no data and no other query's text.
var EngineSystemTables = []string{"one", "numbers", "numbers_mt", "zeros", "zeros_mt", "settings", "functions", "formats",
	"data_type_families", "table_functions", "time_zones", "build_options", "collations", "table_engines",
	"aggregate_function_combinators", "keywords", "contributors"}

// catalogTables describe databases, tables and columns, each with the
// column naming the database a row is about.
var catalogTables = map[string]string{"databases": "name", "tables": "database", "columns": "database"}

// CatalogTables are the system tables a policy with Catalog reads
// filtered.
func CatalogTables() []string { return slices.Sorted(maps.Keys(catalogTables)) }

// CatalogFilter is the value of the engine setting
// additional_table_filters that keeps, in the catalog tables, only the
// rows about the policy's databases; "" when the policy does not read
// them filtered (no Catalog, or every database). A token cannot change
// that setting (CheckSetting), so the filter holds whatever the query.
func (p Policy) CatalogFilter() string {
	if !p.Catalog || p.AnyDatabase {
		return ""
	}
	names := make([]string, len(p.Databases))
	for i, db := range p.Databases {
		names[i] = sqlString(db)
	}
	var entries []string
	for _, t := range CatalogTables() {
		cond := catalogTables[t] + " IN (" + strings.Join(names, ", ") + ")"
		entries = append(entries, sqlString("system."+t)+": "+sqlString(cond))
	}
	return "{" + strings.Join(entries, ", ") + "}"
}

// sqlString writes s as a ClickHouse string literal.
func sqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// readsSystem says whether the policy may read system table t.
func (p Policy) readsSystem(t string) bool {
	_, catalog := catalogTables[t]
	return slices.Contains(p.SystemTables, t) || (p.Catalog && catalog)
}

// tableFunctions generate values from their arguments and read nothing
// stored; every other table function (file, url, s3, remote, merge, view,
// cluster, input, executable, …) reaches beyond the tables a policy lists.
var tableFunctions = []string{"numbers", "numbers_mt", "zeros", "zeros_mt", "generateSeries", "generate_series", "values", "generateRandom"}

// readingFunctions (lower-case prefixes) read data named by a string
// argument rather than by a table the query resolves: dictionaries, Join
// tables, host files, models, server configuration, the schema of other
// tables. Functions whose names start with "__" are the engine's own.
var readingFunctions = []string{"dictget", "dicthas", "dictisin", "joinget", "file", "hascolumnintable", "catboost",
	"modelevaluate", "showcertificate", "getserversetting", "getmacro", "getclienthttpheader", "__",
	// The host itself: its name, kernel, uptime, the server's UUID.
	"hostname", "fqdn", "fullhostname", "getoskernelversion", "uptime", "serveruuid", "displayname",
	// Functions that parse their string as column declarations and
	// evaluate a DEFAULT there (structureToCapnProtoSchema,
	// structureToProtobufSchema): an expression the tree shows as a
	// string, file() in it quoted in the error.
	"structureto"}

// costlyFunctions (lower-case names, as the engine's catalog names a
// function after its aliases) cost per row more than the size of their
// arguments: a string distance is quadratic in its strings (two strings
// of 64 KiB took 40 s of one core), arrayFold in its array, base58 in
// its string. The engine
// checks max_execution_time, KILL QUERY and a query's priority only
// between blocks, so one call on one row of a block ran on for minutes
// past every limit, holding its slot and a core from the nightly run.
// Nothing of a credit list needs them at that size, and a size cannot be
// bounded by the policy: they are refused.
var costlyFunctions = []string{"arrayfold", "editdistance", "editdistanceutf8", "dameraulevenshteindistance",
	"jarosimilarity", "jarowinklersimilarity", "arraylevenshteindistance", "arraylevenshteindistanceweighted", "arraysimilarity",
	// Base58 is a division of the whole number the string is: 32 KB took
	// 6 s of one core, and the time grows with the square of the length.
	"base58encode", "base58decode", "trybase58decode",
	// hasAll and hasAny compare every element of one array with every
	// element of the other unless both hold plain integers (strings,
	// floats, tuples, arrays): measured on one row, one thread,
	// hasAll(60,000 strings, the same) 7.4 s of CPU (30,000: 1.8 s),
	// hasAny of two disjoint 60,000 14.5 s (30,000: 3.4 s), 30,000
	// tuples 1.8 s, 60,000 floats 0.75 s; the integers 0.06 s. Their
	// neighbours hash or search linearly and stay: at 480,000 strings
	// arrayIntersect took 0.15 s, arrayUnion 0.11 s,
	// arraySymmetricDifference 0.09 s, arrayExcept 0.27 s (120,000:
	// 0.09, 0.06, 0.08, 0.11), countEqual and indexOfAssumeSorted
	// 0.01–0.03 s, hasSubstr of a needle of 240,000 equal strings and one
	// other in 480,000 equal ones 0.01 s.
	"hasall", "hasany"}

// refusedCategories are categories of the engine's catalog
// (system.functions) refused whole: geometry (polygon operations are
// super-linear in their points, as costlyFunctions) and the functions
// that call a language model over the network.
var refusedCategories = []string{"Geo", "Geo Polygon", "AI"}

// Check decides whether query may run under p in the session opt describes
// (its database, parameters, time zone and limits; it must not be
// writable): Parse, then Analyze in the same session. It returns what the
// engine found in the statement, a *Denied for a refusal, or the engine's
// own error (a syntax error, an unknown table) for a statement that cannot
// run at all. A caller that bounds how many statements run at once calls
// the two steps itself, admitting the statement between them.
func Check(ctx context.Context, s store.Store, p Policy, query string, opt store.FormatOptions) (Statement, error) {
	parsed, err := Parse(ctx, s, p, query, opt)
	if err != nil {
		return Statement{}, err
	}
	return parsed.Analyze(ctx, s, opt)
}

// Parsed is a statement the engine parsed and the policy allows as
// written (steps 1 and 2): nothing of it has run. Only Analyze gives the
// Statement to run.
type Parsed struct {
	policy    Policy
	canonical string
	// analyzed is the SELECT step 3 resolves: the statement, or the
	// SELECT of an EXPLAIN.
	analyzed string
	st       Statement
}

// Kind is the kind of the parsed statement.
func (pa *Parsed) Kind() Kind { return pa.st.Kind }

// Statement is the statement as the engine wrote it back: comments and
// layout gone, so an audit of it shows what ran, however the text hid it.
func (pa *Parsed) Statement() string { return pa.canonical }

// StatementError is a refusal (or failure) of a statement the engine
// could parse: Statement is its writing by the engine, as
// Parsed.Statement.
type StatementError struct {
	Statement string
	Err       error
}

func (e *StatementError) Error() string { return e.Err.Error() }
func (e *StatementError) Unwrap() error { return e.Err }

// Parse does steps 1 and 2 of the decision, which run nothing: the
// engine parses the text (formatQuery, the text a bound value) and prints
// its syntax tree (EXPLAIN AST). Every name, table function, function and
// clause the policy does not allow is refused here, before anything is
// evaluated.
func Parse(ctx context.Context, s store.Store, p Policy, query string, opt store.FormatOptions) (_ *Parsed, err error) {
	if opt.Writable {
		return nil, errors.New("sqlaccess: a checked statement runs read-only")
	}
	if !p.AnyDatabase && (opt.Database == "" || !slices.Contains(p.Databases, opt.Database)) {
		return nil, &Denied{Policy: p.Name, What: fmt.Sprintf("a session in database %q", opt.Database)}
	}
	canonical, err := single(ctx, s, query, opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = &StatementError{Statement: canonical, Err: err}
		}
	}()
	if controlInName(canonical) {
		// EXPLAIN AST prints names as they are, one node a line: a name
		// holding a line break writes lines of its own, and balanced ones
		// (an alias "a) (children 1)\n Literal 0 (alias z") were read as
		// nodes of the tree. Refused before any tree is read.
		return nil, &Denied{Policy: p.Name, What: "a name or alias holding a line break or another control character (the engine prints names as they are, one node a line, and such a name writes lines of its own)"}
	}
	settings, clauses, err := clauseSettings(canonical)
	if err != nil {
		return nil, err
	}
	for _, st := range settings {
		if slices.Contains(silent, st.Name) {
			return nil, &SettingError{Code: 164, Msg: fmt.Sprintf("Code: 164. DB::Exception: Setting '%s' may not be changed in the statement's SETTINGS; give it as a URL parameter. (READONLY)", st.Name)}
		}
	}
	// Against the session the statement runs in: readonly = 2 there, the
	// clause applying (store.FormatOptions.StatementSettings). A setting
	// left unchanged stays in the clause: it sets what is in force.
	withClause := opt
	withClause.StatementSettings = true
	if _, err := CheckSettings(ctx, s, p, settings, withClause); err != nil {
		return nil, err
	}
	// The clause applies to the EXPLAINs too; readonly=2 lets it.
	opt.StatementSettings = clauses > 0
	// The canonical text, never the text as sent: EXPLAIN takes settings
	// of its own before the statement, so "EXPLAIN AST "+text sent as
	// "optimize = 1 FROM system.one SELECT final, (SELECT …)" read a
	// setting of the EXPLAIN and another statement than the one that
	// runs — and with optimize = 1 the engine evaluated the statement's
	// constants (file() too) before printing the tree. The canonical text
	// is the engine's own writing of the one statement step 1 parsed, and
	// begins with it.
	dump, err := explain(ctx, s, "EXPLAIN AST "+canonical, opt)
	if err != nil {
		return nil, err
	}
	root, err := parseAST(dump)
	if err != nil {
		// The engine prints a name as it is, line breaks included, so a
		// name can make lines the tree cannot place: refused, never read
		// by a guess.
		return nil, &Denied{Policy: p.Name, What: fmt.Sprintf("a statement whose syntax tree cannot be read (%v: a name or alias holding a line break, or ending in \"(children N\", cannot be told from the engine's lines)", err)}
	}
	if err := p.sameReading(ctx, s, query, canonical, dump, opt); err != nil {
		return nil, err
	}
	st, err := p.statement(root, canonical)
	if err != nil {
		return nil, err
	}
	// Every SETTINGS clause the engine parsed must be one read above.
	sets := 0
	root.walk(func(n *node) error {
		if n.kind == "Set" {
			sets++
		}
		return nil
	})
	// Step 3 resolves the SELECT itself, or the one an EXPLAIN explains.
	analyzed := canonical
	if st.Kind == Explain {
		query, options, err := p.explained(root, canonical)
		if err != nil {
			return nil, err
		}
		analyzed = query
		if options {
			sets-- // the EXPLAIN's own options, read and allowed above
		}
	}
	if sets != clauses {
		return nil, &Denied{Policy: p.Name, What: fmt.Sprintf("a statement whose %d SETTINGS clauses could not all be read (%d found)", sets, clauses)}
	}
	st.Settings = settings
	databases, err := allDatabases(ctx, s)
	if err != nil {
		return nil, err
	}
	functions, err := catalogOf(ctx, s)
	if err != nil {
		return nil, err
	}
	// A call of a lambda the statement names (WITH x -> … AS f … f(…))
	// is no function of the catalog: the analyzer puts the lambda's body,
	// checked where it is written, in its place.
	lambdas := map[string]bool{}
	root.walk(func(n *node) error {
		if n.kind == "Function" && n.name == "lambda" && n.alias != "" {
			lambdas[n.alias] = true
		}
		return nil
	})
	known := func(name string) bool { return slices.Contains(parserFunctions, name) || lambdas[name] }
	if err := root.walk(func(n *node) error { return p.checkNode(n, databases, functions, known) }); err != nil {
		return nil, err
	}
	for _, lit := range structureLiterals(root) {
		if err := p.checkStructureByEngine(ctx, s, lit, opt); err != nil {
			return nil, err
		}
	}
	st.Text = query
	if st.Kind == ShowTables || st.Kind == ShowOther {
		// Their syntax trees hold no clause (SHOW TABLES prints neither
		// FULL nor LIKE), so sameReading proves nothing of them: they are
		// checked on the engine's writing back, and that runs (SHOW FULL
		// TABLES, written back without FULL, ran with it).
		st.Text = canonical
	}
	return &Parsed{policy: p, canonical: canonical, analyzed: analyzed, st: st}, nil
}

// Analyze is step 3, for a SELECT and for an EXPLAIN of one (whose
// SELECT is resolved as it would be run: EXPLAIN PLAN, PIPELINE and
// ESTIMATE have the analyzer resolve it, evaluating its scalar
// subqueries, and QUERY TREE prints what they evaluated to): the
// analyzer resolves the statement (EXPLAIN QUERY TREE) and every table
// it resolves to, views and CTEs included, must be the policy's. The analyzer evaluates the statement's
// scalar subqueries as it resolves them (ClickHouse has no way to analyze
// without), so this step runs part of the statement: it runs in opt's
// session as the statement itself will — its limits, its priority, the
// policy's catalog filter, which Analyze sets — and a caller that bounds
// the statements running at once admits the statement before calling it.
// Step 2 has refused every table and function such a subquery could reach
// beyond the policy.
func (pa *Parsed) Analyze(ctx context.Context, s store.Store, opt store.FormatOptions) (Statement, error) {
	if opt.Writable {
		return Statement{}, errors.New("sqlaccess: a checked statement runs read-only")
	}
	if pa.st.Kind != Select && pa.st.Kind != Explain {
		return pa.st, nil
	}
	opt.StatementSettings = len(pa.st.Settings) > 0
	if f := pa.policy.CatalogFilter(); f != "" {
		opt.Settings = append(slices.Clone(opt.Settings), store.Setting{Name: "additional_table_filters", Value: f})
	}
	reads, totals, err := pa.policy.checkQueryTree(ctx, s, pa.analyzed, opt)
	if err != nil {
		return Statement{}, err
	}
	if totals && pa.st.Kind == Select {
		// An EXPLAIN's answer is its plan, never the totals block the
		// embedded engine cannot stream.
		return Statement{}, errTotals
	}
	st := pa.st
	st.Reads = reads
	return st, nil
}

// HasOutfile reports whether query, as the engine parses it, writes its
// result to a file (INTO OUTFILE). It decides nothing about access; a
// statement the engine cannot parse reports false with the engine's error.
func HasOutfile(ctx context.Context, s store.Store, query string, opt store.FormatOptions) (bool, error) {
	opt.Writable = false // parsing only
	canonical, err := single(ctx, s, query, opt)
	if err != nil {
		return false, err
	}
	dump, err := explain(ctx, s, "EXPLAIN AST "+canonical, opt) // see Parse
	if err != nil {
		return false, err
	}
	root, err := parseAST(dump)
	if err != nil {
		return false, err
	}
	for _, c := range root.children {
		if c.kind == "Literal" {
			return true, nil
		}
	}
	return false, nil
}

// sameReading proves that the engine reads query, the text as sent, as
// the statement the checks read, canonical (its writing back, whose
// syntax tree is dump), and refuses it otherwise. The two can differ:
// formatQuery drops an alias given as a query parameter
// (AS {a:Identifier}), which the engine binds when it runs the text as
// sent (WITH 'x' AS {a:Identifier} rebound a column no check saw
// rebound), and writes the names `true`, `false`, `inf`, `nan` and
// `NOT` without their quotes, which then read as constants and an
// operator. The proof is the engine's: both texts behind EXPLAIN AST
// parse to one statement written back alike, so that no text as sent
// can read as options of the EXPLAIN (which is why the checks read the
// writing back), and the syntax trees it prints of them, query
// parameters bound, are the same.
func (p Policy) sameReading(ctx context.Context, s store.Store, query, canonical, dump string, opt store.FormatOptions) error {
	if query == canonical {
		return nil
	}
	differs := &Denied{Policy: p.Name, What: "a statement the engine reads otherwise than its own writing of it, which the checks read " +
		"(an alias given as a query parameter, AS {a:Identifier}, or one of the names `true`, `false`, `inf`, `nan`, `NOT` as a column or alias: rename it)"}
	sent, err := single(ctx, s, "EXPLAIN AST "+query, opt)
	if err != nil {
		return differs
	}
	written, err := single(ctx, s, "EXPLAIN AST "+canonical, opt)
	if err != nil {
		return err
	}
	if sent != written {
		return differs
	}
	tree, err := explain(ctx, s, "EXPLAIN AST "+query, opt)
	if err != nil {
		return err
	}
	if tree != dump {
		return differs
	}
	return nil
}

// single has the engine parse query as one statement and returns its
// canonical text. The text is bound as a parameter, a value the engine
// never runs.
func single(ctx context.Context, s store.Store, query string, opt store.FormatOptions) (string, error) {
	var out bytes.Buffer
	o := session(opt)
	o.Format = "TabSeparated" // escaped: the canonical text spans lines
	o.Params = store.Params{"sqlaccess_query": query}
	if err := store.QueryFormatted(ctx, s, &out, "SELECT formatQuery({sqlaccess_query:String})", o); err != nil {
		return "", parseError(err)
	}
	var canonical string
	rows := strings.TrimSuffix(out.String(), "\n")
	if err := unescapeTSV(rows, &canonical); err != nil {
		return "", fmt.Errorf("read the engine's canonical statement: %w", err)
	}
	return canonical, nil
}

// parseError is the engine's error for a statement it cannot parse, as it
// reports it for the statement alone: without the scope of the
// formatQuery call that parsed it here.
func parseError(err error) error {
	msg := err.Error()
	i := strings.Index(msg, ": In scope SELECT formatQuery(")
	j := strings.LastIndex(msg, ". (")
	if i < 0 || j < i {
		return err
	}
	return errors.New(msg[:i] + msg[j:])
}

// session is opt for the checks themselves: tab-separated raw output, no
// progress callback, and the settings a checked statement runs with
// (SessionSettings).
func session(opt store.FormatOptions) store.FormatOptions {
	opt.Format = "TSVRaw"
	opt.Progress = nil
	opt.Settings = append(slices.Clone(opt.Settings), SessionSettings()...)
	// The checks read "EXPLAIN AST " before a text of up to MaxQuerySize
	// bytes, and the engine's writing of it, which can be twice as long
	// (a column a line, indented): their own bound, last so that it is
	// the one in force. The run keeps the session's.
	opt.Settings = append(opt.Settings, store.Setting{Name: "max_query_size", Value: strconv.Itoa(checkQuerySize)})
	return opt
}

// checkQuerySize bounds the statements the checks send the engine.
const checkQuerySize = 8 * MaxQuerySize

// SessionSettings are the settings a checked statement is checked and run
// with; a caller running a statement Check allowed adds them to its
// session (they are not a token's to change: CheckSetting refuses them).
//
// enable_scalar_subquery_optimization = 0 keeps every scalar subquery in
// the query tree as the constant it evaluated to, with the subquery
// beneath it. With it on, the analyzer replaced a subquery whose value is
// an array or a tuple — (SELECT groupArray(x) …), (SELECT [1, 2]) — by
// the engine's own __getScalar('hash'), the subquery gone from the tree:
// its tables unchecked and unrecorded, and the function, which no token
// may call (it reads a scalar by name), refused every such statement.
//
// implicit_select = 0, as a ClickHouse server has it (the embedded engine,
// like clickhouse-local, reads "1 + 1" as SELECT 1 + 1): a text that is no
// statement is refused as one, not read two ways — as a SELECT when it
// runs, and as something else behind a prefix such as EXPLAIN's.
//
// allow_hyperscan = 0 has the engine refuse every function that compiles
// its patterns with vectorscan (multiMatch…, multiFuzzyMatch…: 446,
// FUNCTION_NOT_ALLOWED), whatever name or alias calls it, before it
// compiles anything: on constants while it analyses the statement, else
// as its run starts. The compile of many patterns is one call the engine
// cannot interrupt: 1,500 patterns of 40 letters (64 KB of text) to
// multiFuzzyMatchAny took 50 to 100 s of a core with a limit of 5 s, and
// KILL QUERY did not stop it; each new set of patterns compiles anew.
// match, multiSearch…, extract and the other regular expressions (re2,
// linear in their text) are not vectorscan's and stay.
func SessionSettings() []store.Setting {
	return []store.Setting{{Name: "enable_scalar_subquery_optimization", Value: "0"}, {Name: "implicit_select", Value: "0"},
		{Name: "allow_hyperscan", Value: "0"}}
}

func explain(ctx context.Context, s store.Store, q string, opt store.FormatOptions) (string, error) {
	var out bytes.Buffer
	if err := store.QueryFormatted(ctx, s, &out, q, session(opt)); err != nil {
		return "", err
	}
	return out.String(), nil
}

// unescapeTSV reads one TSV field (the engine escapes \n, \t, \\ and
// others with a backslash).
func unescapeTSV(field string, dst *string) error {
	if strings.ContainsAny(field, "\t\n") {
		return errors.New("more than one value")
	}
	v, err := unbackslash(field, true)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// outputChild reports whether a direct child of the root is one of the
// output clauses an allowed statement may carry: SETTINGS (Set) and FORMAT
// (Identifier). INTO OUTFILE and its COMPRESSION are Literals and are never
// allowed.
func outputChild(n *node) bool { return n.kind == "Set" || n.kind == "Identifier" }

var selectRoots = []string{"SelectWithUnionQuery", "SelectIntersectExceptQuery"}

// showTables is SHOW TABLES of the session's database or FROM another,
// with LIKE at most, as the engine writes it back: its database (group
// 1) and format (group 2). The syntax tree names the database but holds
// neither LIKE, WHERE nor LIMIT; the writing is read whole, so that a
// WHERE or LIMIT (whose expressions the tree does not show) is refused.
var showTables = regexp.MustCompile("^SHOW TABLES(?: FROM (" + ident + "))?(?: (?:NOT )?I?LIKE '(?:[^'\\\\]|\\\\.)*')?(?: FORMAT ([A-Za-z0-9_]+))?$")

// showColumns is SHOW COLUMNS as the engine writes it back, whole: its
// table, then its database when named (FROM t FROM db; the engine writes
// FROM db.t so too), a LIKE pattern and a FORMAT. Nothing else: its
// syntax tree shows neither a WHERE nor a LIMIT, so an expression there
// would run unchecked — throwIf over file('/etc/passwd') quoted the
// file's bytes in its error.
var showColumns = regexp.MustCompile("^SHOW (?:FULL )?(?:EXTENDED )?COLUMNS (?:FROM|IN) (" + ident + ")(?: (?:FROM|IN) (" + ident + "))?(?: (?:NOT )?I?LIKE '(?:[^'\\\\]|\\\\.)*')?(?: FORMAT [A-Za-z0-9_]+)?$")

// ident is an identifier as the engine writes it: bare, or back-quoted
// with \` and \\ escaped.
const ident = "[A-Za-z_][A-Za-z0-9_]*|`(?:[^`\\\\]|\\\\.)*`"

// identifier reads an identifier as the engine writes it (ident).
func identifier(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		var v string
		if err := unescapeTSV(s[1:len(s)-1], &v); err != nil {
			return "", false
		}
		return v, true
	}
	return s, s != ""
}

var showDatabases = regexp.MustCompile(`^SHOW DATABASES(?: ((?:NOT )?I?LIKE) ('(?:[^'\\]|\\.)*'))?(?: FORMAT ([A-Za-z0-9_]+))?$`)

// statement reads the root of the tree: which kind it is, and that its
// direct children are its body and allowed output clauses only.
func (p Policy) statement(root *node, canonical string) (Statement, error) {
	var st Statement
	// label names the statement in a refusal of its kind: SHOW CREATE
	// TABLE, not the SHOW its kind is.
	label := ""
	body := root.children
	switch {
	case slices.Contains(selectRoots, root.kind):
		st.Kind = Select
		if len(body) == 0 || body[0].kind != "ExpressionList" {
			return st, fmt.Errorf("unexpected syntax tree for a SELECT")
		}
		body = body[1:]
	case root.kind == "DescribeQuery":
		st.Kind = Describe
		if len(body) == 0 || body[0].kind != "TableExpression" {
			return st, fmt.Errorf("unexpected syntax tree for a DESCRIBE")
		}
		if len(body[0].children) != 1 || body[0].children[0].kind != "TableIdentifier" {
			// DESCRIBE of a query evaluates its scalar subqueries, whose
			// values can come back inside the types it describes, and is
			// not resolved like a SELECT (what it read would go
			// unaudited).
			return st, &Denied{Policy: p.Name, What: "DESCRIBE of anything but a table or view (describe a query by running it with LIMIT 0)"}
		}
		body = body[1:]
	case root.kind == "Explain":
		st.Kind = Explain
		if len(body) > 0 && body[0].kind == "Set" {
			// EXPLAIN's own options (actions = 1) come first: the tree
			// prints no values, explained reads them from the engine's
			// writing of the statement.
			body = body[1:]
		}
		if len(body) == 0 || !slices.Contains(selectRoots, body[0].kind) {
			return st, &Denied{Policy: p.Name, What: "EXPLAIN of anything but a SELECT"}
		}
		body = body[1:]
	case root.kind == "ShowTables":
		// The tree does not tell SHOW TABLES from SHOW DATABASES or SHOW
		// TABLES FROM x; the engine's own rewriting of the statement does.
		line := strings.Join(strings.Fields(canonical), " ")
		switch {
		case showTables.MatchString(line):
			m := showTables.FindStringSubmatch(line)
			st.Kind = ShowTables
			st.Format = m[2]
			if err := p.showTablesFrom(root, m[1], &st, line); err != nil {
				return st, err
			}
		case showDatabases.MatchString(line):
			m := showDatabases.FindStringSubmatch(line)
			st.Kind = ShowDatabases
			st.Format = m[3]
			if m[2] != "" {
				pattern, ok := stringLiteral(m[2])
				if !ok {
					return st, &Denied{Policy: p.Name, What: fmt.Sprintf("%q", line)}
				}
				st.Like = &Like{Op: m[1], Pattern: pattern}
			}
		default:
			// SHOW TABLES with WHERE or LIMIT (or of temporary tables,
			// dictionaries, …): its syntax tree does not show the WHERE,
			// so an expression there would run unchecked (a file() read
			// quoted in an error). system.tables answers the same
			// question, checked.
			return st, &Denied{Policy: p.Name, What: fmt.Sprintf("%q (SHOW TABLES [FROM db] and SHOW DATABASES take LIKE alone; ask system.tables or system.databases with a SELECT)", line)}
		}
		if !p.allows(st.Kind) {
			return st, &Denied{Policy: p.Name, What: fmt.Sprintf("%q", line)}
		}
		for _, c := range body {
			if c.kind == "Literal" {
				return st, &Denied{Policy: p.Name, What: "INTO OUTFILE"}
			}
		}
		return st, nil
	case root.kind == "ShowCreateTableQuery":
		st.Kind, label = ShowOther, "SHOW CREATE TABLE"
		name, rest, err := p.showTableName(root)
		if err != nil {
			return st, err
		}
		if err := p.checkName(name, true, nil); err != nil {
			return st, err
		}
		body = rest
	case root.kind == "ExistsTableQuery", root.kind == "ExistsViewQuery":
		// A name the token may not read is refused by its name alone,
		// whether or not it names anything, as a server checks the grant
		// before it looks: existence is learned of what the token sees.
		st.Kind, label = Exists, "EXISTS"
		name, rest, err := p.showTableName(root)
		if err != nil {
			return st, err
		}
		if err := p.checkName(name, true, nil); err != nil {
			var d *Denied
			if errors.As(err, &d) {
				d.What = fmt.Sprintf("EXISTS of %s (%s)", name, d.What)
			}
			return st, err
		}
		body = rest
	case root.kind == "ExistsDatabaseQuery":
		// Its root line is "database " (no table), its first child the
		// database as an Identifier.
		st.Kind, label = Exists, "EXISTS DATABASE"
		if len(body) == 0 || body[0].kind != "Identifier" || root.name != body[0].name+" " {
			return st, &Denied{Policy: p.Name, What: fmt.Sprintf("an EXISTS DATABASE whose database cannot be read from its syntax tree (%q)", root.name)}
		}
		st.Database, st.ExistsDatabase = body[0].name, true
		body = body[1:]
	case root.kind == "ShowColumns":
		// Its syntax tree names no table; the engine's writing of the
		// statement does, and the name is checked as SHOW CREATE's.
		st.Kind, label = ShowOther, "SHOW COLUMNS"
		line := strings.Join(strings.Fields(canonical), " ")
		m := showColumns.FindStringSubmatch(line)
		if m == nil {
			return st, &Denied{Policy: p.Name, What: fmt.Sprintf("a SHOW COLUMNS other than SHOW COLUMNS FROM table [LIKE '…'] (%q): ask system.columns with a SELECT", line)}
		}
		name, ok := identifier(m[1])
		if m[2] != "" {
			db, dbOK := identifier(m[2])
			name, ok = db+"."+name, ok && dbOK
		}
		if !ok {
			return st, &Denied{Policy: p.Name, What: fmt.Sprintf("a SHOW COLUMNS whose table cannot be read from the engine's writing of it (%q)", line)}
		}
		if err := p.checkName(name, true, nil); err != nil {
			return st, err
		}
	case root.kind == "ShowProcesslistQuery":
		st.Kind, label = ShowOther, "SHOW PROCESSLIST"
	case root.kind == "KillQueryQuery":
		st.Kind = KillQuery
		id, ok := killQueryID(body)
		if !ok {
			return st, &Denied{Policy: p.Name, What: "KILL QUERY other than KILL QUERY WHERE query_id = '…'"}
		}
		st.KillQueryID = id
		mode, ok := killMode(root, canonical)
		if !ok {
			return st, &Denied{Policy: p.Name, What: fmt.Sprintf("a KILL QUERY whose mode cannot be read from the engine's writing of it (%q)", root.name)}
		}
		st.KillMode = mode
		body = body[1:]
	default:
		return st, &Denied{Policy: p.Name, What: "a statement of kind " + root.kind}
	}
	if !p.allows(st.Kind) {
		return st, &Denied{Policy: p.Name, What: firstOf(label, string(st.Kind))}
	}
	for _, c := range body {
		switch {
		case c.kind == "Literal":
			return st, &Denied{Policy: p.Name, What: "INTO OUTFILE"}
		case !outputChild(c):
			return st, &Denied{Policy: p.Name, What: "a clause of kind " + c.kind}
		case c.kind == "Identifier":
			st.Format = c.name
		}
	}
	return st, nil
}

// explainOptions are the options a token may give an EXPLAIN, by its kind
// as the syntax tree's root names it (EXPLAIN alone is PLAN), each with
// the form of its value: those ClickHouse documents for EXPLAIN AST,
// SYNTAX, QUERY TREE, PLAN and PIPELINE (ESTIMATE documents none). They
// change what the EXPLAIN prints, not what it reads; its SELECT is
// checked as the same SELECT would be. Anything else there — a setting
// of the query (max_threads), an option of another kind, an undocumented
// one (AST's optimize, which evaluated the statement's constants while it
// printed the tree) — is refused. The engine takes integers only.
var explainOptions = map[string]map[string]explainValue{
	"EXPLAIN AST":    {"graph": flag},
	"EXPLAIN SYNTAX": {"oneline": flag, "run_query_tree_passes": flag, "query_tree_passes": count},
	"EXPLAIN QUERY TREE": {"run_passes": flag, "dump_passes": flag, "passes": count, "dump_tree": flag,
		"dump_ast": flag},
	"EXPLAIN": {"header": flag, "description": flag, "indexes": flag, "projections": flag, "actions": flag,
		"json": flag, "optimize": flag},
	"EXPLAIN PIPELINE": {"header": flag, "graph": flag, "compact": flag},
	"EXPLAIN ESTIMATE": {},
}

// explainValue is the form an EXPLAIN option's value takes, as the
// engine writes it back (0x1 and +1 are 1).
type explainValue struct {
	form *regexp.Regexp
	says string
}

var (
	flag  = explainValue{regexp.MustCompile(`^[01]$`), "0 or 1"}
	count = explainValue{regexp.MustCompile(`^[0-9]{1,6}$`), "a whole number"}
)

// explainOption is one "name = value" of the EXPLAIN's first line.
var explainOption = regexp.MustCompile(`^([a-z_]+) = (.+)$`)

// explained reads an EXPLAIN of a SELECT as the engine writes it back:
// its first line is the EXPLAIN with its options ("EXPLAIN PIPELINE
// header = 1, graph = 1"), the lines after it the SELECT, its SETTINGS
// and the FORMAT. Each option must be one of explainOptions, its value
// of its form. It returns the SELECT, for step 3 to resolve as it would
// resolve the SELECT alone, and whether the options are a node (Set) of
// the tree.
func (p Policy) explained(root *node, canonical string) (string, bool, error) {
	first, query, _ := strings.Cut(canonical, "\n")
	allowed, known := explainOptions[root.name]
	if !known {
		return "", false, &Denied{Policy: p.Name, What: root.name}
	}
	options := len(root.children) > 0 && root.children[0].kind == "Set"
	rest, ok := strings.CutPrefix(first, root.name)
	switch {
	case !ok, options != (rest != ""), options && !strings.HasPrefix(rest, " "):
		return "", false, &Denied{Policy: p.Name, What: fmt.Sprintf("an EXPLAIN whose options cannot be read from the engine's writing of it (%q)", first)}
	}
	if !options {
		return query, false, nil
	}
	for _, o := range strings.Split(rest[1:], ", ") {
		m := explainOption.FindStringSubmatch(o)
		if m == nil {
			return "", false, &Denied{Policy: p.Name, What: fmt.Sprintf("an EXPLAIN option written as %q", o)}
		}
		v, ok := allowed[m[1]]
		if !ok {
			return "", false, &Denied{Policy: p.Name, What: fmt.Sprintf("%s in the options of %s (it takes %s)", m[1], root.name, optionNames(allowed))}
		}
		if !v.form.MatchString(m[2]) {
			return "", false, &Denied{Policy: p.Name, What: fmt.Sprintf("%s = %s in the options of %s (it takes %s)", m[1], m[2], root.name, v.says)}
		}
	}
	return query, true, nil
}

// optionNames lists the options of a kind of EXPLAIN, for a refusal.
func optionNames(allowed map[string]explainValue) string {
	if len(allowed) == 0 {
		return "no options"
	}
	return strings.Join(slices.Sorted(maps.Keys(allowed)), ", ")
}

// showTableName reads the table of SHOW CREATE TABLE or EXISTS TABLE as
// the engine parsed it: its root line holds "database table", the
// database empty when not named, and its first children are the same
// names as Identifiers, followed by the output clauses (FORMAT is an
// Identifier too, so the children alone cannot tell "t FORMAT X" from
// "db.t"). It returns the name, qualified when the statement qualifies
// it, and the children after it.
func (p Policy) showTableName(root *node) (string, []*node, error) {
	body := root.children
	switch {
	case len(body) >= 1 && body[0].kind == "Identifier" && root.name == " "+body[0].name:
		return body[0].name, body[1:], nil
	case len(body) >= 2 && body[0].kind == "Identifier" && body[1].kind == "Identifier" && root.name == body[0].name+" "+body[1].name:
		return body[0].name + "." + body[1].name, body[2:], nil
	}
	return "", nil, &Denied{Policy: p.Name, What: fmt.Sprintf("a %s whose table cannot be read from its syntax tree (%q)", root.kind, root.name)}
}

func (p Policy) allows(k Kind) bool { return slices.Contains(p.Kinds, k) }

// showTablesFrom checks the database of SHOW TABLES FROM against its
// syntax tree and the policy: from (as the engine writes it, "" for the
// session's database) must be the tree's first Identifier, the FORMAT the
// next one and nothing else an Identifier; the database one the policy
// reads whole. Another database is refused alike whether or not it
// exists.
func (p Policy) showTablesFrom(root *node, from string, st *Statement, line string) error {
	var want []string
	if from != "" {
		db, ok := identifier(from)
		if !ok {
			return &Denied{Policy: p.Name, What: fmt.Sprintf("a SHOW TABLES whose database cannot be read from the engine's writing of it (%q)", line)}
		}
		st.Database = db
		want = append(want, db)
	}
	if st.Format != "" {
		want = append(want, st.Format)
	}
	var got []string
	for _, c := range root.children {
		if c.kind == "Identifier" {
			got = append(got, c.name)
		}
	}
	if !slices.Equal(got, want) {
		return &Denied{Policy: p.Name, What: fmt.Sprintf("a SHOW TABLES whose syntax tree (%q) is not its writing (%q)", strings.Join(got, " "), line)}
	}
	if st.Database != "" && !p.AnyDatabase && !slices.Contains(p.Databases, st.Database) {
		return &Denied{Policy: p.Name, What: fmt.Sprintf("SHOW TABLES FROM %s (a database this token does not see, or none)", st.Database)}
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// County is the policy of a county token: the views of its own database
// (its county's rows and the shared reference tables), the system tables
// that describe the engine, the catalog of its own database, SELECT,
// DESCRIBE, SHOW TABLES, EXISTS of what it sees and the cancelling of its
// own queries.
func County(code, database string) Policy {
	return Policy{Name: "the token of county " + code, Databases: []string{database}, SystemTables: EngineSystemTables, Catalog: true,
		Kinds: []Kind{Select, Describe, ShowTables, ShowDatabases, Exists, KillQuery}}
}

// Host is the policy of the sql command without --write: the host's
// administrator reads everything, but read-only means that nothing is
// written anywhere, files included, and no query is cancelled. views are
// the store's parameterized views (chhttp.ParameterizedViews): read like
// any view, though called like table functions.
func Host(views ...string) Policy {
	return Policy{Name: "sql without --write", AnyDatabase: true, ParameterizedViews: slices.Clone(views),
		Kinds: []Kind{Select, Describe, ShowTables, ShowDatabases, ShowOther, Exists, Explain}}
}

// City is the policy of a city token: every table and view of the given
// databases and of the engine's system databases, read-only.
func City(databases ...string) Policy {
	return Policy{Name: "a city token", Databases: append(slices.Clone(databases), "system", "information_schema", "INFORMATION_SCHEMA"),
		Kinds: []Kind{Select, Describe, ShowTables, ShowDatabases, ShowOther, Exists, Explain, KillQuery}}
}

// killQueryID reads the one allowed condition: query_id = 'literal'.
func killQueryID(body []*node) (string, bool) {
	if len(body) == 0 || body[0].kind != "Function" || body[0].name != "equals" || len(body[0].children) != 1 {
		return "", false
	}
	args := body[0].children[0].children
	if len(args) != 2 {
		return "", false
	}
	for i := range 2 {
		id, lit := args[i], args[1-i]
		if id.kind == "Identifier" && id.name == "query_id" && lit.kind == "Literal" {
			v, ok := stringLiteral(lit.name)
			return v, ok
		}
	}
	return "", false
}

// killMode reads the mode of a KILL QUERY: the last word of the first
// line of the engine's writing of it (SYNC, ASYNC or TEST; FORMAT and
// SETTINGS follow on lines of their own, and a literal's line breaks are
// escaped), which the syntax tree's root must confirm: it says SYNC or
// ASYNC, TEST written as ASYNC.
func killMode(root *node, canonical string) (KillMode, bool) {
	first, _, _ := strings.Cut(canonical, "\n")
	mode := KillMode(first[strings.LastIndexByte(first, ' ')+1:])
	tree := KillMode(root.name[strings.LastIndexByte(root.name, ' ')+1:])
	switch mode {
	case KillSync:
		return mode, tree == KillSync
	case KillAsync, KillTest:
		return mode, tree == KillAsync
	}
	return "", false
}

// stringLiteral reads a string literal as EXPLAIN AST prints it: quoted,
// with \' and \\ escaped.
func stringLiteral(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	var v string
	if err := unescapeTSV(s[1:len(s)-1], &v); err != nil {
		return "", false
	}
	return v, true
}

// checkNode refuses a node that reaches outside the policy. databases
// lists (lower-cased) every database of the engine.
func (p Policy) checkNode(n *node, databases map[string]bool, functions *functionCatalog, known func(string) bool) error {
	if what, ok := opaqueKinds[n.kind]; ok {
		return &Denied{Policy: p.Name, What: what}
	}
	if n.parent != nil && len(n.children) == 0 && !leafKinds[n.kind] {
		// A node the engine prints without children that is no known
		// leaf may hold expressions it does not print, as the two
		// above did: refused until it is known to hold none.
		return &Denied{Policy: p.Name, What: "a clause whose syntax tree hides what it holds (" + n.kind + ")"}
	}
	switch n.kind {
	case "TableIdentifier", "Identifier":
		return p.checkName(n.name, n.kind == "TableIdentifier", databases)
	case "Function":
		if n.parent != nil && n.parent.kind == "TableExpression" {
			if p.parameterizedView(n.name) {
				return nil
			}
			if slices.Contains(tableFunctions, n.name) {
				return p.checkStructure(n)
			}
			return &Denied{Policy: p.Name, What: "table function " + n.name}
		}
		if err := p.checkFunction(n.name, functions, known); err != nil {
			return err
		}
		if err := p.checkParameters(n); err != nil {
			return err
		}
		return p.checkAggregateName(n)
	}
	return nil
}

// opaqueKinds are the nodes of a syntax tree that hold expressions the
// tree does not print: a named window (WINDOW w AS (PARTITION BY …)) and
// APPLY (* APPLY(x -> …)). What they hold would go unchecked to the
// analyzer, which evaluates scalar subqueries and constant functions while
// it resolves the statement (step 3) and quotes their values in its
// errors: another county's names, file('/etc/passwd'). Each is refused,
// with what to write instead.
var opaqueKinds = map[string]string{
	"WindowListElement":       "a named window (WINDOW w AS …): write the window in OVER (…)",
	"ColumnsApplyTransformer": "APPLY: call the function on the columns by name",
}

// leafKinds are the nodes a statement's tree prints without children
// that hold no expression: names, values, *, a sample ratio, an empty
// argument list, column matchers and exclusions by name, the settings of
// SETTINGS (values, checked against the engine's rewrite).
var leafKinds = map[string]bool{
	"Literal": true, "Identifier": true, "TableIdentifier": true, "Asterisk": true, "QueryParameter": true,
	"SampleRatio": true, "ExpressionList": true, "ColumnsExceptTransformer": true, "ColumnsRegexpMatcher": true,
	"Set": true,
	// A cross or comma join: the tables are its siblings, its condition
	// none.
	"TableJoin": true,
	// OVER (): the window's PARTITION BY, ORDER BY and frame offsets are
	// its children when written (a named window it could refer to is
	// refused: WindowListElement), so without children it holds none.
	"WindowDefinition": true,
}

// columnOptions are the words of a column's declaration after its type —
// an expression the engine evaluates (DEFAULT, MATERIALIZED, ALIAS,
// EPHEMERAL) or settings of its storage.
var columnOptions = regexp.MustCompile(`(?i)\b(DEFAULT|MATERIALIZED|ALIAS|EPHEMERAL|CODEC|TTL|COMMENT|STATISTICS|SETTINGS)\b`)

// checkStructure refuses a value generator (generateRandom, values) whose
// structure — a string the tree shows as a literal — declares a column
// with more than its type: the engine evaluates a DEFAULT there while it
// resolves the statement (file('/proc/self/environ') came back in the
// error, every token with it). A structure from a query parameter is
// refused too: its value is not in the tree.
func (p Policy) checkStructure(n *node) error {
	err := n.walk(func(c *node) error {
		if c.kind == "QueryParameter" {
			return &Denied{Policy: p.Name, What: "a query parameter in the arguments of " + n.name + " (write its structure in the statement)"}
		}
		return nil
	})
	if err != nil || len(n.children) == 0 || len(n.children[0].children) == 0 {
		return err
	}
	first := n.children[0].children[0]
	switch {
	case first.kind == "Literal" && columnOptions.MatchString(first.name):
		return &Denied{Policy: p.Name, What: "a structure of " + n.name + " that declares more than columns and types"}
	case n.name == "generateRandom" && first.kind != "Literal":
		// The engine folds any constant to the structure string while
		// it resolves the statement — an alias, concat('… DEF',
		// 'AULT …'), a scalar subquery — and then evaluates its
		// DEFAULT: only a structure written out is checked.
		return &Denied{Policy: p.Name, What: "a structure of generateRandom other than a string written in the statement"}
	case n.name == "values" && first.kind != "Literal" && !rowConstructor(first):
		// values takes its first argument for a structure when it is a
		// constant string, a WITH alias included (WITH '… DEFAULT
		// file(…)' AS s … values(s, 'a')): the alias's literal is never
		// checked as a structure, and its DEFAULT ran. A structure or
		// a first row is written in place.
		return &Denied{Policy: p.Name, What: "a first argument of values other than a structure or a row written in the statement"}
	}
	return nil
}

// rowConstructor reports whether n writes a row or an array out: the
// first argument of values that is no structure.
func rowConstructor(n *node) bool {
	return n.kind == "Function" && (n.name == "tuple" || n.name == "array")
}

// parameterizedView reports whether name, as the syntax tree prints a
// table function, calls one of the policy's parameterized views: in the
// session's database (unqualified) or in one of the policy's. The query
// tree then resolves it to a table, checked like any other.
func (p Policy) parameterizedView(name string) bool {
	db, view, qualified := strings.Cut(name, ".")
	if !qualified {
		return slices.Contains(p.ParameterizedViews, name)
	}
	return (p.AnyDatabase || slices.Contains(p.Databases, db)) && slices.Contains(p.ParameterizedViews, view)
}

// checkName checks a name as the tree prints it, "a", "a.b" or "a.b.c":
// a name qualified with a database must name one of the policy's (or an
// allowed system table). An unqualified table resolves in the session's
// database or to a CTE of the statement; the query tree confirms which.
func (p Policy) checkName(name string, table bool, databases map[string]bool) error {
	first, rest, qualified := strings.Cut(name, ".")
	if table && !p.AnyDatabase && first != "system" && workTable(name[strings.LastIndexByte(name, '.')+1:]) {
		// Refused by name, before the analyzer (step 3) would evaluate a
		// scalar subquery reading it: see checkResolvedTable.
		return &Denied{Policy: p.Name, What: "reading " + name + " (a work table of a running job)"}
	}
	if !qualified {
		return nil
	}
	if !table && !databases[strings.ToLower(first)] {
		return nil // a column qualified with its table or alias
	}
	if p.AnyDatabase || slices.Contains(p.Databases, first) {
		return nil
	}
	if first == "system" {
		t, _, _ := strings.Cut(rest, ".")
		if p.readsSystem(t) {
			return nil
		}
	}
	return &Denied{Policy: p.Name, What: "reading " + name}
}

// parserFunctions are the names the parser gives nodes of the syntax
// tree that the catalog does not list, found by reading the trees of
// statements of every kind of expression: each is known, and harmless.
var parserFunctions = []string{
	// x -> …, the lambda of arrayMap(x -> …, a) or of WITH x -> … AS f:
	// its parameters and body are nodes below it, checked as any, and
	// the query tree holds it as a LAMBDA node, not as a function.
	"lambda",
	// EXISTS (subquery): the analyzer makes it `in` over the subquery,
	// or keeps it as exists for a correlated one; the subquery's tables
	// and functions are in both trees and checked as any subquery's.
	"exists",
	// untuple(t): the analyzer makes it one tupleElement(t, …) a field.
	"untuple",
	// GROUPING(k, …) of GROUP BY: the analyzer makes it one of the
	// grouping functions of analyzerFunctions.
	"grouping",
}

// analyzerFunctions are the names the analyzer gives nodes of the query
// tree that the catalog does not list, each known and harmless.
var analyzerFunctions = []string{
	// A correlated EXISTS (subquery), kept as such: see parserFunctions.
	"exists",
	// GROUPING(k, …) as the grouping of the query makes it: each reads
	// the mask of the keys a row's grouping set holds, nothing more.
	"groupingOrdinary", "groupingForRollup", "groupingForCube", "groupingForGroupingSets",
}

// checkFunction checks a function as the syntax tree or the query tree
// names it: it must be one the engine's catalog lists (functions.resolve
// finds it as the engine does: alias, case, aggregate combinators), or
// one the tree itself is known to name (known: parserFunctions and the
// statement's lambdas, or analyzerFunctions). Anything else is refused —
// no function the engine runs, or a line of a tree not read as the
// engine meant it. The costly ones are found by the catalog too, which
// knows every alias of a function (levenshteinDistance is editDistance)
// and its categories.
func (p Policy) checkFunction(name string, functions *functionCatalog, known func(string) bool) error {
	lower := strings.ToLower(name)
	for _, f := range readingFunctions {
		if strings.HasPrefix(lower, f) {
			return &Denied{Policy: p.Name, What: "function " + name}
		}
	}
	f, listed := functions.resolve(name)
	switch {
	case !listed && functions.userDefined[name]:
		// A function of CREATE FUNCTION (which no read-only token can
		// run) or a host's executable one is the host's, not the
		// engine's: its body is not in the syntax tree step 2 checks,
		// and the analyzer evaluates a SQL function's body while it
		// resolves the statement (step 3), before any check of the
		// query tree — file() there would be read first — and an
		// executable one runs a program. The engine's functions are
		// all a token needs.
		return &Denied{Policy: p.Name, What: "function " + name + " (defined on the host, not one of the engine's)"}
	case !listed && known(name):
		return nil
	case !listed:
		return &Denied{Policy: p.Name, What: "function " + name + " (it is not one the engine lists)", UnknownFunction: true}
	}
	for _, r := range readingFunctions {
		// An alias of one (hostname is hostName).
		if strings.HasPrefix(f.canonical, r) {
			return &Denied{Policy: p.Name, What: "function " + name}
		}
	}
	if slices.Contains(costlyFunctions, f.canonical) {
		return &Denied{Policy: p.Name, What: "function " + name + " (its cost per row grows faster than its arguments, and the engine checks time limits and KILL QUERY only between blocks of rows)"}
	}
	for _, c := range f.categories {
		if slices.Contains(refusedCategories, c) {
			return &Denied{Policy: p.Name, What: "function " + name + " (category " + c + ")"}
		}
	}
	return nil
}

// allDatabases lists every database of the engine, lower-cased, so that a
// name qualified with one is recognised whatever its case.
func allDatabases(ctx context.Context, s store.Store) (map[string]bool, error) {
	rows, err := s.Query(ctx, "SELECT lower(name) FROM system.databases", nil)
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{"system": true, "information_schema": true}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// treeNode matches a node of EXPLAIN QUERY TREE: its kind, then its fields.
var treeNode = regexp.MustCompile(`^([A-Z_ ]+?) id: \d+(?:, (.*))?$`)

// checkQueryTree has the analyzer resolve the statement and checks every
// table and table function it resolved to. The FORMAT clause is left out
// of the text analysed (EXPLAIN would apply it to its own output); the
// syntax tree has shown there is no INTO OUTFILE.
func (p Policy) checkQueryTree(ctx context.Context, s store.Store, canonical string, opt store.FormatOptions) (reads []string, totals bool, err error) {
	var kept []string
	for _, line := range strings.Split(canonical, "\n") {
		// The engine writes FORMAT on a line of its own at the outermost
		// level; a string literal never spans lines in its writing.
		if strings.HasPrefix(line, "FORMAT ") {
			continue
		}
		kept = append(kept, line)
	}
	functions, err := catalogOf(ctx, s)
	if err != nil {
		return nil, false, err
	}
	dump, err := explain(ctx, s, "EXPLAIN QUERY TREE "+strings.Join(kept, "\n"), opt)
	if err != nil {
		return nil, false, analysisError{err}
	}
	return p.readQueryTree(dump, functions)
}

// readQueryTree checks the query tree the engine printed (EXPLAIN QUERY
// TREE) and returns the tables and table functions it reads, and whether
// a query of it has GROUP BY … WITH TOTALS (refused for a SELECT only,
// once the whole tree has been checked).
func (p Policy) readQueryTree(dump string, functions *functionCatalog) ([]string, bool, error) {
	totals := false
	known := func(name string) bool { return slices.Contains(analyzerFunctions, name) }
	reads := map[string]bool{}
	for _, line := range strings.Split(strings.TrimRight(dump, "\n"), "\n") {
		m := treeNode.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue // PROJECTION, JOIN TREE, WHERE, … and column lists
		}
		fields := m[2]
		switch m[1] {
		case "QUERY":
			// Any query of the statement, a subquery or a CTE too: the
			// totals block of each reaches the engine's output.
			if strings.Count(fields, "is_group_by_with_totals: ") > 1 {
				return nil, false, &Denied{Policy: p.Name, What: "a statement whose query tree cannot be read (an alias holding \"is_group_by_with_totals: \")"}
			}
			if field(fields, "is_group_by_with_totals") == "1" {
				totals = true
			}
		case "TABLE":
			t := field(fields, "table_name")
			if err := p.checkResolvedTable(t); err != nil {
				return nil, false, err
			}
			// The name as recorded ends at the next field (", final: 1");
			// the check above took the line whole.
			name, _, _ := strings.Cut(t, ", ")
			reads[name] = true
		case "TABLE_FUNCTION":
			f := field(fields, "table_function_name")
			if !slices.Contains(tableFunctions, f) {
				return nil, false, &Denied{Policy: p.Name, What: "table function " + f}
			}
			name, _, _ := strings.Cut(f, ", ")
			reads[name+"()"] = true
		case "FUNCTION":
			// The function's name is printed between an alias and its
			// result type, and either can hold ", function_name: …" (an
			// alias, a named element of the tuple a function returns): a
			// line naming more than one function is not read at all.
			if strings.Count(", "+fields, ", function_name: ") != 1 {
				return nil, false, &Denied{Policy: p.Name, What: "a statement whose query tree cannot be read (an alias or a type holding \"function_name: \" cannot be told from the engine's fields)"}
			}
			if err := p.checkFunction(field(fields, "function_name"), functions, known); err != nil {
				return nil, false, err
			}
		case "IDENTIFIER":
			return nil, false, &Denied{Policy: p.Name, What: "a name the engine did not resolve (" + fields + ")"}
		}
	}
	return slices.Sorted(maps.Keys(reads)), totals, nil
}

// field returns the value of "name: value" among a query tree node's
// fields. An alias (printed before the other fields) may itself hold
// ", name: …", so table_name and table_function_name are read from their
// first mention to the end of the line — an alias then only makes the
// value unrecognisable, and refused — and function_name, which ends at
// the next field, from its last mention.
func field(fields, name string) string {
	if name == "table_name" || name == "table_function_name" {
		i := strings.Index(fields, name+": ")
		if i < 0 {
			return ""
		}
		return fields[i+len(name)+2:]
	}
	i := strings.LastIndex(fields, name+": ")
	if i < 0 {
		return ""
	}
	v, _, _ := strings.Cut(fields[i+len(name)+2:], ", ")
	return v
}

// workTable says whether a table's name is that of a work table: the
// daemon's work tables begin with "_" (a load's _stage_…, a fast import's
// and a sync's staged records).
func workTable(table string) bool { return strings.HasPrefix(table, "_") }

// checkResolvedTable checks a table the analyzer resolved, "db.table".
func (p Policy) checkResolvedTable(name string) error {
	db, table, ok := strings.Cut(name, ".")
	if !ok {
		return &Denied{Policy: p.Name, What: "reading a table the engine named without its database (" + name + ")"}
	}
	if p.AnyDatabase {
		return nil
	}
	if workTable(table) && db != "system" {
		// The daemon's work tables (a load's stage, a sync's staged
		// records) live only while their job runs, and the job drops
		// them at its end: a token's query holding one open would make
		// the drop wait for it, and the job fail.
		return &Denied{Policy: p.Name, What: "reading " + name + " (a work table of a running job)"}
	}
	if slices.Contains(p.Databases, db) && !strings.Contains(table, ".") {
		return nil
	}
	if db == "system" && p.readsSystem(table) {
		return nil
	}
	return &Denied{Policy: p.Name, What: "reading " + name}
}

// analysisError is an error of step 3, the values the engine quoted in it
// left out ('…'). The analyzer evaluates constants and scalar subqueries
// while it resolves a statement, before the tables it resolved are
// checked; its errors quoted what they read — another county's names, a
// host file — whenever an expression got past step 2 unseen. The quoted
// values are the channel; the message keeps its code and its words.
type analysisError struct{ err error }

// withoutQuoted is msg with everything from its first single quote to its
// last left out ('…'). The engine does not always escape a quote inside
// a value it quotes (Got parameter 'f(file('/etc/hostname'), 2)'), so the
// quoted values cannot be told apart from the words between them: a
// pattern of escaped quotes left /etc/hostname showing between two
// matches. The words between two values go too; the message keeps its
// code and the words around them. A lone quote hides the rest.
func withoutQuoted(msg string) string {
	first := strings.IndexByte(msg, '\'')
	if first < 0 {
		return msg
	}
	last := strings.LastIndexByte(msg, '\'')
	if last == first {
		return msg[:first] + "'…"
	}
	return msg[:first] + "'…'" + msg[last+1:]
}

func (e analysisError) Error() string {
	return withoutQuoted(e.err.Error()) + " (values the engine quoted while it analysed the statement are not shown)"
}

func (e analysisError) Unwrap() error { return e.err }
