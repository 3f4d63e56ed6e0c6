package chhttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const (
	cityToken   = "city-token-0123456789abcdef"
	countyToken = "county-token-0123456789abcdef"
)

func auth(tok string) (string, string, bool) {
	switch tok {
	case cityToken:
		return "city", "", true
	case countyToken:
		return "魏都区", "411002", true
	}
	return "", "", false
}

// endpoint serves a store holding institutions of two counties.
func endpoint(t *testing.T, writable bool) (*httptest.Server, store.Store) {
	t.Helper()
	s := storetest.OpenEmbedded(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE inst (uscc String, county_code String, registered DateTime('Asia/Shanghai')) ENGINE = MergeTree ORDER BY uscc",
		"INSERT INTO inst VALUES ('A1', '411002', '2026-01-02 08:00:00'), ('A2', '411002', '2026-01-03 08:00:00'), ('B1', '411003', '2026-01-04 08:00:00')",
		"CREATE TABLE notes (text String) ENGINE = MergeTree ORDER BY text",
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatal(err)
		}
	}
	h, err := chhttp.New(ctx, chhttp.Options{Store: s, Auth: auth, Counties: []string{"411002", "411003"}, TimeZone: "Asia/Shanghai", MaxExecutionTime: time.Minute, Writable: writable})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range []string{"411002", "411003"} {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+h.ScopedDatabase(c), nil)
		}
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, s
}

