package sqlaccess

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

// Setting is one setting a statement or a request changes.
type Setting = store.Setting

// SettingError refuses a setting the way ClickHouse does: READONLY (164)
// for one a read-only user may not change, SETTING_CONSTRAINT_VIOLATION
// (452) for a value past the server's cap.
type SettingError struct {
	Code int
	Msg  string
}

func (e *SettingError) Error() string { return e.Msg }

// changeable are the settings a read-only analyst may change: how results
// are written, and limits the server's caps still bound (not memory: the
// daemon shares its process with the engine). Everything else —
// readonly itself, log_comment (it names the query to cancel), the query
// cache (shared by every token of the embedded engine), file and schema
// paths, the analyzer, anything about writing — is refused, and so is
// send_logs_level: the embedded engine writes the log it asks for, query
// text and all, to the daemon's own log, where a token could forge lines.
//
// Limits on what a query reads, groups or sorts (max_rows_to_read,
// max_rows_to_sort, …) are refused too: they count the rows below a
// county's filter, and their errors ("current rows: 300") told a county
// how many rows the whole city has.
//
// So are settings that change how a view's own statement resolves:
// join_use_nulls and prefer_column_name_to_alias apply inside the
// views too, and every grade view failed under them (its joins made
// Nullable, its aliases ambiguous), the error printing the view's
// definition.
var changeable = []string{
	"max_execution_time", "timeout_overflow_mode", "max_result_rows", "max_result_bytes", "result_overflow_mode",
	"max_threads", "max_block_size",
	"limit", "offset", "extremes", "totals_mode", "date_time_output_format", "date_time_input_format",
	"date_time_overflow_behavior", "session_timezone", "max_query_size", "max_ast_depth", "max_ast_elements",
	"format_csv_delimiter", "format_csv_allow_single_quotes", "format_csv_allow_double_quotes", "format_csv_null_representation",
	"format_tsv_null_representation", "format_display_secrets_in_show_and_select", "cast_keep_nullable", "aggregate_functions_null_for_empty",
	"union_default_mode", "joined_subquery_requires_alias", "use_uncompressed_cache",
	"cancel_http_readonly_queries_on_client_close", "http_headers_progress_interval_ms", "send_progress_in_http_headers",
	"network_compression_method", "network_zstd_compression_level", "enable_http_compression", "http_zlib_compression_level",
	"http_wait_end_of_query", "wait_end_of_query", "interactive_delay", "connect_timeout", "receive_timeout", "send_timeout",
}

// notChangeable are output settings that name files or schemas.
var notChangeable = []string{"output_format_schema", "format_schema", "format_template_resultset", "format_template_row", "format_template_rows_between_delimiter", "format_display_secrets_in_show_and_select",
	// The statistics count what the engine read below a county's filter.
	"output_format_write_statistics"}

// namingFiles are the words of output settings that name something on the
// host (a time zone file, a schema, a path): the engine opens what they
// name, and whether it exists shows in its error
// (output_format_orc_writer_time_zone_name = '../../etc/passwd').
var namingFiles = []string{"zone", "schema", "path", "file", "template", "dir"}

// silent are settings that may be changed for a run but not by a
// statement's own SETTINGS clause: those apply to the checks' EXPLAINs too,
// and these would cut their output short without an error.
var silent = []string{"limit", "offset", "result_overflow_mode", "read_overflow_mode", "timeout_overflow_mode",
	"group_by_overflow_mode", "sort_overflow_mode"}

// capped are the limits the server sets, with the options that hold them.
var capped = map[string]func(store.FormatOptions) (uint64, bool){
	"max_execution_time": func(o store.FormatOptions) (uint64, bool) {
		return uint64(o.MaxExecutionTime / time.Second), o.MaxExecutionTime > 0
	},
	"max_result_rows": func(o store.FormatOptions) (uint64, bool) { return o.MaxResultRows, o.MaxResultRows > 0 },
	// Not past the memory of a query either: a format written in one
	// piece is built whole outside the query's memory limit, and bounded
	// by this limit instead (store/embedded's onePieceLimit).
	"max_result_bytes": func(o store.FormatOptions) (uint64, bool) {
		b := o.MaxResultBytes
		if o.MaxMemoryUsage > 0 && (b == 0 || b > o.MaxMemoryUsage) {
			b = o.MaxMemoryUsage
		}
		return b, b > 0
	},
	"max_threads": func(o store.FormatOptions) (uint64, bool) { return o.MaxThreads, o.MaxThreads > 0 },
	// The engine pauses a yielding query only between its blocks: a
	// block of forty million rows is a pause that never comes.
	"max_block_size": func(o store.FormatOptions) (uint64, bool) { return maxBlockSize, !o.Writable },
	// The parser's limits, at the engine's defaults: a token may lower
	// them, not raise them (a statement of millions of elements is a
	// parse that takes the cores before any slot is taken).
	"max_ast_elements": func(o store.FormatOptions) (uint64, bool) { return 50_000, !o.Writable },
	"max_ast_depth":    func(o store.FormatOptions) (uint64, bool) { return 1_000, !o.Writable },
	"max_query_size":   func(o store.FormatOptions) (uint64, bool) { return MaxQuerySize, !o.Writable },
}

