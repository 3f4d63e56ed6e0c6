package sqlaccess

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuchang-hrss/creditsync/store"
)

// A value generator's structure ('a UInt8, b String') is parsed by the
// engine as column declarations while it resolves the statement, and a
// declaration may carry an expression it evaluates (DEFAULT file(…)).
// Whether the text holds more than names and types was decided by a
// pattern over the literal as the tree prints it, escapes and all: a tab
// before DEFAULT printed as \tDEFAULT, no word boundary, and a county
// token read the daemon's environment. The engine now decides: the
// structure, as the statement gives it, is parsed as the columns of a
// table (EXPLAIN AST, which runs nothing), and every column must be a
// name and a type, the type made of types and literals only.

// structureLiterals returns the structure strings of the value
// generators of root, as the tree prints them (quoted, escaped):
// generateRandom's first argument, and values' when it is a string.
// checkStructure has refused any other first argument of generateRandom.
func structureLiterals(root *node) []string {
	var out []string
	root.walk(func(n *node) error {
		if n.kind != "Function" || n.parent == nil || n.parent.kind != "TableExpression" ||
			(n.name != "generateRandom" && n.name != "values") || len(n.children) == 0 || len(n.children[0].children) == 0 {
			return nil
		}
		if first := n.children[0].children[0]; first.kind == "Literal" && strings.HasPrefix(first.name, "'") {
			out = append(out, first.name)
		}
		return nil
	})
	return out
}

// checkStructureByEngine has the engine parse a structure (as printed in
// the tree) as a table's columns and refuses anything but names and
// types.
func (p Policy) checkStructureByEngine(ctx context.Context, s store.Store, printed string, opt store.FormatOptions) error {
	refused := &Denied{Policy: p.Name, What: "a structure of a value generator that declares more than columns and types"}
	text, err := unquoteLiteral(printed)
	if err != nil {
		return refused
	}
	opt.StatementSettings = false
	// The closing text on a line of its own: a structure ending in a
	// comment (-- …) comments out nothing of it, and one that closes the
	// parenthesis itself leaves it unmatched.
	dump, err := explain(ctx, s, "EXPLAIN AST CREATE TABLE structure ("+text+"\n) ENGINE = Null", opt)
	if err != nil {
		return refused // not a list of columns the engine reads alone
	}
	root, err := parseAST(dump)
	if err != nil || !onlyNamesAndTypes(root) {
		return refused
	}
	return nil
}

// onlyNamesAndTypes reports whether root is CREATE TABLE structure (…)
// ENGINE = Null whose every column is a name and a type.
func onlyNamesAndTypes(root *node) bool {
	if root.kind != "CreateQuery" || len(root.children) != 3 {
		return false
	}
	id, cols, engine := root.children[0], root.children[1], root.children[2]
	if id.kind != "Identifier" || id.name != "structure" ||
		cols.kind != "Columns" || len(cols.children) != 1 || cols.children[0].kind != "ExpressionList" ||
		engine.kind != "Storage" || len(engine.children) != 1 || engine.children[0].kind != "Function" ||
		engine.children[0].name != "Null" || len(engine.children[0].children) != 0 {
		return false
	}
	list := cols.children[0].children
	if len(list) == 0 {
		return false
	}
	for _, c := range list {
		if c.kind != "ColumnDeclaration" || len(c.children) != 1 || !typeOnly(c.children[0]) {
			return false
		}
	}
	return true
}

// typeOnly reports whether n is a data type made of data types, literals
// (Decimal(10, 2), DateTime('UTC')) and their lists: no function, no
// identifier, nothing evaluated.
func typeOnly(n *node) bool {
	switch n.kind {
	case "DataType", "TupleDataType", "EnumDataType", "ExpressionList":
	case "Literal":
		return len(n.children) == 0
	default:
		return false
	}
	for _, c := range n.children {
		if !typeOnly(c) {
			return false
		}
	}
	return true
}