func open(t *testing.T, srv *httptest.Server, token string) clickhouse.Conn {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol: clickhouse.HTTP,
		Addr:     []string{u.Host},
		Auth:     clickhouse.Auth{Username: "analyst", Password: token},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func exceptionCode(err error) int32 {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return 0
}

func TestClickHouseGoReadsThroughTheEndpoint(t *testing.T) {
	srv, _ := endpoint(t, false)
	ctx := context.Background()
	conn := open(t, srv, cityToken)
	rows, err := conn.Query(ctx, "SELECT uscc, county_code, registered FROM inst ORDER BY uscc")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var uscc, county string
		var reg time.Time
		if err := rows.Scan(&uscc, &county, &reg); err != nil {
			t.Fatal(err)
		}
		got = append(got, uscc+" "+county+" "+reg.UTC().Format(time.DateTime))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := "A1 411002 2026-01-02 00:00:00|A2 411002 2026-01-03 00:00:00|B1 411003 2026-01-04 00:00:00"
	if strings.Join(got, "|") != want {
		t.Errorf("rows = %q, want %q", strings.Join(got, "|"), want)
	}

	_, err = conn.Query(ctx, "SELECT * FROM no_such_table")
	if c := exceptionCode(err); c != 60 {
		t.Errorf("unknown table: %v (code %d), want a *clickhouse.Exception with code 60", err, c)
	}
	err = conn.Exec(ctx, "INSERT INTO inst VALUES ('C1', '411024', now())")
	if c := exceptionCode(err); c != 497 {
		t.Errorf("insert: %v (code %d), want ACCESS_DENIED 497", err, c)
	}
	for _, q := range []string{"SELECT 1 SETTINGS readonly = 0", "DROP TABLE inst", "SELECT * FROM file('/etc/passwd', 'LineAsString')"} {
		if err := conn.Exec(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	if _, err := open(t, srv, "wrong-token-0123456789").Query(ctx, "SELECT 1"); err == nil {
		t.Error("a wrong token could query")
	}
}

func TestCountyTokenSeesItsCountyOnly(t *testing.T) {
	srv, s := endpoint(t, false)
	ctx := context.Background()
	conn := open(t, srv, countyToken)
	rows, err := conn.Query(ctx, "SELECT county_code, count() FROM inst GROUP BY county_code")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var county string
		var c uint64
		if err := rows.Scan(&county, &c); err != nil {
			t.Fatal(err)
		}
		if county != "411002" || c != 2 {
			t.Errorf("county token saw %s: %d rows", county, c)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d counties visible, want 1", n)
	}
	// Drivers read the engine's own description when they connect.
	if err := conn.Exec(ctx, "SELECT name, value FROM system.settings LIMIT 1"); err != nil {
		t.Errorf("system.settings: %v", err)
	}
	for _, q := range []string{
		"SELECT count() FROM " + s.Database() + ".inst",
		"SELECT count() FROM `" + s.Database() + "`.inst",
		"SELECT count() FROM inst WHERE uscc IN " + s.Database() + ".inst",
		"SELECT * FROM system.processes",
		"SELECT * FROM notes",
		"SELECT * FROM merge('" + s.Database() + "', 'inst')",
		"SELECT file('x')",
		"SELECT * FROM (SELECT * FROM " + s.Database() + "_county_411003.inst)",
		"SHOW TABLES FROM " + s.Database(),
		"DESCRIBE TABLE " + s.Database() + ".notes",
		"EXISTS TABLE " + s.Database() + ".notes",
	} {
		err := conn.Exec(ctx, q)
		if c := exceptionCode(err); c == 0 {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
}

// A county token lists its own views.
func TestCountyTokenShowTables(t *testing.T) {
	srv, _ := endpoint(t, false)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("SHOW TABLES"))
	req.Header.Set("X-ClickHouse-Key", countyToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "inst\n" {
		t.Errorf("SHOW TABLES: %s %q (notes has no county and must not be there)", resp.Status, b)
	}
}

func TestPlainHTTP(t *testing.T) {
	srv, _ := endpoint(t, false)
	get := func(path string, hdr map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/?query=SELECT+1+AS+n,+today()+%3D+toDate(now(),'Asia/Shanghai')", map[string]string{"X-ClickHouse-Key": cityToken})
	if resp.StatusCode != 200 || body != "1\t1\n" || resp.Header.Get("X-ClickHouse-Format") != "TabSeparated" || resp.Header.Get("X-ClickHouse-Summary") == "" {
		t.Errorf("GET: %s %q %v", resp.Status, body, resp.Header)
	}
	resp, body = get("/?query=SELECT+{n:UInt8}+AS+n&param_n=7&default_format=JSONEachRow", map[string]string{"Authorization": "Bearer " + cityToken})
	if resp.StatusCode != 200 || body != "{\"n\":7}\n" || resp.Header.Get("X-ClickHouse-Format") != "JSONEachRow" {
		t.Errorf("params and format: %s %q", resp.Status, body)
	}
	resp, body = get("/?query=SELECT+1", map[string]string{"X-ClickHouse-Key": "nope-nope-nope-nope"})
	if resp.StatusCode != 401 || resp.Header.Get("X-ClickHouse-Exception-Code") != "516" || !strings.HasPrefix(body, "Code: 516.") {
		t.Errorf("wrong token: %s %v %q", resp.Status, resp.Header, body)
	}
	resp, body = get("/?query=SELEC+1", map[string]string{"X-ClickHouse-Key": cityToken})
	if resp.StatusCode != 400 || resp.Header.Get("X-ClickHouse-Exception-Code") != "62" || !strings.HasPrefix(body, "Code: 62.") {
		t.Errorf("syntax error: %s %v %q", resp.Status, resp.Header, body)
	}
	if resp, body := get("/ping", nil); resp.StatusCode != 200 || body != "Ok.\n" {
		t.Errorf("ping: %s %q", resp.Status, body)
	}
}

// The test-only writable mode lets the endpoint stand in for a server.
func TestWritableMode(t *testing.T) {
	srv, s := endpoint(t, true)
	conn := open(t, srv, cityToken)
	if err := conn.Exec(context.Background(), "INSERT INTO inst VALUES ('C1', '411024', now())"); err != nil {
		t.Fatal(err)
	}
	if n, err := store.Count(context.Background(), s, "SELECT count() FROM inst", nil); err != nil || n != 4 {
		t.Errorf("rows after insert: %d, %v", n, err)
	}
}

// A scalar subquery whose value is an array (or a tuple) runs for every
// token, over what the token may read: the engine's rewriting of it into
// its own __getScalar refused it for all.
func TestArrayScalarSubqueryRuns(t *testing.T) {
	srv, _ := endpoint(t, false)
	const q = "WITH (SELECT groupArray(uscc) FROM inst) AS ds SELECT length(ds), has(ds, 'B1'), (SELECT [1, 2]), length((SELECT groupArray(number) FROM numbers(10)))"
	for _, c := range []struct{ token, want string }{
		{cityToken, "3\t1\t[1,2]\t10\n"},
		{countyToken, "2\t0\t[1,2]\t10\n"},
	} {
		if a := post(t, srv, c.token, q, nil); a.status != 200 || a.body != c.want {
			t.Errorf("%s: %d %q, want %q", c.token, a.status, a.body, c.want)
		}
	}
	if a := post(t, srv, countyToken, "SELECT __getScalar('x')", nil); a.status != 403 || !strings.Contains(a.body, "function __getScalar is not allowed") {
		t.Errorf("__getScalar written by hand: %d %q, want refused", a.status, a.body)
	}
}

// A NUL byte in a parameter's value (@clickhouse/client sends a string
// as it is) reached the engine through a C string, which ends at it: the
// value was cut there and answered ("ab" for "ab\x00cd", 12 for a UInt32
// "12\x0034"). It is the value's byte, as on a server.
func TestNULInAParameter(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		query, value string
		status       int
		want         string
	}{
		{"SELECT {v:String} AS v, length(v)", "ab\x00cd", 200, "ab\\0cd\t5\n"},
		{"SELECT {v:String} AS v, length(v)", "ab\\0cd", 200, "ab\\0cd\t5\n"},
		// An escaped NUL (a backslash before it) is a NUL too.
		{"SELECT {v:String} AS v, length(v)", "a\\\x00b", 200, "a\\0b\t3\n"},
		{"SELECT {v:String} AS v, length(v)", "a\\\\\x00b", 200, "a\\\\\\0b\t4\n"},
		{"SELECT {v:Array(String)} AS v, length(v[1])", "['a\x00b']", 200, "['a\\0b']\t3\n"},
		{"SELECT {v:UInt32}", "12\x0034", 500, "Code: 457."},
	} {
		a := post(t, srv, countyToken, c.query, url.Values{"param_v": {c.value}})
		if a.status != c.status || (c.status == 200 && a.body != c.want) || (c.status != 200 && !strings.HasPrefix(a.body, c.want)) {
			t.Errorf("%s with %q: %d %q, want %d %q", c.query, c.value, a.status, a.body, c.status, c.want)
		}
	}
}

// X-ClickHouse-Timezone is the zone the engine ran the query in: the
// session's, which session_timezone (in the URL or a SETTINGS clause)
// changes. It said Asia/Shanghai over values written in UTC.
func TestTimezoneHeaderIsTheSessions(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		query  string
		params url.Values
		want   string
	}{
		{"SELECT timezone()", nil, "Asia/Shanghai"},
		{"SELECT timezone()", url.Values{"session_timezone": {"UTC"}}, "UTC"},
		{"SELECT timezone() SETTINGS session_timezone = 'Europe/Berlin'", nil, "Europe/Berlin"},
		{"SELECT timezone() FROM (SELECT 1 SETTINGS session_timezone = 'America/New_York')", url.Values{"session_timezone": {"UTC"}}, "America/New_York"},
	} {
		for _, token := range []string{cityToken, countyToken} {
			a := post(t, srv, token, c.query, c.params)
			if a.status != 200 || a.body != c.want+"\n" || a.header.Get("X-ClickHouse-Timezone") != c.want {
				t.Errorf("%s %v: %d %q, X-ClickHouse-Timezone %q; want %s", c.query, c.params, a.status, a.body, a.header.Get("X-ClickHouse-Timezone"), c.want)
			}
		}
	}
	// The engine's reading of the setting, whatever it is: an empty one
	// is the engine's own zone.
	a := post(t, srv, cityToken, "SELECT timezone()", url.Values{"session_timezone": {""}})
	if a.status != 200 || a.body != a.header.Get("X-ClickHouse-Timezone")+"\n" {
		t.Errorf("session_timezone empty: %d %q, X-ClickHouse-Timezone %q", a.status, a.body, a.header.Get("X-ClickHouse-Timezone"))
	}
	if a := post(t, srv, cityToken, "SELECT 1", url.Values{"session_timezone": {"Nowhere/Nope"}}); a.status == 200 {
		t.Errorf("an unknown zone: %d %q", a.status, a.body)
	}
}

// ourSet is a SET statement of the session's preparation in an error
// (SET date_time_output_format = …): the engine's own list of what a
// syntax error expected names SET ROLE, SET TRANSACTION and the like.
var ourSet = regexp.MustCompile(`\bSET [a-z_]+ = `)

// Errors are answered as a ClickHouse server answers them: one message
// "Code: N. DB::Exception: …. (NAME) (version …)" — the engine's own
// message repeated its prefix three times for some —, the server's HTTP
// status for the code (its exceptionCodeToHTTPStatus), and the code and
// name in X-ClickHouse-Exception-Code and -Name on every error.
func TestErrorsAsAServerAnswersThem(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		query  string
		params url.Values
		status int
		code   string
		name   string
	}{
		{"SELECT 1 FORMAT Nope", nil, 404, "73", "UNKNOWN_FORMAT"},
		{"SELECT 1", url.Values{"default_format": {"Nope"}}, 404, "73", "UNKNOWN_FORMAT"},
		{"SELECT 1", url.Values{"default_format": {"Template"}}, 500, "474", "INVALID_TEMPLATE_FORMAT"},
		{"SELECT nosuchcol", nil, 404, "47", "UNKNOWN_IDENTIFIER"},
		{"SELECT nosuchfn(1)", nil, 404, "46", "UNKNOWN_FUNCTION"},
		{"SELECT toDate('x')", nil, 400, "38", "CANNOT_PARSE_DATE"},
		{"SELECT parseDateTime('x', '%Y')", nil, 400, "41", "CANNOT_PARSE_DATETIME"},
		{"SELECT CAST('a' AS Nope)", nil, 404, "50", "UNKNOWN_TYPE"},
		{"SELECT {v:UInt8}", nil, 500, "456", "UNKNOWN_QUERY_PARAMETER"},
		{"SELECT {v:UInt8}", url.Values{"param_v": {"x"}}, 500, "457", "BAD_QUERY_PARAMETER"},
		{"SELECT * FROM nosuch", nil, 404, "60", "UNKNOWN_TABLE"},
		{"SELEC 1", nil, 400, "62", "SYNTAX_ERROR"},
		{"SELECT throwIf(1)", nil, 500, "395", "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO"},
		{"SELECT number FROM numbers(3) GROUP BY number WITH TOTALS", nil, 501, "48", "NOT_IMPLEMENTED"},
		{"SELECT 1 SETTINGS max_rows_to_read = 1", nil, 500, "164", "READONLY"},
		{"SELECT file('x')", nil, 403, "497", "ACCESS_DENIED"},
		// A setting of the URL the engine refuses: its message once, no
		// SET of ours inside it ("prepare session: SET …: Code: 36. …").
		{"SELECT 1", url.Values{"date_time_output_format": {"bogus"}}, 400, "36", "BAD_ARGUMENTS"},
		{"SELECT 1", url.Values{"limit": {"abc"}}, 400, "27", "CANNOT_PARSE_INPUT_ASSERTION_FAILED"},
	} {
		for _, token := range []string{cityToken, countyToken} {
			a := post(t, srv, token, c.query, c.params)
			body := strings.TrimSpace(a.body)
			prefix := "Code: " + c.code + ". DB::Exception: "
			if a.status != c.status || a.header.Get("X-ClickHouse-Exception-Code") != c.code || a.header.Get("X-ClickHouse-Exception-Name") != c.name ||
				!strings.HasPrefix(body, prefix) || strings.Count(body, "DB::Exception") != 1 || strings.Count(body, "("+c.name+")") != 1 ||
				ourSet.MatchString(body) || strings.Contains(body, "prepare session") {
				t.Errorf("%s %v: %d, code %q, name %q, %q; want %d, %s %s, once", c.query, c.params, a.status,
					a.header.Get("X-ClickHouse-Exception-Code"), a.header.Get("X-ClickHouse-Exception-Name"), body, c.status, c.code, c.name)
			}
		}
	}
}

// GET / without a query is a server's health check: "Ok.", as /ping,
// with no token (it tells nothing). It was refused for want of a token.
func TestRootWithoutQueryIsOk(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, srv.URL+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "Ok.\n"
		if method == http.MethodHead {
			want = ""
		}
		if resp.StatusCode != 200 || string(b) != want {
			t.Errorf("%s /: %s %q, want 200 %q", method, resp.Status, b, want)
		}
	}
	// With parameters it is a query, and needs a token.
	resp, err := http.Get(srv.URL + "/?query=SELECT+1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("a query without a token: %s", resp.Status)
	}
}

// The engine's "Maybe you meant …?" after an unknown table names what it
// found in any database — the main one's tables, the system's — which a
// county token does not see: its hint is kept only when it names a table
// of the token's own database.
func TestHintsNameOnlyWhatTheTokenSees(t *testing.T) {
	srv, s := endpoint(t, false)
	countyDB := s.Database() + "_county_411002"
	for _, q := range []string{"DESCRIBE notes", "DESCRIBE note", "DESCRIBE TABLE note FORMAT TSV"} {
		a := post(t, srv, countyToken, q, nil)
		if a.status != 404 || a.header.Get("X-ClickHouse-Exception-Code") != "60" || strings.Contains(a.body, "Maybe you meant") || !strings.HasSuffix(a.body, " does not exist. (UNKNOWN_TABLE)\n") {
			t.Errorf("county %s: %d %q, want UNKNOWN_TABLE without the engine's hint", q, a.status, a.body)
		}
	}
	if a := post(t, srv, countyToken, "DESCRIBE ins", nil); a.status != 404 || !strings.Contains(a.body, "Maybe you meant "+countyDB+".inst?") {
		t.Errorf("county DESCRIBE ins: %d %q, want the hint of its own view", a.status, a.body)
	}
	if a := post(t, srv, cityToken, "DESCRIBE note", nil); a.status != 404 || !strings.Contains(a.body, "Maybe you meant") {
		t.Errorf("city DESCRIBE note: %d %q, want the engine's hint", a.status, a.body)
	}
}

// External data (a multipart/form-data body, as curl -F sends it) is not
// supported: said so plainly. Its body was read as SQL (a syntax error
// at the boundary) and its <name>_format refused as a setting.
//
// A body of plain form fields is no external data: clickhouse-connect
// sends its query and parameters so once they pass 4 KiB, as a server
// reads them beside the URL's. It was refused as external data.
func TestMultipartBodies(t *testing.T) {
	srv, _ := endpoint(t, false)
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprintf("'91411002MA%08d'", i)
	}
	ids[7] = "'A1'"
	type field struct{ name, file, value string }
	send := func(token, params string, fields []field) answer {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, f := range fields {
			var w io.Writer
			var err error
			if f.file != "" {
				w, err = mw.CreateFormFile(f.name, f.file)
			} else {
				w, err = mw.CreateFormField(f.name)
			}
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, f.value)
		}
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?wait_end_of_query=1"+params, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth("default", token)
		return do(t, req)
	}
	countIDs := "SELECT count(), any(uscc) FROM inst WHERE uscc IN {ids:Array(String)}\n FORMAT TabSeparated"
	for _, c := range []struct {
		name, token, params string
		fields              []field
		status              int
		body                string // the answer, or part of the error
	}{
		{"clickhouse-connect's form", countyToken, "", []field{{"query", "", countIDs}, {"param_ids", "", "[" + strings.Join(ids, ",") + "]"}}, 200, "1\tA1\n"},
		{"query in the URL and the form", cityToken, "&query=SELECT+count()+", []field{{"query", "", "FROM inst"}}, 200, "3\n"},
		{"a setting and the database as fields", countyToken, "", []field{{"query", "", "SELECT uscc FROM inst ORDER BY uscc"}, {"limit", "", "1"}, {"database", "", "default"}}, 200, "A1\n"},
		{"a setting no token may change", countyToken, "", []field{{"query", "", "SELECT 1"}, {"readonly", "", "0"}}, 500, "Cannot modify 'readonly' setting in readonly mode. (READONLY)"},
		{"a parameter the county may not use", countyToken, "", []field{{"query", "", "SELECT count() FROM {t:Identifier}"}, {"param_t", "", "system.processes"}}, 403, "ACCESS_DENIED"},
		{"a file", countyToken, "&ext_structure=a+UInt8&ext_format=TSV", []field{{"ext", "ext.tsv", "1\n2\n"}, {"query", "", "SELECT * FROM ext"}}, 501, "external data"},
		{"a structure", countyToken, "", []field{{"query", "", "SELECT * FROM ext"}, {"ext", "", "1\n"}, {"ext_structure", "", "a UInt8"}}, 501, "external data"},
		{"types", countyToken, "", []field{{"query", "", "SELECT * FROM ext"}, {"ext", "", "1\n"}, {"ext_types", "", "UInt8"}}, 501, "external data"},
		{"a body past the bound", countyToken, "", []field{{"query", "", "SELECT {v:String} = ''"}, {"param_v", "", strings.Repeat("x", 300<<10)}}, 400, "longer than"},
	} {
		a := send(c.token, c.params, c.fields)
		if a.status != c.status || (c.status == 200 && a.body != c.body) || (c.status != 200 && !strings.Contains(a.body, c.body)) {
			t.Errorf("%s: %d %.300q, want %d %q", c.name, a.status, a.body, c.status, c.body)
		}
	}
}

