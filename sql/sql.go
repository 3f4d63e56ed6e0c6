// Package sql holds every SQL statement creditsync runs, as files embedded
// in the binary: versioned schema migrations under migrations/ and named
// queries under queries/. Go code orchestrates them; it does not build SQL.
//
// Files are Go templates so that one text serves a single node and a
// cluster, and a block several queries of a folder share lives once, in a
// file of that folder whose name starts with "_" ({{define}} there,
// {{template}} in the queries). For the cluster: {{.OnCluster}} renders "ON CLUSTER `name`" or nothing, and
// {{engine "ReplacingMergeTree(version)"}} renders the Replicated variant on
// a cluster.
package sql

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

//go:embed all:migrations all:queries
var files embed.FS

// Target describes where SQL will run, for rendering templates.
type Target struct {
	Cluster string // "" on a single node
}

func (t Target) funcs() template.FuncMap {
	return template.FuncMap{
		"lists":    t.listsNamed,
		"allLists": allLists,
		"join":     strings.Join,
		"engine": func(e string) string {
			if t.Cluster == "" {
				return e
			}
			name, args, _ := strings.Cut(e, "(")
			args = strings.TrimSuffix(args, ")")
			// {uuid}: the table's UUID, which ON CLUSTER gives every
			// replica alike; a table re-created after a drop that was not
			// SYNC gets a new path instead of meeting the old one's
			// leftovers in Keeper.
			zk := "'/clickhouse/tables/{uuid}/{shard}', '{replica}'"
			if args != "" {
				zk += ", " + args
			}
			return "Replicated" + name + "(" + zk + ")"
		},
	}
}

func (t Target) onCluster() string {
	if t.Cluster == "" {
		return ""
	}
	return "ON CLUSTER `" + t.Cluster + "`"
}

// renderWith renders text with data (identifiers from the contract, never
// user input) beside .OnCluster. partials are the texts of the
// {{define}}d blocks the text may include with {{template}}.
func (t Target) renderWith(name, text string, data map[string]any, partials map[string]string) (string, error) {
	tpl, err := template.New(name).Funcs(t.funcs()).Parse(text)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", name, err)
	}
	for pname, ptext := range partials {
		if _, err := tpl.New(pname).Parse(ptext); err != nil {
			return "", fmt.Errorf("parse %s: %w", pname, err)
		}
	}
	all := map[string]any{"OnCluster": t.onCluster()}
	for k, v := range data {
		all[k] = v
	}
	var buf bytes.Buffer
	if err := tpl.Option("missingkey=error").Execute(&buf, all); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return buf.String(), nil
}

// Migration is one versioned schema step.
type Migration struct {
	Version    int
	Name       string   // file name without version and extension
	Statements []string // rendered, one statement each
	Checksum   string   // of the file text, to notice edited migrations
	// Former are checksums of earlier texts of the file that differ only
	// in comments (formerChecksums); databases that applied one of those
	// texts are up to date.
	Former []string
}

// Matches reports whether a checksum recorded when the migration was
// applied is that of this text or of a former one.
func (m Migration) Matches(recorded string) bool {
	return recorded == m.Checksum || slices.Contains(m.Former, recorded)
}

// formerChecksums are the checksums of released migration texts whose
// comments have been edited since. Only comments may ever change; the
// statements of a released migration never do.
var formerChecksums = map[int][]string{
	1:  {"b40fbc0f158fe32f"}, // named the specification files outside the repository
	3:  {"4401da815ebd4bf9"}, // the same
	50: {"482ac0265e10ceee"}, // pointed to a section of the README, now docs/analysts.md
}

