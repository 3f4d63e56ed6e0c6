package chhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// serverStatus is the HTTP status a ClickHouse server answers an error
// with, by the error's name (its HTTP handler's exceptionCodeToHTTPStatus);
// an error not named here is 500, as on a server.
var serverStatus = map[string]int{}

func init() {
	for status, names := range map[int][]string{
		http.StatusUnauthorized: {"REQUIRED_PASSWORD"},
		http.StatusForbidden:    {"UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "SET_NON_GRANTED_ROLE", "ACCESS_DENIED"},
		http.StatusBadRequest: {"BAD_ARGUMENTS", "CANNOT_COMPILE_REGEXP", "CANNOT_PARSE_TEXT", "CANNOT_PARSE_ESCAPE_SEQUENCE",
			"CANNOT_PARSE_QUOTED_STRING", "CANNOT_PARSE_DATE", "CANNOT_PARSE_DATETIME", "CANNOT_PARSE_NUMBER",
			"CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING", "CANNOT_PARSE_IPV4", "CANNOT_PARSE_IPV6", "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
			"CANNOT_PARSE_UUID", "DUPLICATE_COLUMN", "ILLEGAL_COLUMN", "UNKNOWN_ELEMENT_IN_AST", "UNKNOWN_TYPE_OF_AST_NODE",
			"THERE_IS_NO_COLUMN", "TOO_DEEP_AST", "TOO_BIG_AST", "UNEXPECTED_AST_STRUCTURE", "SYNTAX_ERROR", "INCORRECT_DATA",
			"TYPE_MISMATCH", "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE"},
		http.StatusNotFound: {"UNKNOWN_TABLE", "UNKNOWN_FUNCTION", "UNKNOWN_IDENTIFIER", "UNKNOWN_TYPE", "UNKNOWN_STORAGE",
			"UNKNOWN_DATABASE", "UNKNOWN_SETTING", "UNKNOWN_DIRECTION_OF_SORTING", "UNKNOWN_AGGREGATE_FUNCTION", "UNKNOWN_FORMAT",
			"UNKNOWN_DATABASE_ENGINE", "UNKNOWN_TYPE_OF_QUERY", "UNKNOWN_ROLE"},
		http.StatusRequestEntityTooLarge: {"QUERY_IS_TOO_LARGE"},
		http.StatusNotImplemented:        {"NOT_IMPLEMENTED"},
		http.StatusServiceUnavailable:    {"SOCKET_TIMEOUT", "CANNOT_OPEN_FILE", "CANNOT_SCHEDULE_TASK"},
		http.StatusLengthRequired:        {"HTTP_LENGTH_REQUIRED"},
		http.StatusRequestTimeout:        {"TIMEOUT_EXCEEDED"},
		http.StatusUnsupportedMediaType:  {"UNSUPPORTED_MEDIA_TYPE"},
	} {
		for _, n := range names {
			serverStatus[n] = status
		}
	}
}

// status is the HTTP status e is answered with.
func (e *Exception) status() int {
	if e.Status != 0 {
		return e.Status
	}
	if s, ok := serverStatus[e.Name]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// loadErrorNames reads the engine's names of its error codes: an error
// message ends in its name only when nothing follows it (the analysis's
// errors end in a note of their own), and its code always starts it.
func (h *Handler) loadErrorNames(ctx context.Context) error {
	rows, err := h.opt.Store.Query(ctx, "SELECT toInt64(number), errorCodeToName(number) FROM numbers(2000) WHERE errorCodeToName(number) != ''", nil)
	if err != nil {
		return fmt.Errorf("SQL endpoint: read the engine's error names: %w", err)
	}
	h.errorNames = map[int]string{}
	for rows.Next() {
		var code int64
		var name string
		if err := rows.Scan(&code, &name); err != nil {
			rows.Close()
			return err
		}
		h.errorNames[int(code)] = name
	}
	return rows.Close()
}

var engineCode = regexp.MustCompile(`Code: (\d+)\. DB::Exception: `)

// asException turns any failure into ClickHouse's form: an engine error
// with its code, the engine's name for it, and its message as a server
// prints it (engineMessage). sees is the one database the token sees (a
// county's), "" when it sees them all: a hint of the engine naming
// another is left out (withoutForeignHint).
func (h *Handler) asException(err error, sees string) *Exception {
	var ex *Exception
	if errors.As(err, &ex) {
		return ex
	}
	if errors.Is(err, context.Canceled) {
		return &Exception{Code: 394, Name: "QUERY_WAS_CANCELLED", Msg: "query was cancelled"}
	}
	msg := err.Error()
	m := engineCode.FindStringSubmatch(msg)
	if m == nil {
		return &Exception{Code: 1001, Name: "STD_EXCEPTION", Msg: msg}
	}
	code, _ := strconv.Atoi(m[1])
	name := h.errorNames[code]
	msg = withoutOurContext(msg)
	msg = engineMessage(msg, m[0], name)
	if sees != "" {
		msg = withoutForeignHint(msg, sees)
	}
	return &Exception{Code: code, Name: name, Msg: msg}
}

// withoutOurContext is an engine error that our own code wrapped in its
// context ("prepare session: SET limit = 'abc': Code: 27. …") as a server
// answers it: the engine's message, from its code on, and for a setting
// of the session which setting it was — a server runs no SET of ours, and
// printed one inside the other with the code twice. Only text before the
// code goes: whatever the message says after it (redacted values
// included) stays as it is.
func withoutOurContext(msg string) string {
	i := engineCode.FindStringIndex(msg)
	if i == nil || i[0] == 0 {
		return msg
	}
	context := msg[:i[0]]
	msg = msg[i[0]:]
	if set, ok := strings.CutPrefix(context, "prepare session: SET "); ok {
		if name, _, ok := strings.Cut(set, " = "); ok && identifierOnly.MatchString(name) {
			msg = strings.Replace(msg, "DB::Exception: ", "DB::Exception: Setting "+name+": ", 1)
		}
	}
	return msg
}

// engineHint is the engine's suggestion after a name it does not know
// ("Table db.x does not exist. Maybe you meant other_db.x?"), what it
// names in group 1.
// The engine's own ". (NAME)" follows it: the sentence's period before
// it goes with it.
var engineHint = regexp.MustCompile(`\. Maybe you meant:? ([^?]*)\?`)

// withoutForeignHint leaves out of msg a hint of the engine that names
// anything but a table of the database db: the engine looks for a
// similar name in every database — the main one, system, another
// county's —, and a county token, which sees its own database only,
// learnt their tables' names from it (DESCRIBE penalties: "Maybe you
// meant creditsync.penalties?").
func withoutForeignHint(msg, db string) string {
	return engineHint.ReplaceAllStringFunc(msg, func(hint string) string {
		named := engineHint.FindStringSubmatch(hint)[1]
		table, ok := strings.CutPrefix(named, db+".")
		if ok && identifierOnly.MatchString(table) {
			return hint
		}
		return ""
	})
}

// identifierOnly is a table's name and nothing more.
var identifierOnly = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// engineMessage is an engine error as a server prints it once. The
// embedded engine passes some errors on through two more layers, each
// adding its prefix and suffix around the one before: "Code: 73.
// DB::Exception: Code: 73. DB::Exception: Code: 73. DB::Exception:
// Unknown format Nope. (UNKNOWN_FORMAT) (version …). (UNKNOWN_FORMAT)
// (version …). (UNKNOWN_FORMAT)". prefix is "Code: N. DB::Exception: "
// and name the code's name; the innermost message is kept, with its own
// suffix.
func engineMessage(msg, prefix, name string) string {
	layers := 0
	for strings.HasPrefix(msg[layers*len(prefix):], prefix) {
		layers++
	}
	if layers < 2 || name == "" {
		return msg
	}
	// The outer layers' suffixes follow the innermost one's, together.
	one := `\. \(` + regexp.QuoteMeta(name) + `\)(?: \(version [^)]*\))?`
	runs := regexp.MustCompile("("+one+")(?:"+one+"){"+strconv.Itoa(layers-1)+"}").FindAllStringSubmatchIndex(msg, -1)
	if len(runs) == 0 {
		return msg
	}
	last := runs[len(runs)-1]
	inner := msg[:last[0]] + msg[last[2]:last[3]] + msg[last[1]:]
	return inner[(layers-1)*len(prefix):]
}