// MaxQuerySize is the engine's default max_query_size, the longest query
// text a token may send (it may lower the setting, not raise it): the
// endpoint reads and checks no longer text.
const MaxQuerySize = 262_144

// maxBlockSize is the largest block a token may ask for (the engine's
// default is 65,409 rows).
const maxBlockSize = 1 << 16

// minLimit is the least value of a capped setting that is a limit: a
// time under a millisecond is 0 to the engine, no limit at all.
var minLimit = map[string]float64{"max_execution_time": 0.001, "max_result_rows": 1, "max_result_bytes": 1, "max_threads": 1, "max_block_size": 1,
	"max_ast_elements": 1, "max_ast_depth": 1, "max_query_size": 1}

// CheckSetting decides whether a read-only session may change name to
// value, under the caps of opt (its limits).
func CheckSetting(name, value string, opt store.FormatOptions) error {
	output := strings.HasPrefix(name, "output_format_") && !slices.ContainsFunc(namingFiles, func(w string) bool { return strings.Contains(name, w) })
	allowed := (slices.Contains(changeable, name) || output) && !slices.Contains(notChangeable, name)
	if !allowed {
		return &SettingError{Code: 164, Msg: fmt.Sprintf("Code: 164. DB::Exception: Cannot modify '%s' setting in readonly mode. (READONLY)", name)}
	}
	if strings.IndexByte(value, 0) >= 0 {
		// The engine reads some values as C strings, up to the NUL: a
		// session_timezone of "UTC\0x" ran in UTC while Go read no zone,
		// and the header naming the zone carried the NUL.
		return &SettingError{Code: 36, Msg: fmt.Sprintf("Code: 36. DB::Exception: Setting %s: a NUL byte in its value. (BAD_ARGUMENTS)", name)}
	}
	if name == "extremes" && !slices.Contains([]string{"0", "false"}, strings.ToLower(strings.Trim(value, "'"))) {
		return errExtremes
	}
	if limit, ok := capped[name]; ok {
		if cap, on := limit(opt); on {
			v, err := strconv.ParseFloat(strings.Trim(value, "'"), 64)
			if err != nil {
				return &SettingError{Code: 452, Msg: fmt.Sprintf("Code: 452. DB::Exception: Setting %s must be a number within the server's limit %d. (SETTING_CONSTRAINT_VIOLATION)", name, cap)}
			}
			if !(v >= minLimit[name]) || v > float64(cap) {
				// 0, a negative value or one that rounds to 0 means
				// no limit to the engine; NaN compares false.
				return &SettingError{Code: 452, Msg: fmt.Sprintf("Code: 452. DB::Exception: Setting %s shouldn't be greater than %d (0 means no limit, which the server does not allow). (SETTING_CONSTRAINT_VIOLATION)", name, cap)}
			}
		}
	}
	return nil
}

// CheckSettings decides each of settings as CheckSetting does, except
// that one it refuses as not changeable (READONLY) is allowed when its
// value is exactly the value the engine reports for it in the session a
// statement of p runs in under opt: a ClickHouse server does not check a
// setting whose value does not change (SettingsConstraints: "Setting
// isn't checked if value has not changed"), and clients send such
// settings as they are (readonly=1, log_queries=1, a driver's defaults).
// It returns the settings that change something, those unchanged left
// out, or the first refusal.
//
// Exactly: the text as given against the engine's own writing of the
// value in force, byte for byte, so that no other spelling, quoting or
// type conversion of a value (true for 1, 1.0, '1') can reach the engine
// as a change. The session is the run's: its limits, its catalog filter
// (additional_table_filters) and, when the statement has a SETTINGS
// clause (opt.StatementSettings), its readonly = 2. A limit, the catalog
// filter and readonly itself are thus accepted only as the value they
// already have. The values are read in one query, however many settings.
func CheckSettings(ctx context.Context, s store.Store, p Policy, settings []Setting, opt store.FormatOptions) ([]Setting, error) {
	errs := make([]error, len(settings))
	var asked []string
	for i, st := range settings {
		errs[i] = CheckSetting(st.Name, st.Value, opt)
		if notChangeableError(errs[i]) {
			asked = append(asked, st.Name)
		}
	}
	var current map[string]string
	if len(asked) > 0 {
		var err error
		if current, err = sessionValues(ctx, s, p, asked, opt); err != nil {
			return nil, fmt.Errorf("read the session's values of settings: %w", err)
		}
	}
	var out []Setting
	for i, st := range settings {
		switch v, found := current[st.Name]; {
		case errs[i] == nil:
			out = append(out, st)
		case notChangeableError(errs[i]) && found && v == st.Value:
			// Unchanged: nothing to set.
		default:
			return nil, errs[i]
		}
	}
	return out, nil
}