// A setting's value holding a NUL (session_timezone=UTC%00x, or
// SETTINGS session_timezone = 'UTC\0x') reached the engine, which read
// the zone up to the NUL while Go read no zone, and the NUL went out in
// the X-ClickHouse-Timezone header. Refused, as a server's BAD_ARGUMENTS.
func TestNULInASettingRefused(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		query  string
		params url.Values
	}{
		{"SELECT timezone()", url.Values{"session_timezone": {"UTC\x00x"}}},
		{"SELECT timezone()", url.Values{"session_timezone": {"Asia/Tokyo\x00\r\nX-Injected: yes"}}},
		{`SELECT timezone() SETTINGS session_timezone = 'UTC\0x'`, nil},
		{`SELECT 1 SETTINGS format_csv_delimiter = '\0'`, nil},
	} {
		a := post(t, srv, countyToken, c.query, c.params)
		if a.status != 400 || !strings.Contains(a.body, "a NUL byte in its value. (BAD_ARGUMENTS)") || strings.ContainsRune(a.header.Get("X-ClickHouse-Timezone"), 0) {
			t.Errorf("%s %q: %d %q, X-ClickHouse-Timezone %q", c.query, c.params, a.status, a.body, a.header.Get("X-ClickHouse-Timezone"))
		}
	}
}