// unquoteLiteral reads a string literal as the engine prints it in a
// syntax tree: in single quotes, with backslash escapes. An escape it does
// not know is an error: the text is then not read by a guess.
func unquoteLiteral(printed string) (string, error) {
	if len(printed) < 2 || printed[0] != '\'' || printed[len(printed)-1] != '\'' {
		return "", errors.New("not a quoted string")
	}
	body := printed[1 : len(printed)-1]
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++ // the escaped byte, a quote included
		case '\'':
			return "", errors.New("an unescaped quote")
		}
	}
	return unbackslash(body, false)
}

// unbackslash undoes the engine's backslash escapes (\n, \t, \0, \xHH,
// \\, \' …), as its TSV and its quoted strings write them. An escape of
// another byte is that byte when lenient (TSV's reading), else an error.
func unbackslash(s string, lenient bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", errors.New("a value ends in a lone backslash")
		}
		switch s[i] {
		case '\\', '\'', '"', '`':
			b.WriteByte(s[i])
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'a':
			b.WriteByte('\a')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			if i+2 >= len(s) {
				return "", errors.New("a short \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("escape \\x%s: %w", s[i+1:i+3], err)
			}
			b.WriteByte(byte(v))
			i += 2
		default:
			if !lenient {
				return "", fmt.Errorf("unknown escape \\%c", s[i])
			}
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// byAggregateName are the functions that take an aggregate function as a
// string (lower-cased): arrayReduce('sum', …). The engine parses the
// string as a call, name(parameters), and evaluates each parameter while
// it resolves the statement — the tree shows a string, and a parameter
// file('/proc/self/environ') or a subquery over another county's table
// came back in the result (groupArrayInsertAt(…, 2) puts it there).
var byAggregateName = []string{"arrayreduce", "arrayreduceinranges", "initializeaggregation"}

// aggregateName is what such a string may say: a name, with combinators
// (sumIf, groupArrayState), and numeric parameters written out
// (quantile(0.9), topK(10)) — nothing the engine could evaluate.
var aggregateName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\(\s*[-+]?[0-9][0-9.eE+-]*(\s*,\s*[-+]?[0-9][0-9.eE+-]*)*\s*\))?$`)

// maxParameters bounds the parameters of a parametric aggregate function
// (quantiles(0.1, 0.5, 0.9)(x)): the exact quantiles make one pass over
// every row of a group for each level, in one call the engine neither
// times nor lets KILL QUERY stop (10,000 levels over 12 M rows held a
// slot for three minutes past a 60 s cap). 32 levels are more than a
// report needs; more are asked in several calls.
const maxParameters = 32

// checkParameters refuses a call with more than maxParameters parameters,
// in the syntax tree (an ExpressionList after the arguments) or in the
// name string an aggregate is given by (arrayReduce('quantilesExact(…)')).
func (p Policy) checkParameters(n *node) error {
	for _, c := range n.children[min(1, len(n.children)):] {
		if c.kind == "ExpressionList" && len(c.children) > maxParameters {
			return &Denied{Policy: p.Name, What: fmt.Sprintf("%s with %d parameters (at most %d: ask for more levels in another call)", n.name, len(c.children), maxParameters)}
		}
	}
	return nil
}

// checkAggregateName refuses a function of byAggregateName whose first
// argument is not a string written in the statement naming an aggregate
// function with numeric parameters at most: an alias, concat(…), a query
// parameter or a subquery is folded to the string before it is parsed,
// so only a literal is checked.
func (p Policy) checkAggregateName(n *node) error {
	if !slices.Contains(byAggregateName, strings.ToLower(n.name)) {
		return nil
	}
	refused := &Denied{Policy: p.Name, What: "a first argument of " + n.name + " other than an aggregate function's name (with numeric parameters) written in the statement"}
	if len(n.children) == 0 || len(n.children[0].children) == 0 {
		return refused
	}
	first := n.children[0].children[0]
	if first.kind != "Literal" {
		return refused
	}
	name, err := unquoteLiteral(first.name)
	if err != nil || !aggregateName.MatchString(name) {
		return refused
	}
	if params := strings.Count(name, ",") + 1; strings.Contains(name, "(") && params > maxParameters {
		return &Denied{Policy: p.Name, What: fmt.Sprintf("%s naming an aggregate with %d parameters (at most %d)", n.name, params, maxParameters)}
	}
	return nil
}