// notChangeableError tells CheckSetting's refusal of a setting a
// read-only session may not change at all (not one of a value past a cap).
func notChangeableError(err error) bool {
	var se *SettingError
	return errors.As(err, &se) && se.Code == 164
}

// sessionValues are the values the engine reports for the settings names
// (system.settings) in the session a statement of p runs in under opt.
func sessionValues(ctx context.Context, s store.Store, p Policy, names []string, opt store.FormatOptions) (map[string]string, error) {
	o := session(opt)
	if f := p.CatalogFilter(); f != "" {
		o.Settings = append(o.Settings, store.Setting{Name: "additional_table_filters", Value: f})
	}
	// A row each, escaped: a value may hold a line break or a tab.
	o.Format, o.FormatFixed = "TabSeparated", true
	o.Params = store.Params{"sqlaccess_settings": names}
	var out bytes.Buffer
	if err := store.QueryFormatted(ctx, s, &out, "SELECT name, value FROM system.settings WHERE has({sqlaccess_settings:Array(String)}, name)", o); err != nil {
		return nil, err
	}
	values := map[string]string{}
	for _, row := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if row == "" {
			continue
		}
		name, value, ok := strings.Cut(row, "\t")
		var n, v string
		if !ok || unescapeTSV(name, &n) != nil || unescapeTSV(value, &v) != nil {
			return nil, fmt.Errorf("unexpected row %q of system.settings", row)
		}
		values[n] = v
	}
	return values, nil
}

// Bound is a setting a read-only session may change (CheckSetting), with
// the least and greatest values it may take when it is one of the
// server's caps (Capped).
type Bound struct {
	Name     string
	Capped   bool
	Min, Max float64
}

// Changeable are those of names (the engine's settings) that CheckSetting
// lets a read-only session change under opt's caps, sorted, with their
// bounds: a ClickHouse server's settings profile states them
// (chhttp.ServerAccess), so that the server allows what the endpoint
// allows.
func Changeable(names []string, opt store.FormatOptions) []Bound {
	var out []Bound
	for _, name := range slices.Sorted(slices.Values(names)) {
		b := Bound{Name: name}
		if limit, ok := capped[name]; ok {
			if cap, on := limit(opt); on {
				b = Bound{Name: name, Capped: true, Min: minLimit[name], Max: float64(cap)}
			}
		}
		if name == "extremes" {
			b = Bound{Name: name, Capped: true} // 0 only: errExtremes
		}
		value := "1"
		if b.Capped {
			value = strconv.FormatFloat(b.Max, 'f', -1, 64)
		}
		if CheckSetting(name, value, opt) == nil {
			out = append(out, b)
		}
	}
	return out
}

// clauseSettings reads the SETTINGS clauses of a statement as the engine
// writes it back (formatQuery): each on a line of its own,
// "SETTINGS name = value, name = value". It returns the settings and how
// many clauses it read.
func clauseSettings(canonical string) ([]Setting, int, error) {
	var out []Setting
	n := 0
	for _, line := range strings.Split(canonical, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "SETTINGS ")
		if !ok {
			continue
		}
		n++
		s, err := settingList(rest)
		if err != nil {
			return nil, 0, fmt.Errorf("read the statement's SETTINGS: %w", err)
		}
		out = append(out, s...)
	}
	return out, n, nil
}

// settingList splits "a = 1, b = 'x, y', c = [1, 2]".
func settingList(s string) ([]Setting, error) {
	var out []Setting
	for len(s) > 0 {
		name, rest, ok := strings.Cut(s, " = ")
		if !ok || name == "" || strings.ContainsAny(name, " ,'") {
			return nil, fmt.Errorf("unexpected %q", s)
		}
		end, depth, quoted := len(rest), 0, false
	scan:
		for i := 0; i < len(rest); i++ {
			switch c := rest[i]; {
			case quoted && c == '\\':
				i++
			case c == '\'':
				quoted = !quoted
			case quoted:
			case c == '[' || c == '(':
				depth++
			case c == ']' || c == ')':
				depth--
			case c == ',' && depth == 0:
				end = i
				break scan
			}
		}
		value := strings.TrimSpace(rest[:end])
		if v, ok := stringLiteral(value); ok {
			// The value itself, as a URL parameter gives it: the run sets
			// it quoted (a string is the one form every setting reads).
			value = v
		}
		out = append(out, Setting{Name: strings.Trim(name, "`"), Value: value})
		s = strings.TrimPrefix(rest[end:], ",")
		s = strings.TrimLeft(s, " ")
	}
	return out, nil
}