// A request carrying two ways of authenticating is refused, as a
// ClickHouse server refuses it: the city's basic auth with a county's
// X-ClickHouse-Key was answered with the county's scope, the city token
// silently ignored. One way alone still works, whichever it is.
func TestMixedCredentialsAreRefused(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		name  string
		query string
		set   func(*http.Request)
		mixed string // "" when the request is one way alone
	}{
		{"basic and key", "", func(r *http.Request) {
			r.SetBasicAuth("x", cityToken)
			r.Header.Set("X-ClickHouse-Key", countyToken)
		}, "X-ClickHouse HTTP headers and Authorization HTTP header"},
		{"bearer and user header", "", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+cityToken)
			r.Header.Set("X-ClickHouse-User", "analyst")
		}, "X-ClickHouse HTTP headers and Authorization HTTP header"},
		{"key and password parameter", "&password=" + cityToken, func(r *http.Request) {
			r.Header.Set("X-ClickHouse-Key", countyToken)
		}, "X-ClickHouse HTTP headers and authentication via parameters"},
		{"basic and user parameter", "&user=analyst", func(r *http.Request) {
			r.SetBasicAuth("x", countyToken)
		}, "Authorization HTTP header and authentication via parameters"},
		{"basic alone", "", func(r *http.Request) { r.SetBasicAuth("x", countyToken) }, ""},
		{"headers alone", "", func(r *http.Request) {
			r.Header.Set("X-ClickHouse-User", "analyst")
			r.Header.Set("X-ClickHouse-Key", countyToken)
		}, ""},
		{"parameters alone", "&user=analyst&password=" + countyToken, func(*http.Request) {}, ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?query=SELECT+count()+FROM+inst"+c.query, nil)
		c.set(req)
		a := do(t, req)
		if c.mixed == "" {
			if a.status != 200 || a.body != "2\n" {
				t.Errorf("%s: %d %q, want the county's 2", c.name, a.status, a.body)
			}
			continue
		}
		want := "Code: 516. DB::Exception: Invalid authentication: it is not allowed to use " + c.mixed + " simultaneously. (AUTHENTICATION_FAILED)\n"
		if a.status != 403 || a.body != want || a.header.Get("X-ClickHouse-Exception-Code") != "516" || a.header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s: %d %q (WWW-Authenticate %q), want 403 %q", c.name, a.status, a.body, a.header.Get("WWW-Authenticate"), want)
		}
	}
}

