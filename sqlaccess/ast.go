package sqlaccess

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// node is one node of the engine's syntax tree as EXPLAIN AST prints it:
// one node a line, indented one space a level, "Kind [name] [(children N)]".
type node struct {
	kind     string // SelectWithUnionQuery, TableIdentifier, Function, Literal, …
	name     string // what follows the kind: an identifier, a function's name, a literal
	alias    string // the query's alias of the node ("… (alias a)"), "" when none
	parent   *node
	children []*node
	declared int // the children the engine said the node has
}

var childrenSuffix = regexp.MustCompile(` \(children ([0-9]+)\)$`)

// functionName is how a function is named in the tree: an identifier, or
// database.view for a parameterized view.
var functionName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// parseAST reads EXPLAIN AST's output (TSVRaw) into a tree. Anything it
// cannot place is an error, never a guess: a decision is only made on a
// tree read whole.
func parseAST(dump string) (*node, error) {
	lines := strings.Split(strings.TrimRight(dump, "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) == "" {
		return nil, fmt.Errorf("the engine printed no syntax tree")
	}
	var root *node
	var stack []*node // stack[d] is the last node seen at depth d
	for i, line := range lines {
		depth := len(line) - len(strings.TrimLeft(line, " "))
		text := strings.TrimSpace(line)
		if text == "" {
			return nil, fmt.Errorf("syntax tree line %d is empty", i+1)
		}
		declared := 0
		// The engine's " (children N)" ends the line; an alias ending in
		// "(children 5)" is followed by the alias's own ")".
		if m := childrenSuffix.FindStringSubmatch(text); m != nil {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				return nil, fmt.Errorf("syntax tree line %d: %q", i+1, text)
			}
			declared = n
			text = text[:len(text)-len(m[0])]
		}
		// "… (alias a)" follows a named node; the alias is the query's
		// own, printed as it is: one holding " (alias " itself made the
		// name "arrayReduce (alias q", which no check recognised. Such a
		// line is not read.
		if strings.Count(text, " (alias ") > 1 {
			return nil, fmt.Errorf("syntax tree line %d names more than one alias", i+1)
		}
		alias := ""
		if j := strings.LastIndex(text, " (alias "); j > 0 && strings.HasSuffix(text, ")") {
			text, alias = text[:j], text[j+len(" (alias "):len(text)-1]
		}
		kind, name, _ := strings.Cut(text, " ")
		// Every function the engine has is named by an identifier (a
		// parameterized view by its database too): any other name is a
		// line not read as the engine meant it.
		if kind == "Function" && !functionName.MatchString(name) {
			return nil, fmt.Errorf("syntax tree line %d: %q is no function's name", i+1, name)
		}
		n := &node{kind: kind, name: name, alias: alias, declared: declared}
		switch {
		case i == 0:
			if depth != 0 {
				return nil, fmt.Errorf("syntax tree starts indented")
			}
			root = n
		case depth < 1 || depth > len(stack):
			return nil, fmt.Errorf("syntax tree line %d is indented %d under depth %d", i+1, depth, len(stack)-1)
		default:
			n.parent = stack[depth-1]
			n.parent.children = append(n.parent.children, n)
		}
		stack = append(stack[:depth], n)
	}
	// A tree cut short (or padded) is not read: every node has the
	// children the engine announced.
	err := root.walk(func(n *node) error {
		if len(n.children) != n.declared {
			return fmt.Errorf("syntax tree node %s %s has %d children, the engine announced %d", n.kind, n.name, len(n.children), n.declared)
		}
		return nil
	})
	return root, err
}

// walk calls f for n and every node below it.
func (n *node) walk(f func(*node) error) error {
	if err := f(n); err != nil {
		return err
	}
	for _, c := range n.children {
		if err := c.walk(f); err != nil {
			return err
		}
	}
	return nil
}

// controlInName reports whether a name of canonical, the engine's writing
// of a statement (formatQuery), holds a control character: a line break
// above all. The engine writes every name that needs quoting between
// backquotes, with backslash escapes (a line break as \n), and every
// string between single quotes, with the same escapes (a heredoc
// becomes one), so a name is told from a string by its quotes alone.
func controlInName(canonical string) bool {
	var quote byte // 0 outside quotes, else the quote we are in
	for i := 0; i < len(canonical); i++ {
		c := canonical[i]
		switch {
		case quote == 0:
			if c == '\'' || c == '`' || c == '"' {
				quote = c
			}
		case c == '\\':
			i++
			if quote != '\'' && i < len(canonical) && !strings.ContainsRune("\\'`\"", rune(canonical[i])) {
				return true // \n, \r, \t, \0, \x0A …: a control character, or one written as a code
			}
		case c == quote:
			quote = 0
		case quote != '\'' && (c < 0x20 || c == 0x7f):
			return true
		}
	}
	return false
}
