package chhttp

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/store"
)

// AuditRecord is what the audit trail keeps of one request to the
// endpoint: who asked (the token's name, never the token), what, and how
// it ended.
type AuditRecord struct {
	At      time.Time
	Token   string // the credential's name; "(none)" when none was accepted
	County  string // the token's county, "" for the city
	Remote  string // the client's address
	QueryID string
	Query   string // as sent; its head and tail when longer than maxAuditQuery bytes
	// Statement is the statement as the engine parsed and wrote it back:
	// comments gone, so a long comment cannot push what ran out of the
	// trail. Empty when the engine could not parse the text.
	Statement string
	// Reads are the tables the statement read, as the engine resolved
	// them (sqlaccess.Statement.Reads): recorded whole, however long the
	// statement, and whatever its text hides.
	Reads []string
	// Params are the values the query's parameters were given
	// (param_<name>): the statement shows {name:Type} only.
	Params map[string]string
	// Settings are the settings given in the URL (limit, offset,
	// max_result_rows, …), as sent: they change what the statement
	// answers, and the statement does not show them.
	Settings map[string]string
	Kind     string // SELECT, DESCRIBE, KILL QUERY, … as the engine parsed it
	Outcome  string // ok | denied | error | cancelled
	Error    string
	// ReadRows are the rows the engine read (its progress), 0 for a
	// county token: they count the rows below its views' filter, the
	// whole city's.
	ReadRows uint64
	// ResultRows and ResultBytes are the rows of the answer and its size
	// as written.
	ResultRows, ResultBytes uint64
	Duration                time.Duration

	streamed bool // the error was written into a started answer
}

// maxAuditQuery bounds each text kept in the trail (the query as sent,
// the statement, the error), and maxLogQuery in the log.
const (
	maxAuditQuery = 16 << 10
	maxAuditParam = 1 << 10
	maxLogQuery   = 300
)

// truncate keeps s whole up to n bytes, else its head and its tail, n/2
// bytes each (whole runes), with how much was left out between them: what
// ends a statement (a FORMAT, a SETTINGS) is as telling as how it starts.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	h := n / 2
	for h > 0 && !utf8.RuneStart(s[h]) {
		h--
	}
	t := len(s) - n/2
	for t < len(s) && !utf8.RuneStart(s[t]) {
		t++
	}
	return fmt.Sprintf("%s …(%d bytes left out)… %s", s[:h], t-h, s[t:])
}

func (h *Handler) audit(ctx context.Context, rec *AuditRecord) {
	rec.Query = truncate(rec.Query, maxAuditQuery)
	rec.Statement = truncate(rec.Statement, maxAuditQuery)
	rec.Error = truncate(rec.Error, maxAuditQuery)
	h.opt.Log.Info("sql query", "token", rec.Token, "scope", firstOf(rec.County, "city"), "remote", rec.Remote,
		"query_id", rec.QueryID, "kind", rec.Kind, "outcome", rec.Outcome, "read_rows", rec.ReadRows,
		"result_rows", rec.ResultRows, "result_bytes", rec.ResultBytes, "duration", rec.Duration.Round(time.Millisecond),
		"reads", strings.Join(rec.Reads, ","), "statement", truncate(firstOf(rec.Statement, rec.Query), maxLogQuery), "error", truncate(rec.Error, maxLogQuery))
	if h.opt.Audit != nil {
		h.opt.Audit(context.WithoutCancel(ctx), *rec)
	}
}

// StoreAudit returns an audit sink that appends records to the table
// sql_audit of s (sql/migrations/0090_sql_audit.sql). Its county_code makes
// the endpoint's scoped views show a county token its own records; the
// city token reads them all. A record that cannot be written is logged.
func StoreAudit(s store.Store, log func(msg string, args ...any)) func(context.Context, AuditRecord) {
	columns := []string{"at", "token", "county_code", "remote", "query_id", "query", "statement", "reads", "params", "settings", "kind", "outcome", "error", "read_rows", "result_rows", "result_bytes", "duration_ms"}
	return func(ctx context.Context, r AuditRecord) {
		r.Query, r.Statement, r.Error = truncate(r.Query, maxAuditQuery), truncate(r.Statement, maxAuditQuery), truncate(r.Error, maxAuditQuery)
		params, settings := truncateEach(r.Params), truncateEach(r.Settings)
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		row := []any{r.At, r.Token, r.County, r.Remote, r.QueryID, r.Query, r.Statement, r.Reads, params, settings, r.Kind, r.Outcome, r.Error, r.ReadRows, r.ResultRows, r.ResultBytes, uint64(r.Duration.Milliseconds())}
		var rows iter.Seq2[[]any, error] = func(yield func([]any, error) bool) { yield(row, nil) }
		if _, err := s.Insert(ctx, "sql_audit", columns, rows); err != nil && log != nil {
			log("sql audit: record not written", "query_id", r.QueryID, "error", fmt.Sprint(err))
		}
	}
}

// truncateEach is m with each name and value cut to maxAuditParam bytes.
func truncateEach(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[truncate(k, maxAuditParam)] = truncate(v, maxAuditParam)
	}
	return out
}