// add_http_cors_header=1 (the play UI's, Grafana's "Add CORS flag") lets
// a page of another origin read the answer, as on a server; a browser's
// preflight (OPTIONS) is answered as a server with its default
// configuration answers it, with no token. The parameter was taken and
// ignored, the preflight refused with 405: the browser blocked the
// answer with an opaque error.
func TestCORS(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		params  url.Values
		query   string
		status  int
		allowed string
	}{
		{url.Values{"add_http_cors_header": {"1"}, "default_format": {"JSONCompact"}, "max_result_rows": {"1000"}, "result_overflow_mode": {"break"}}, "SELECT 1", 200, "*"},
		{url.Values{"add_http_cors_header": {"1"}}, "SELECT * FROM no_such_table", 404, "*"},
		{url.Values{"add_http_cors_header": {"0"}}, "SELECT 1", 200, ""},
		{nil, "SELECT 1", 200, ""},
	} {
		a := post(t, srv, countyToken, c.query, c.params)
		if a.status != c.status || a.header.Get("Access-Control-Allow-Origin") != c.allowed {
			t.Errorf("%v %s: %d, Access-Control-Allow-Origin %q; want %d %q", c.params, c.query, a.status, a.header.Get("Access-Control-Allow-Origin"), c.status, c.allowed)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/?add_http_cors_header=1", nil)
	req.Header.Set("Origin", "http://example.org")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, x-clickhouse-format")
	a := do(t, req)
	want := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Headers": "origin, x-requested-with, x-clickhouse-format, x-clickhouse-user, x-clickhouse-key, Authorization",
		"Access-Control-Allow-Methods": "POST, GET, OPTIONS",
		"Access-Control-Max-Age":       "86400",
	}
	if a.status != http.StatusNoContent || a.body != "" {
		t.Errorf("preflight: %d %q, want 204 and no body", a.status, a.body)
	}
	for k, v := range want {
		if got := a.header.Get(k); got != v {
			t.Errorf("preflight %s: %q, want %q", k, got, v)
		}
	}
}