// Migrations returns every migration in version order, rendered for t.
// Files of migrations/ whose name starts with "_" are not migrations but
// blocks the migrations may include, as with queries.
func Migrations(t Target) ([]Migration, error) {
	partials, err := partialsOf("migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[int]string{}
	for _, src := range append([]fs.FS{files}, extra...) {
		ms, err := migrationsIn(t, src, partials, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// extra are the folders of migrations added by AddMigrations.
var extra []fs.FS

// AddMigrations adds the migrations of fsys's folder "migrations" to the
// embedded ones until remove is called: the tests' own lists bring their
// tables this way (see docs/development.md, "Adding a list"). Like
// contract.Register, it must run before anything reads the migrations.
func AddMigrations(fsys fs.FS) (remove func()) {
	extra = append(slices.Clip(extra), fsys)
	return func() {
		extra = slices.DeleteFunc(slices.Clone(extra), func(f fs.FS) bool { return f == fsys })
	}
}

func migrationsIn(t Target, src fs.FS, partials map[string]string, seen map[int]string) ([]Migration, error) {
	entries, err := fs.ReadDir(src, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		file := e.Name()
		if strings.HasPrefix(file, "_") || !strings.HasSuffix(file, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_description.sql", file)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, file, v)
		}
		seen[v] = file
		raw, err := fs.ReadFile(src, path.Join("migrations", file))
		if err != nil {
			return nil, err
		}
		text, err := t.renderWith(file, string(raw), nil, partials)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, Statements: Split(text), Checksum: checksum(raw), Former: formerChecksums[v]})
	}
	return out, nil
}

// Query returns the named query (a path under queries/ without ".sql"),
// rendered for t.
func Query(t Target, name string) (string, error) {
	return QueryWith(t, name, nil)
}

// QueryWith renders a query template whose table and column names vary
// (the same load step for each of the seven lists).
func QueryWith(t Target, name string, data map[string]any) (string, error) {
	raw, err := files.ReadFile(path.Join("queries", name+".sql"))
	if err != nil {
		return "", fmt.Errorf("query %s: %w", name, err)
	}
	partials, err := partialsOf(path.Dir(path.Join("queries", name)))
	if err != nil {
		return "", fmt.Errorf("query %s: %w", name, err)
	}
	text, err := t.renderWith(name, string(raw), data, partials)
	if err != nil {
		return "", err
	}
	stmts := Split(text)
	if len(stmts) != 1 {
		return "", fmt.Errorf("query %s: file holds %d statements, want 1", name, len(stmts))
	}
	return stmts[0], nil
}

// MustQuery is Query for names known at compile time; the tests in this
// package render every query file, so a panic here is a programming error
// caught by `make test`.
func MustQuery(t Target, name string) string {
	q, err := Query(t, name)
	if err != nil {
		panic(err)
	}
	return q
}

// QueryNames lists the queries under queries/.
func QueryNames() []string {
	var names []string
	_ = fs.WalkDir(files, "queries", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") && !strings.HasPrefix(path.Base(p), "_") {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(p, "queries/"), ".sql"))
		}
		return nil
	})
	return names
}

// QueryFields lists the template data a query file uses besides
// OnCluster, so tests can render every query with stand-ins.
func QueryFields(name string) ([]string, error) {
	raw, err := files.ReadFile(path.Join("queries", name+".sql"))
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	partials, err := partialsOf(path.Dir(path.Join("queries", name)))
	if err != nil {
		return nil, err
	}
	text := string(raw)
	for _, p := range partials {
		text += p // the blocks it may include use fields too
	}
	var out []string
	for _, m := range fieldRef.FindAllStringSubmatch(text, -1) {
		if m[1] != "OnCluster" && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out, nil
}

// fieldRef finds the first field an action names: {{.Table}}, {{- if
// .ByRecord}}; not a variable's ({{$l.Name}}, a list of allLists).
var fieldRef = regexp.MustCompile(`\{\{[^}$]*?\.([A-Z]\w*)`)

// partialsOf reads the shared blocks of a query folder: files whose name
// starts with "_", each {{define}}-ing blocks its queries include.
func partialsOf(dir string) (map[string]string, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "_") && strings.HasSuffix(e.Name(), ".sql") {
			b, err := files.ReadFile(path.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			out[e.Name()] = string(b)
		}
	}
	return out, nil
}

func checksum(b []byte) string {
	// FNV-1a is enough to notice an edited file; this is not security.
	var h uint64 = 14695981039346656037
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return strconv.FormatUint(h, 16)
}

// Split cuts SQL text into statements at semicolons outside quotes,
// backquotes and comments (--, #, /* */), as clickhouse-client does with
// --multiquery; a backslash or a doubled quote escapes a quote. Pieces
// holding only comments, and empty ones, are dropped. Migrations and the
// sql command's scripts are both cut here.
func Split(script string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(script[start:end]); s != "" && !onlyComments(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(script); i++ {
		switch c := script[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(script, i)
		case c == '-' && strings.HasPrefix(script[i:], "--"), c == '#':
			if j := strings.IndexByte(script[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(script)
			}
		case c == '/' && strings.HasPrefix(script[i:], "/*"):
			if j := strings.Index(script[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(script)
			}
		case c == ';':
			emit(i)
			start = i + 1
		}
	}
	if start < len(script) {
		emit(len(script))
	}
	return out
}

// skipQuoted returns the index of the quote closing the one at i; a
// backslash or a doubled quote escapes it.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return len(s)
}

// onlyComments reports whether a statement holds nothing but comments.
func onlyComments(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") && !strings.HasPrefix(line, "#") && !(strings.HasPrefix(line, "/*") && strings.HasSuffix(line, "*/")) {
			return false
		}
	}
	return true
}
