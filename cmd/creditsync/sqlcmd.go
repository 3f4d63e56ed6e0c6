package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/zone"
)

// sqlFlags are the options of the sql command.
type sqlFlags struct {
	format   string
	write    bool
	file     string
	excel    bool
	maxRows  uint64
	maxBytes uint64
	timeout  time.Duration
}

// shortFormats are the names creditsync has always accepted, mapped to
// the engine's formats. json keeps the columns' order.
var shortFormats = map[string]string{
	"table": "PrettyCompactMonoBlock",
	"csv":   "CSVWithNames",
	"tsv":   "TSVWithNames",
	"json":  "JSONEachRow",
}

func (a *app) sqlCmd() *cobra.Command {
	var f sqlFlags
	cmd := &cobra.Command{
		Use:   "sql [QUERY]",
		Short: "Run SQL queries and print the results",
		Long: `sql runs ClickHouse SQL on the configured store and prints what the engine
writes in the chosen format, streamed: a large result is never held in
memory. Tables with replaced rows are read merged, so each key appears once.

The query comes from the argument, from --queries-file, or from standard
input; several statements separated by ';' run in turn. Query parameters
are written {name:Type} and given as --param_NAME=VALUE, as with
clickhouse-client.

--format takes any ClickHouse output format (CSVWithNames, TSVWithNames,
JSONEachRow, Pretty, Vertical, Markdown, Parquet, …), or table (the
default, an aligned table), csv (CSVWithNames), tsv (TSVWithNames) or
json (JSONEachRow: one object per row, keys in column order). A FORMAT
clause in the query wins.

Times print in Asia/Shanghai, the session's zone, so today() is the
bureau's date; a column typed with its own zone prints in that zone.
NULL prints as \N in CSV/TSV and null in JSON, never as an empty string.

The session is read-only unless --write is given: the engine refuses
INSERT, ALTER, DROP and any attempt to change settings. Ctrl-C or SIGTERM
cancels the running query (exit status 130). When standard error is a
terminal, queries running over a second show their progress there.`,
		Example: `  creditsync sql "SELECT county_code, grade, count() FROM v_current_grades GROUP BY ALL ORDER BY ALL"
  creditsync sql --format csv "SELECT * FROM import_rejects" > rejects.csv
  creditsync sql --format csv --excel "SELECT * FROM v_current_grades" > grades.csv
  creditsync sql --param_uscc=91411002MA4000000P "SELECT * FROM v_grade_history WHERE uscc = {uscc:String}"
  creditsync sql --format Parquet "SELECT * FROM institutions" > institutions.parquet
  creditsync sql --queries-file monthly.sql
  echo "SELECT today()" | creditsync sql`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("sql takes one query (quote it); got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			script, err := a.sqlScript(args, f.file)
			if err != nil {
				return err
			}
			stmts := sql.Split(script)
			if len(stmts) == 0 {
				return usageError{errors.New("sql needs a query: as the argument, with --queries-file, or on standard input")}
			}
			return a.runSQL(cmd.Context(), stmts, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "table", "output format: table, csv, tsv, json or any ClickHouse output format name")
	fl.BoolVar(&f.write, "write", false, "allow statements that change data (INSERT, ALTER, …)")
	fl.StringVar(&f.file, "queries-file", "", "read the queries from this file")
	fl.BoolVar(&f.excel, "excel", false, "CSV for Excel: start with a UTF-8 byte-order mark, so Excel reads Chinese text, and write a text that Excel would run as a formula (=, +, -, @) after an apostrophe")
	fl.Uint64Var(&f.maxRows, "max-result-rows", 0, "fail a query whose result has more rows (0: no limit)")
	fl.Uint64Var(&f.maxBytes, "max-result-bytes", 0, "fail a query whose result is larger (0: no limit)")
	fl.DurationVar(&f.timeout, "max-execution-time", 0, "stop a query running longer, e.g. 30s (0: no limit)")
	return cmd
}

// sqlScript returns the SQL to run. Standard input is read before the
// store opens: the embedded engine takes descriptor 0 away.
func (a *app) sqlScript(args []string, file string) (string, error) {
	switch {
	case len(args) == 1 && file != "":
		return "", usageError{errors.New("give the query either as the argument or with --queries-file, not both")}
	case len(args) == 1:
		return args[0], nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read queries: %w", err)
		}
		return string(b), nil
	}
	if isTerminal(a.stdin) {
		return "", usageError{errors.New("sql needs a query: as the argument, with --queries-file, or on standard input")}
	}
	b, err := io.ReadAll(a.stdin)
	if err != nil {
		return "", fmt.Errorf("read queries from standard input: %w", err)
	}
	return string(b), nil
}

func (a *app) runSQL(ctx context.Context, stmts []string, f sqlFlags) error {
	format := f.format
	if short, ok := shortFormats[format]; ok {
		format = short
	}
	params := make(store.Params, len(a.sqlParams))
	for k, v := range a.sqlParams {
		params[k] = store.RawParam(v)
	}
	if err := a.dataMustExist(); err != nil {
		return err
	}
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	s = unshared(s)
	if _, ok := s.(store.Formatter); !ok {
		return a.runSQLDecoded(ctx, s, stmts, f.format, params)
	}
	if err := checkFormat(ctx, s, format); err != nil {
		return err
	}
	buf := bufio.NewWriterSize(a.stdout, 1<<20)
	var out io.Writer = buf
	// flush ends the output, however the statements ended.
	flush := buf.Flush
	if f.excel && strings.HasPrefix(format, "CSV") {
		buf.WriteString("\uFEFF")
		// The engine writes names and texts as they are: one starting
		// with = would be a formula in Excel (report.ExcelText).
		defused := report.ExcelCSV(buf)
		out = defused
		flush = func() error {
			if err := defused.Close(); err != nil {
				buf.Flush()
				return err
			}
			return buf.Flush()
		}
	}
	prog := a.startProgress()
	defer prog.stop()
	base := store.FormatOptions{
		Format: format, Params: params, Writable: f.write, TimeZone: zone.Name, Database: s.Database(),
		MaxResultRows: f.maxRows, MaxResultBytes: f.maxBytes, MaxExecutionTime: f.timeout,
		Progress: prog.update,
	}
	audit := chhttp.StoreAudit(s, a.log.Warn)
	who := "sql on the host"
	if u, err := user.Current(); err == nil {
		who += " (" + u.Username + ")"
	}
	for i, q := range stmts {
		if i > 0 && strings.HasPrefix(format, "Pretty") {
			buf.WriteString("\n")
		}
		a.log.Debug("running query", "statement", i+1, "of", len(stmts))
		rec := chhttp.AuditRecord{At: time.Now(), Token: who, Remote: "local", QueryID: chhttp.NewQueryID(), Query: q, Kind: "write"}
		if !f.write {
			rec.Kind = "read-only"
		}
		err := a.runStatement(ctx, s, out, q, base, &rec)
		rec.Duration = time.Since(rec.At)
		audit(context.WithoutCancel(ctx), rec)
		if ctx.Err() != nil {
			prog.stop()
			flush()
			return interruptedError{}
		}
		if err != nil {
			prog.stop()
			flush()
			return sqlError(q, len(stmts), err, f.write)
		}
	}
	return flush()
}

// dataMustExist refuses to query a data directory that is not there (a
// mistyped CREDITSYNC_DATA would otherwise get a new, empty store that
// answers 0 to everything), or one that holds something other than a
// creditsync store. An empty directory is a new store, as init makes.
func (a *app) dataMustExist() error {
	if a.dsn != "" || a.shared != nil {
		return nil
	}
	entries, err := os.ReadDir(a.dataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &store.Error{Op: "open the data directory", Err: fmt.Errorf("%s does not exist", a.dataDir),
			Hint: "give the store's directory with --data or CREDITSYNC_DATA, or create a new store with `creditsync init --data " + a.dataDir + "`"}
	case err != nil:
		return fmt.Errorf("open the data directory: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(a.dataDir, "clickhouse")); err != nil {
		return &store.Error{Op: "open the data directory", Err: fmt.Errorf("%s holds no creditsync store (no clickhouse directory)", a.dataDir),
			Hint: "give the store's directory with --data or CREDITSYNC_DATA"}
	}
	return nil
}

// runStatement runs one statement of the sql command and notes in rec
// how it ended, for the audit trail.
func (a *app) runStatement(ctx context.Context, s store.Store, out io.Writer, q string, base store.FormatOptions, rec *chhttp.AuditRecord) error {
	q, opt, err := a.sqlSession(ctx, s, q, base)
	if err == nil {
		progress := opt.Progress
		opt.Progress = func(p store.Progress) {
			rec.ReadRows, rec.ResultRows, rec.ResultBytes = p.ReadRows, p.ResultRows, p.ResultBytes
			if progress != nil {
				progress(p)
			}
		}
		err = store.QueryFormatted(ctx, s, out, q, opt)
	}
	var denied *sqlaccess.Denied
	switch {
	case ctx.Err() != nil:
		rec.Outcome, rec.Error = "cancelled", ctx.Err().Error()
	case errors.As(err, &denied):
		rec.Outcome, rec.Error = "denied", err.Error()
	case err != nil:
		rec.Outcome, rec.Error = "error", err.Error()
	default:
		rec.Outcome = "ok"
	}
	return err
}

// sqlSession decides how q runs and returns the text to run. Read-only,
// the engine's parse of it must pass sqlaccess.Host: nothing written
// anywhere, INTO OUTFILE, SYSTEM and KILL included, and it runs only as
// proved to read as the statement checked (sqlaccess.Statement.Text). With --write, a statement
// writing INTO OUTFILE runs in one piece, so that the file is complete or
// the command fails.
func (a *app) sqlSession(ctx context.Context, s store.Store, q string, opt store.FormatOptions) (string, store.FormatOptions, error) {
	if !opt.Writable {
		st, err := sqlaccess.Check(ctx, s, sqlaccess.Host(chhttp.ParameterizedViews()...), q, opt)
		if err != nil {
			return q, opt, err
		}
		if st.Format != "" {
			opt.Format = st.Format
		}
		opt.FormatFixed = true
		// It runs as it was checked.
		opt.Settings = append(opt.Settings, sqlaccess.SessionSettings()...)
		return st.Text, opt, nil
	}
	outfile, err := sqlaccess.HasOutfile(ctx, s, q, opt)
	if err == nil && outfile {
		opt.Materialize = true
	}
	return q, opt, nil
}

// runSQLDecoded is the path of stores that cannot format results
// themselves (a ClickHouse server through the native protocol).
func (a *app) runSQLDecoded(ctx context.Context, s store.Store, stmts []string, format string, params store.Params) error {
	if _, ok := shortFormats[format]; !ok || format == "tsv" {
		return store.QueryFormatted(ctx, s, a.stdout, stmts[0], store.FormatOptions{Format: format})
	}
	for _, q := range stmts {
		rows, err := s.Query(ctx, q, params)
		if err != nil {
			return fmt.Errorf("query failed: %w", err)
		}
		err = writeRows(a.stdout, rows, format)
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// checkFormat refuses an unknown output format as a usage error, before
// any query runs.
func checkFormat(ctx context.Context, s store.Store, format string) error {
	rows, err := s.Query(ctx, "SELECT name FROM system.formats WHERE is_output AND lower(name) = lower({f:String}) ORDER BY name = {f:String} DESC", store.Params{"f": format})
	if err != nil {
		return fmt.Errorf("list output formats: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(names) > 0 && names[0] == format {
		return nil
	}
	msg := fmt.Sprintf("--format %q is neither table, csv, tsv, json nor a ClickHouse output format", format)
	if len(names) > 0 {
		msg += fmt.Sprintf(" (format names are case-sensitive: did you mean %s?)", names[0])
	}
	return usageError{errors.New(msg)}
}

// sqlError adds which statement failed and, for a refused write, how to
// allow it.
func sqlError(q string, n int, err error, writable bool) error {
	where := "query failed"
	if n > 1 {
		where = fmt.Sprintf("query failed: %.60s", strings.Join(strings.Fields(q), " "))
	}
	var denied *sqlaccess.Denied
	if !writable && strings.Contains(err.Error(), "Cannot modify '") {
		// A SETTINGS clause, not a write: telling its writer to add
		// --write to "change data" sent them the wrong way.
		return &store.Error{Op: where, Err: err, Hint: "sql reads with readonly = 1, under which a statement changes no setting: leave the SETTINGS clause out (--write allows it, and writes too)"}
	}
	if !writable && (strings.Contains(err.Error(), "readonly") || errors.As(err, &denied)) {
		// A refused read (file(), a host function) gets the same hint:
		// --write is the host operator's, not a way around the store.
		return &store.Error{Op: where, Err: err, Hint: "sql is read-only and reads the store alone; --write runs any statement, writes, files and host functions included, as this host's operator"}
	}
	return fmt.Errorf("%s: %w", where, err)
}

// interruptedError is a command stopped by Ctrl-C or SIGTERM (exit 130).
type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted" }

// progress shows, on a terminal's standard error, how far a query running
// over a second has got.
type progress struct {
	w     io.Writer
	start time.Time
	rows  atomic.Uint64
	bytes atomic.Uint64
	done  chan struct{}
	mu    sync.Mutex // orders the ticker's lines and the final clear
	shown bool
}

func (a *app) startProgress() *progress {
	p := &progress{w: a.stderr, start: time.Now(), done: make(chan struct{})}
	if !isTerminal(a.stderr) {
		close(p.done)
		return p
	}
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case now := <-t.C:
				if now.Sub(p.start) < time.Second {
					continue
				}
				p.mu.Lock()
				select {
				case <-p.done:
					p.mu.Unlock()
					return
				default:
				}
				p.shown = true
				fmt.Fprintf(p.w, "\r\033[K%s: %d rows, %s written", now.Sub(p.start).Round(100*time.Millisecond), p.rows.Load(), humanBytes(p.bytes.Load()))
				p.mu.Unlock()
			}
		}
	}()
	return p
}

func (p *progress) update(q store.Progress) {
	p.rows.Store(q.ResultRows)
	p.bytes.Store(q.ResultBytes)
}

func (p *progress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	if p.shown {
		p.shown = false
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func humanBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