// /replicas_status answers as a server holding no replicated tables does,
// "Ok.", for the health checks that ask it (chproxy, load balancers); a
// server's own web pages (/play, /dashboard) are not served, and the
// answer says so and where to read on. Both were Go's bare 404.
func TestServerPaths(t *testing.T) {
	srv, _ := endpoint(t, false)
	for _, c := range []struct {
		path   string
		status int
		body   string
	}{
		{"/replicas_status", 200, "Ok.\n"},
		{"/play", 404, "/play is a ClickHouse server's own web page, which this endpoint does not serve"},
		{"/dashboard", 404, "docs/analysts.md"},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.body) || (c.status == 200 && string(b) != c.body) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, resp.StatusCode, b, c.status, c.body)
		}
	}
}

// The answer follows Accept-Encoding unless the URL sets
// enable_http_compression=0, as a 26.x server does (its default is 1
// since 25.10) and as the engine reports the setting in system.settings:
// clickhouse-connect reads that value there, sends Accept-Encoding alone,
// and got its answers uncompressed, the endpoint compressing only when
// the URL said enable_http_compression=1.
func TestCompressionFollowsTheReportedDefault(t *testing.T) {
	srv, _ := endpoint(t, false)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(params string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?"+params, strings.NewReader("SELECT value FROM system.settings WHERE name = 'enable_http_compression'"))
		req.Header.Set("X-ClickHouse-Key", countyToken)
		req.Header.Set("Accept-Encoding", "lz4, zstd, br, gzip, deflate")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, b := get("enable_http_compression=0")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || string(b) != "1\n" {
		t.Fatalf("enable_http_compression=0: %d %q %q, want the engine's value 1, uncompressed", resp.StatusCode, resp.Header.Get("Content-Encoding"), b)
	}
	for _, params := range []string{"", "enable_http_compression=1"} {
		if resp, b := get(params); resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "lz4" || len(b) == 0 || string(b) == "1\n" {
			t.Errorf("%q: %d Content-Encoding %q %q, want lz4", params, resp.StatusCode, resp.Header.Get("Content-Encoding"), b)
		}
	}
}
