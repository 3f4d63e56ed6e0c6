package chhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// The rows of the other county and the tables no county may read carry
// these; no answer to a county token may contain them.
var foreign = []string{"禹州外县机构", "SECRET-RAW-PAGE", "禹州拒收行", "STAGED-ROW"}

// countyEndpoint serves a store shaped like creditsync's: institutions
// and import_rejects with a county, raw_pages and counties without.
func countyEndpoint(t *testing.T, opt chhttp.Options) (*httptest.Server, store.Store) {
	t.Helper()
	s := opt.Store
	if s == nil {
		s = storetest.OpenEmbedded(t)
	}
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE institutions (uscc String, name String, county_code String) ENGINE = MergeTree ORDER BY uscc",
		"INSERT INTO institutions VALUES ('A1', '魏都本县机构', '411002'), ('A2', '魏都第二机构', '411002'), ('B1', '禹州外县机构', '411081')",
		"CREATE TABLE import_rejects (file String, line UInt32, reason String, county_code String) ENGINE = MergeTree ORDER BY (file, line)",
		"INSERT INTO import_rejects VALUES ('a.csv', 2, '魏都拒收行', '411002'), ('b.csv', 3, '禹州拒收行', '411081')",
		"CREATE TABLE raw_pages (url String, body String) ENGINE = MergeTree ORDER BY url",
		"INSERT INTO raw_pages VALUES ('http://x/1', 'SECRET-RAW-PAGE')",
		"CREATE TABLE counties (code String, cname String) ENGINE = MergeTree ORDER BY code",
		"INSERT INTO counties VALUES ('411081', '禹州市')",
		"CREATE TABLE job_runs (run_id String, step String, status String, summary String, error String, host String) ENGINE = MergeTree ORDER BY run_id",
		"INSERT INTO job_runs VALUES ('r1', 'regrade', 'ok', 'lowered B1: 禹州外县机构', 'x', 'h')",
		"CREATE TABLE grade_runs (run_id String, kind LowCardinality(String), note String) ENGINE = MergeTree ORDER BY run_id",
		"INSERT INTO grade_runs VALUES ('u1', 'upgrade', 'B1: 禹州外县机构 applied'), ('g1', 'regrade', '1 lowered')",
		// A work table of a running job, as a load's stage is named.
		"CREATE TABLE _stage_20260731T000000_0badcafe (v String) ENGINE = MergeTree ORDER BY v",
		"INSERT INTO _stage_20260731T000000_0badcafe VALUES ('STAGED-ROW')",
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	opt.Store = s
	if opt.Auth == nil {
		opt.Auth = func(tok string) (string, string, bool) {
			switch tok {
			case cityToken:
				return "city", "", true
			case countyToken:
				return "魏都区", "411002", true
			case otherCountyToken:
				return "禹州市", "411081", true
			}
			return "", "", false
		}
	}
	opt.Counties = []string{"411002", "411081"}
	opt.TimeZone = "Asia/Shanghai"
	if opt.MaxExecutionTime == 0 {
		opt.MaxExecutionTime = time.Minute
	}
	h, err := chhttp.New(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range opt.Counties {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+h.ScopedDatabase(c), nil)
		}
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, s
}

const otherCountyToken = "other-county-token-0123456789"

type answer struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, srv *httptest.Server, token, query string, params url.Values) answer {
	t.Helper()
	u := srv.URL + "/"
	if params != nil {
		u += "?" + params.Encode()
	}
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(query))
	req.Header.Set("X-ClickHouse-Key", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// tableShapes are the shapes a query reading a table takes, %s the table.
var tableShapes = []string{
	"SELECT * FROM %s",
	"SELECT uscc,name,county_code -- FORMAT TSV SETTINGS\nFROM %s WHERE county_code = toString(411081)",
	"SELECT * -- FORMAT TSV SETTINGS\nFROM %s",
	"SELECT * FROM /* FORMAT JSON */ %s",
	"select * from %s format JSON",
	"WITH v AS (SELECT * FROM %s) SELECT * FROM v",
	"WITH institutions AS (SELECT * FROM %s) SELECT * FROM institutions",
	"SELECT * FROM (SELECT * FROM %s)",
	"SELECT * FROM institutions WHERE uscc IN (SELECT uscc FROM %s)",
	"SELECT uscc FROM institutions UNION ALL SELECT * FROM %s",
	"SELECT uscc FROM institutions INTERSECT SELECT uscc FROM %s",
	"SELECT * FROM institutions AS a JOIN %s AS b ON 1",
	"SELECT (SELECT groupArray(toString(tuple(*))) FROM %s)",
	"SELECT throwIf(1, (SELECT any(toString(tuple(*))) FROM %s))",
	// The analyzer evaluates a scalar subquery while it resolves the
	// statement, and the engine's error quotes the value it failed on.
	"SELECT (SELECT toUInt8(arrayStringConcat(groupArray(toString(tuple(*))), ',')) FROM %s)",
	"SELECT throwIf(1, (SELECT arrayStringConcat(groupArray(toString(tuple(*))), ',') FROM %s))",
	"SELECT 1 WHERE (SELECT toUInt8(arrayStringConcat(groupArray(toString(tuple(*))), ',')) FROM %s) = 0",
	"SELECT 1; SELECT * FROM %s",
	"SELECT * FROM %s SETTINGS readonly = 0",
	"DESCRIBE TABLE %s",
}

// adversarialCases writes every way we know to reach beyond a county's
// views, each in many shapes. main is the store's database, other the
// other county's scoped database.
func adversarialCases(main, other string) []string {
	tables := []string{
		main + ".institutions", main + ".raw_pages", main + ".import_rejects", main + ".counties",
		"`" + main + "`.`institutions`", `"` + main + `"."raw_pages"`, main + " . institutions", main + "./*x*/institutions",
		other + ".institutions", other + ".import_rejects",
		"system.processes", "system.parts", "system.query_log", "system.parts_columns", "system.dictionaries",
		"information_schema.tables", "INFORMATION_SCHEMA.COLUMNS",
	}
	var out []string
	for _, t := range tables {
		for _, s := range tableShapes {
			out = append(out, fmt.Sprintf(s, t))
		}
	}
	functions := []string{
		"merge('" + main + "', '.*')", "merge(REGEXP('.*'), 'institutions')", "view(SELECT * FROM " + main + ".raw_pages)",
		"file('/etc/passwd', 'LineAsString')", "url('http://127.0.0.1:1/', 'CSV', 'a String')", "remote('127.0.0.1', " + main + ".institutions)",
		"cluster('default', " + main + ".institutions)", "s3('http://127.0.0.1:1/x.csv')", "executable('id', 'TSV', 'a String')",
		"viewIfPermitted(SELECT * FROM " + main + ".raw_pages ELSE null('a String'))", "input('a String')", "format(TSV, 'a')",
		"mysql('127.0.0.1:1', 'd', 't', 'u', 'p')", "loop(" + main + ".institutions)",
	}
	for _, f := range functions {
		for _, s := range []string{"SELECT * FROM %s", "SELECT * FROM institutions WHERE uscc IN (SELECT * FROM %s)", "WITH x AS (SELECT * FROM %s) SELECT * FROM x", "DESCRIBE %s"} {
			out = append(out, fmt.Sprintf(s, f))
		}
	}
	for _, f := range []string{"dictGet('" + main + ".d', 'name', 1)", "DICTGET('d', 'n', 1)", "dictHas('d', 1)", "joinGet('" + main + ".j', 'v', 1)",
		"file('/etc/passwd')", "hasColumnInTable('" + main + "', 'raw_pages', 'body')", "getServerSetting('path')", "showCertificate()"} {
		for _, s := range []string{"SELECT %s", "SELECT uscc, %s FROM institutions", "WITH %s AS v SELECT v"} {
			out = append(out, fmt.Sprintf(s, f))
		}
	}
	return append(out,
		"SELECT * FROM institutions INTO OUTFILE '/tmp/creditsync-adversarial.tsv'",
		"SELECT * FROM institutions INTO OUTFILE '/tmp/creditsync-adversarial.tsv' APPEND",
		"SELECT 1 INTO OUTFILE '/tmp/creditsync-adversarial.gz' COMPRESSION 'gzip'",
		"SHOW TABLES INTO OUTFILE '/tmp/creditsync-adversarial.tsv'",
		"INSERT INTO FUNCTION file('/tmp/creditsync-adversarial.tsv', 'TSV') SELECT * FROM institutions",
		"KILL QUERY WHERE 1", "KILL QUERY WHERE user = 'default' SYNC", "KILL MUTATION WHERE 1",
		"SYSTEM FLUSH LOGS", "SYSTEM SHUTDOWN", "SYSTEM DROP DNS CACHE",
		"SET readonly = 0", "SET max_result_rows = 0",
		"INSERT INTO institutions VALUES ('X', 'x', '411002')", "ALTER TABLE institutions DELETE WHERE 1",
		"DROP TABLE institutions", "TRUNCATE TABLE institutions", "CREATE TABLE t (a Int8) ENGINE = Memory",
		"CREATE VIEW v AS SELECT * FROM "+main+".raw_pages", "OPTIMIZE TABLE institutions", "BACKUP TABLE institutions TO File('x')",
		"SHOW TABLES FROM "+main, "SHOW TABLES FROM "+other, "SHOW CREATE TABLE "+main+".raw_pages",
		"SHOW CREATE TABLE institutions", "EXISTS TABLE "+main+".raw_pages", "SHOW PROCESSLIST", "SHOW GRANTS", "SHOW USERS",
		"EXPLAIN SELECT * FROM "+main+".raw_pages", "EXPLAIN AST SELECT 1; SELECT * FROM "+main+".raw_pages",
		"SELECT dictGet('d', 'a', 1) AS `x, function_name: count`", "SELECT * FROM "+main+".raw_pages AS `x, table_name: system.one`",
		"USE "+main, "ATTACH TABLE x", "GRANT SELECT ON *.* TO default", "CREATE USER u", "EXECUTE AS default SELECT 1",
	)
}

// TestCountyIsolationHolds sends each attempt with a county token to the
// endpoint: every one is refused, and no answer holds the other county's
// rows; the positive controls answer with the county's own.
func TestCountyIsolationHolds(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main := s.Database()
	cases := adversarialCases(main, main+"_county_411081")
	if len(cases) < 200 {
		t.Fatalf("only %d attempts", len(cases))
	}
	for _, q := range cases {
		a := post(t, srv, countyToken, q, nil)
		if a.status == http.StatusOK {
			t.Errorf("allowed: %s\n%.300s", q, a.body)
		}
		if a.header.Get("X-ClickHouse-Exception-Code") == "" {
			t.Errorf("refused without X-ClickHouse-Exception-Code: %s: %d", q, a.status)
		}
		for _, f := range foreign {
			if strings.Contains(a.body, f) {
				t.Errorf("%s: the answer holds %q: %.300s", q, f, a.body)
			}
		}
	}
	for q, want := range map[string]string{
		"SELECT count() FROM institutions":                                                   "2\n",
		"SELECT uscc -- FORMAT TSV SETTINGS\nFROM institutions ORDER BY uscc":                "A1\nA2\n",
		"WITH institutions AS (SELECT * FROM institutions) SELECT count() FROM institutions": "2\n",
		"SELECT reason FROM import_rejects":                                                  "魏都拒收行\n",
		"SELECT uscc FROM " + main + "_county_411002.institutions WHERE uscc = 'A1'":         "A1\n",
		"SELECT count() FROM institutions WHERE uscc IN (SELECT uscc FROM institutions)":     "2\n",
		"select toUInt8(sum(number)) AS n from numbers(4) format JSONEachRow":                "{\"n\":6}\n",
		"SHOW TABLES":                            "counties\ngrade_runs\nimport_rejects\ninstitutions\njob_runs\n",
		"DESCRIBE TABLE institutions FORMAT TSV": "uscc\tString\t\t\t\t\t\nname\tString\t\t\t\t\t\ncounty_code\tString\t\t\t\t\t\n",
	} {
		if a := post(t, srv, countyToken, q, nil); a.status != http.StatusOK || a.body != want {
			t.Errorf("control %q: %d %q, want %q", q, a.status, a.body, want)
		}
	}
	// The other county's token, and the city's, read their own.
	if a := post(t, srv, otherCountyToken, "SELECT name FROM institutions", nil); a.body != "禹州外县机构\n" {
		t.Errorf("the other county reads %d %q", a.status, a.body)
	}
	if a := post(t, srv, cityToken, "SELECT count() FROM raw_pages", nil); a.body != "1\n" {
		t.Errorf("the city reads raw_pages: %d %q", a.status, a.body)
	}
}

// No token reads a job's work table, however the query reaches it: not
// even in a scalar subquery, which the engine would evaluate while the
// statement is checked.
func TestWorkTablesUnreadable(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	const stage = "_stage_20260731T000000_0badcafe"
	for _, table := range []string{stage, s.Database() + "." + stage, "`" + stage + "`"} {
		for _, shape := range tableShapes {
			q := fmt.Sprintf(shape, table)
			for _, tok := range []string{cityToken, countyToken} {
				a := post(t, srv, tok, q, nil)
				if a.status == http.StatusOK || strings.Contains(a.body, "STAGED-ROW") {
					t.Errorf("%s: %d %.300q", q, a.status, a.body)
				}
			}
		}
	}
	if a := post(t, srv, cityToken, "SELECT (SELECT toUInt8(any(v)) FROM "+stage+")", nil); !strings.Contains(a.body, "a work table of a running job") {
		t.Errorf("refused without saying why: %d %.300q", a.status, a.body)
	}
}

// The tables that hold no county's records show in a county's database
// without what tells of other counties: the columns that name
// institutions, the city's counts, and the runs of one institution.
func TestSharedTablesNameNoInstitution(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	for q, want := range map[string]string{
		"SELECT run_id, step, status, summary, error, host FROM job_runs": "r1\tregrade\tok\t\t\t\n",
		"SELECT run_id, kind, note FROM grade_runs ORDER BY run_id":       "g1\tregrade\t\n",
	} {
		if a := post(t, srv, countyToken, q, nil); a.status != http.StatusOK || a.body != want {
			t.Errorf("county %s: %d %q, want %q", q, a.status, a.body, want)
		}
	}
	if a := post(t, srv, cityToken, "SELECT summary FROM job_runs", nil); a.body != "lowered B1: 禹州外县机构\n" {
		t.Errorf("the city reads job_runs whole: %d %q", a.status, a.body)
	}
}

// Each token sees the databases it can use, and database=default or the
// store's own name means its usual one.
func TestDatabasesATokenSees(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main := s.Database()
	if a := post(t, srv, countyToken, "SHOW DATABASES", nil); a.status != 200 || a.body != main+"_county_411002\n" {
		t.Errorf("county SHOW DATABASES: %d %q", a.status, a.body)
	}
	if a := post(t, srv, countyToken, "SHOW DATABASES LIKE '%411081%'", nil); a.status != 200 || a.body != "" {
		t.Errorf("county SHOW DATABASES LIKE another county: %d %q", a.status, a.body)
	}
	a := post(t, srv, cityToken, "SHOW DATABASES FORMAT TSV", nil)
	for _, want := range []string{main + "\n", main + "_county_411002\n", main + "_county_411081\n"} {
		if a.status != 200 || !strings.Contains(a.body, want) {
			t.Errorf("city SHOW DATABASES: %d %q, want %q", a.status, a.body, want)
		}
	}
	for _, db := range []string{"default", main, main + "_county_411002"} {
		if a := post(t, srv, countyToken, "SELECT count() FROM institutions", url.Values{"database": {db}}); a.status != 200 || a.body != "2\n" {
			t.Errorf("county with database=%s: %d %q", db, a.status, a.body)
		}
	}
	for _, db := range []string{"default", main} {
		if a := post(t, srv, cityToken, "SELECT count() FROM institutions", url.Values{"database": {db}}); a.status != 200 || a.body != "3\n" {
			t.Errorf("city with database=%s: %d %q", db, a.status, a.body)
		}
	}
	if a := post(t, srv, countyToken, "SELECT 1", url.Values{"database": {main + "_county_411081"}}); a.status == 200 {
		t.Errorf("county with another county's database: %d %q", a.status, a.body)
	}
}

// Query parameters are values; one typed Identifier still names only
// what the token may read, whatever it is bound to.
func TestParametersCannotNameTables(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main := s.Database()
	for _, c := range []struct{ q, param string }{
		{"SELECT * FROM {t:Identifier}", main + ".raw_pages"},
		{"SELECT * FROM {t:Identifier}", main + "_county_411081.institutions"},
		{"SELECT * FROM {t:Identifier}", "system.tables"},
		{"SELECT * FROM institutions WHERE uscc IN (SELECT uscc FROM {t:Identifier})", main + ".institutions"},
		{"SELECT * FROM file({p:String}, 'LineAsString')", "/etc/passwd"},
		{"SELECT dictGet({d:String}, 'a', 1)", "d"},
	} {
		a := post(t, srv, countyToken, c.q, url.Values{"param_t": {c.param}, "param_p": {c.param}, "param_d": {c.param}})
		if a.status == 200 {
			t.Errorf("%s with %s: allowed: %.200s", c.q, c.param, a.body)
		}
		for _, f := range foreign {
			if strings.Contains(a.body, f) {
				t.Errorf("%s with %s: the answer holds %q", c.q, c.param, f)
			}
		}
	}
	if a := post(t, srv, countyToken, "SELECT count() FROM {t:Identifier}", url.Values{"param_t": {"institutions"}}); a.status != 200 || a.body != "2\n" {
		t.Errorf("an allowed table by parameter: %d %q", a.status, a.body)
	}
}

// What runs is what the checks read. They read the engine's writing of
// the statement (formatQuery), and the text as sent runs only when the
// engine reads it as that statement: formatQuery drops an alias given as
// a parameter, which the engine binds when it runs the text as sent
// (WITH 'injected' AS {a:Identifier} rebound a column no check saw
// rebound, and an alias holding a line break reached the engine unseen),
// and writes `true`, `nan`, `NOT`… without their quotes (run as written
// back, a column named `true` answered the constant true). Such
// statements are refused; any other runs as sent, however long its
// writing back grows.
func TestWhatRunsIsWhatWasChecked(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	for _, c := range []struct {
		q     string
		param string
	}{
		{"WITH 'injected' AS {a:Identifier} SELECT name FROM institutions ORDER BY uscc", "name"},
		{"SELECT count() AS {a:Identifier} FROM institutions FORMAT TSVWithNames", "a\nb"},
		{"SELECT `true` FROM (SELECT name AS `true` FROM institutions)", ""},
		{"SELECT `NOT` + 1 FROM (SELECT count() AS `NOT` FROM institutions)", ""},
	} {
		a := post(t, srv, countyToken, c.q, url.Values{"param_a": {c.param}})
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "reads otherwise than its own writing") {
			t.Errorf("%s: %d %q, want it refused", c.q, a.status, a.body)
		}
	}
	// SHOW TABLES is checked on its writing back, whose tree holds no
	// clause: that runs (FULL, which the writing drops, ran).
	if a := post(t, srv, countyToken, "SHOW FULL TABLES LIKE 'inst%'", nil); a.status != 200 || a.body != "institutions\n" {
		t.Errorf("SHOW FULL TABLES: %d %q, want the statement checked, without FULL", a.status, a.body)
	}
	// Comments, case and layout the writing back drops: run as sent.
	if a := post(t, srv, countyToken, "select /* x */ `name`\nfrom institutions -- y\norder by uscc", nil); a.status != 200 || a.body != "魏都本县机构\n魏都第二机构\n" {
		t.Errorf("a statement written back otherwise: %d %q", a.status, a.body)
	}
	// 12,000 codes: under the 256 KiB the endpoint takes as sent, over it
	// as written back (a space after each comma).
	codes := make([]string, 12000)
	for i := range codes {
		codes[i] = fmt.Sprintf("'%018d'", i)
	}
	q := "SELECT count() FROM institutions WHERE uscc IN (" + strings.Join(codes, ",") + ")"
	if a := post(t, srv, countyToken, q, nil); a.status != 200 || a.body != "0\n" {
		t.Errorf("a statement of %d bytes: %d %.300q", len(q), a.status, a.body)
	}
}

// TestCountyCatalog: a county token reads system.databases, .tables and
// .columns as a ClickHouse server shows them to a user granted only its
// database (schema browsers need them): in every shape a query takes,
// no row about another database is there, and the filter that keeps
// them out cannot be changed by the token.
func TestCountyCatalog(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main, own, other := s.Database(), s.Database()+"_county_411002", s.Database()+"_county_411081"
	for _, table := range []string{"system.databases", "system.tables", "system.columns", "system . tables", "`system`.`columns`"} {
		for _, shape := range tableShapes {
			q := fmt.Sprintf(shape, table)
			a := post(t, srv, countyToken, q, nil)
			// Only the view definitions of its own database name the
			// main one; no table of the main one appears (raw_pages).
			for _, f := range append([]string{other, "raw_pages", "INFORMATION_SCHEMA", "query_log"}, foreign...) {
				if strings.Contains(a.body, f) {
					t.Errorf("%s: the answer holds %q: %.300s", q, f, a.body)
				}
			}
		}
	}
	for q, want := range map[string]string{
		"SELECT name FROM system.databases":                                                                               own + "\n",
		"SELECT DISTINCT database FROM system.tables":                                                                     own + "\n",
		"SELECT name FROM system.tables ORDER BY name":                                                                    "counties\ngrade_runs\nimport_rejects\ninstitutions\njob_runs\n",
		"SELECT count() FROM system.columns WHERE database != currentDatabase()":                                          "0\n",
		"SELECT count() FROM (SELECT * FROM system.tables) WHERE database = '" + main + "'":                               "0\n",
		"SELECT '" + other + "' IN (SELECT name FROM system.databases)":                                                   "0\n",
		"SELECT count() FROM system.tables AS t JOIN system.columns AS c ON t.name = c.table WHERE t.database = 'system'": "0\n",
		"SELECT name FROM system.columns WHERE table = 'institutions' ORDER BY name":                                      "county_code\nname\nuscc\n",
	} {
		if a := post(t, srv, countyToken, q, nil); a.status != http.StatusOK || a.body != want {
			t.Errorf("%s: %d %q, want %q", q, a.status, a.body, want)
		}
	}
	for _, a := range []answer{
		post(t, srv, countyToken, "SELECT count() FROM system.tables SETTINGS additional_table_filters = {}", nil),
		post(t, srv, countyToken, "SELECT * FROM (SELECT count() FROM system.tables SETTINGS max_threads = 1, additional_table_filters = {'system.tables': '1'})", nil),
		post(t, srv, countyToken, "SELECT count() FROM system.tables", url.Values{"additional_table_filters": {"{}"}}),
	} {
		if a.status == http.StatusOK || !strings.Contains(a.body, "additional_table_filters") {
			t.Errorf("the filter was changed: %d %.200q", a.status, a.body)
		}
	}
	// The city reads the whole catalog.
	if a := post(t, srv, cityToken, "SELECT count() > 0 FROM system.tables WHERE database = '"+other+"'", nil); a.body != "1\n" {
		t.Errorf("the city's catalog: %d %q", a.status, a.body)
	}
}

// TestCountyFilterComesFirst: a county's filter is applied before any
// expression of the analyst's query sees a row. The engine moves a
// query's WHERE into the views it reads (filter push-down, PREWHERE), so
// an expression that fails on a row — throwIf, a cast quoting the
// value — ran on other counties' rows, and its error message (or its
// failing at all) told them: a county read another's names through
// 'Cannot parse string ... as UInt64'. Here every row any such expression
// sees must be the county's own, or the query fails.
// A LowCardinality column keeps its whole dictionary when the county's
// filter drops other counties' rows, and the engine runs functions on the
// dictionary: a county view holds such a column as its plain type, so
// that no function of an analyst sees a value only another county holds.
func TestLowCardinalityValuesStayInTheirCounty(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	for _, q := range []string{
		"CREATE TABLE audit_like (id UInt32, token LowCardinality(String), tags Array(LowCardinality(Nullable(String))), county_code LowCardinality(String)) ENGINE = MergeTree ORDER BY id",
		"INSERT INTO audit_like VALUES (1, 'weidu', ['a'], '411002'), (2, 'yuzhou-secret', ['yuzhou-tag'], '411081')",
	} {
		if err := s.Exec(context.Background(), q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s})
	for _, c := range []struct{ q, want string }{
		{"SELECT count() FROM audit_like WHERE throwIf(token = 'yuzhou-secret') = 0", "1\n"},
		{"SELECT count() FROM audit_like WHERE throwIf(has(tags, 'yuzhou-tag')) = 0", "1\n"},
		{"SELECT count() FROM audit_like WHERE throwIf(county_code = '411081') = 0", "1\n"},
		{"SELECT toTypeName(token), toTypeName(tags), token FROM audit_like", "String\tArray(Nullable(String))\tweidu\n"},
	} {
		a := post(t, srv, countyToken, c.q, nil)
		if a.status != http.StatusOK || a.body != c.want {
			t.Errorf("%s: %d %q, want %q", c.q, a.status, a.body, c.want)
		}
	}
	// A cast failing on a value names only the county's own.
	if a := post(t, srv, countyToken, "SELECT count() FROM audit_like WHERE toUInt8(token) = 0", nil); strings.Contains(a.body, "yuzhou") {
		t.Errorf("a failing cast quoted another county's value: %q", a.body)
	}
}

// The shared views keep their own filter first, and hold no
// LowCardinality column, as the county views do: an analyst's throwIf on
// grade_runs' kind ran with the view's filter, or on the column's
// dictionary, and told that upgrade and review runs exist, which a
// county does not see.
func TestSharedViewsFilterFirst(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	for _, q := range []string{
		"SELECT count() FROM grade_runs WHERE throwIf(kind = 'upgrade', 'x') = 0",
		"SELECT count() FROM grade_runs WHERE throwIf(kind = 'nosuchkind', 'x') = 0",
		"SELECT count() FROM grade_runs WHERE throwIf(run_id = 'u1', 'x') = 0",
		"SELECT count() FROM (SELECT * FROM grade_runs) WHERE throwIf(kind = 'upgrade', 'x') = 0",
		"SELECT count() FROM grade_runs GROUP BY kind HAVING throwIf(kind = 'upgrade', 'x') = 0",
	} {
		if a := post(t, srv, countyToken, q, nil); a.status != http.StatusOK || a.body != "1\n" {
			t.Errorf("%s: %d %q", q, a.status, a.body)
		}
	}
	if a := post(t, srv, countyToken, "SELECT toTypeName(kind) FROM grade_runs", nil); a.body != "String\n" {
		t.Errorf("grade_runs' kind in a county's view: %d %q, want String", a.status, a.body)
	}
}

func TestCountyFilterComesFirst(t *testing.T) {
	// A view whose county comes from a join, as the store's views take
	// it from the register: a filter on the USCC goes further down than
	// the county's.
	s := storetest.OpenEmbedded(t)
	for _, q := range []string{
		"CREATE TABLE registry (uscc String, name String, cc String) ENGINE = MergeTree ORDER BY uscc",
		"INSERT INTO registry SELECT 'B' || toString(number), '禹州外县机构', '411081' FROM numbers(1000)",
		"INSERT INTO registry VALUES ('A1', '魏都本县机构', '411002'), ('A2', '魏都第二机构', '411023')",
		"CREATE TABLE codes (any_code String, code String) ENGINE = MergeTree ORDER BY any_code",
		"INSERT INTO codes VALUES ('411023', '411002'), ('411002', '411002'), ('411081', '411081')",
		"CREATE VIEW v_registry AS SELECT r.uscc AS uscc, r.name AS name, c.code AS county_code FROM registry AS r LEFT JOIN codes AS c ON c.any_code = r.cc",
	} {
		if err := s.Exec(context.Background(), q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s})
	for _, q := range []string{
		"SELECT count() FROM v_registry WHERE throwIf(uscc LIKE 'B%') = 0",
		"SELECT count() FROM v_registry WHERE toUInt64(if(uscc LIKE 'B%', concat('x|', name), '1')) > 0",
		"SELECT count() FROM v_registry WHERE name != '' AND throwIf(uscc LIKE 'B%') = 0",
		"SELECT count() FROM (SELECT * FROM v_registry) WHERE throwIf(uscc LIKE 'B%') = 0",
		"SELECT count() FROM v_registry AS a INNER JOIN v_registry AS b ON a.uscc = b.uscc WHERE throwIf(b.uscc LIKE 'B%') = 0",
		"SELECT count() FROM v_registry AS a INNER JOIN v_registry AS b ON a.uscc = b.uscc AND throwIf(b.uscc LIKE 'B%') = 0",
		"SELECT count() FROM v_registry WHERE uscc IN (SELECT uscc FROM v_registry WHERE throwIf(uscc LIKE 'B%') = 0)",
		"SELECT count() FROM v_registry GROUP BY county_code HAVING throwIf(max(uscc) LIKE 'B%') = 0",
		// Both are on already: given with the values in force, they are
		// accepted as unchanged (a server does not check them), and the
		// filter still does not cross the view's.
		"SELECT count() FROM v_registry WHERE throwIf(uscc LIKE 'B%') = 0 SETTINGS query_plan_filter_push_down = 1, optimize_move_to_prewhere = 1",
	} {
		a := post(t, srv, countyToken, q, nil)
		if a.status != http.StatusOK || a.body != "2\n" {
			t.Errorf("%s: %d %q", q, a.status, a.body)
		}
		if strings.Contains(a.body, "禹州外县机构") {
			t.Errorf("%s: the answer holds another county's name", q)
		}
	}
	// Refused, and telling nothing either.
	for _, q := range []string{
		"SELECT count() FROM v_registry PREWHERE throwIf(uscc LIKE 'B%') = 0",
		"SELECT count() FROM v_registry WHERE throwIf(uscc LIKE 'B%') = 0 SETTINGS optimize_move_to_prewhere_if_final = 1, move_all_conditions_to_prewhere = 1, allow_reorder_prewhere_conditions = 1",
	} {
		a := post(t, srv, countyToken, q, nil)
		if a.status == http.StatusOK || strings.Contains(a.body, "禹州外县机构") || strings.Contains(a.body, "THROW_IF") {
			t.Errorf("%s: %d %q", q, a.status, a.body)
		}
	}
	for _, q := range []string{
		"SELECT count() FROM institutions WHERE throwIf(county_code != '411002') = 0",
		"SELECT count() FROM institutions WHERE toUInt64(if(county_code != '411002', concat('x|', name), '1')) > 0",
		"SELECT count() FROM institutions WHERE name != '' AND throwIf(county_code != '411002') = 0",

		"SELECT count() FROM (SELECT * FROM institutions) WHERE throwIf(county_code != '411002') = 0",
		"SELECT count() FROM institutions AS a INNER JOIN institutions AS b ON a.uscc = b.uscc WHERE throwIf(b.county_code != '411002') = 0",
		"SELECT count() FROM institutions AS a INNER JOIN institutions AS b ON a.uscc = b.uscc AND throwIf(b.county_code != '411002') = 0",
		"SELECT count() FROM institutions WHERE uscc IN (SELECT uscc FROM institutions WHERE throwIf(county_code != '411002') = 0)",
		"SELECT count() FROM institutions GROUP BY county_code HAVING throwIf(county_code != '411002') = 0",
	} {
		a := post(t, srv, countyToken, q, nil)
		if a.status != http.StatusOK || a.body != "2\n" {
			t.Errorf("%s: %d %q", q, a.status, a.body)
		}
		for _, f := range foreign {
			if strings.Contains(a.body, f) {
				t.Errorf("%s: the answer holds %q", q, f)
			}
		}
	}
}

// A county view reads a table whose rows are replaced merged, whatever
// the session's final: a server's analyst profile left it unset, and a
// view cannot be read with FINAL, so a key written twice showed twice
// until the engine merged its parts.
func TestCountyViewsReadMerged(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE exemplary (uscc String, note String, county_code String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY uscc",
		"CREATE TABLE labels (domain String, code String, zh String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (domain, code)",
		"SYSTEM STOP MERGES exemplary",
		"SYSTEM STOP MERGES labels",
		"INSERT INTO exemplary VALUES ('A1', 'first', '411002', 1)",
		"INSERT INTO exemplary VALUES ('A1', 'second', '411002', 2)",
		"INSERT INTO labels VALUES ('grade', 'A', 'first', 1)",
		"INSERT INTO labels VALUES ('grade', 'A', 'second', 2)",
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	countyEndpoint(t, chhttp.Options{Store: s})
	db := s.Database() + "_county_411002"
	for table, value := range map[string]string{"exemplary": "note", "labels": "zh"} {
		q := "SELECT count(), arrayStringConcat(groupArray(" + value + "), ',') FROM " + db + "." + table + " SETTINGS final = 0"
		rows, err := s.Query(ctx, q, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var n uint64
		var v string
		for rows.Next() {
			if err := rows.Scan(&n, &v); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if n != 1 || v != "second" {
			t.Errorf("%s with final = 0: %d rows, %q, want the key once, its latest row", table, n, v)
		}
	}
}

// A name holding a line break is refused as the client's (403, 497), not
// answered as the endpoint's failure (500).
func TestNameWithALineBreakIsRefused(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	a := post(t, srv, countyToken, "SELECT name AS `等级\n(grade)` FROM institutions", nil)
	if a.status != http.StatusForbidden || a.header.Get("X-ClickHouse-Exception-Code") != "497" || !strings.Contains(a.body, "holding a line break") {
		t.Errorf("%d %v %q", a.status, a.header.Get("X-ClickHouse-Exception-Code"), a.body)
	}
}

// The catalog's own filtering runs a condition on database alone on
// every database's name (docs/security.md, a known limit); a condition
// on a table's or a column's name, or on system.databases, sees only the
// county's.
func TestCatalogTellsNoOtherTable(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main, other := s.Database(), s.Database()+"_county_411081"
	for _, q := range []string{
		"SELECT count() FROM system.tables WHERE throwIf(name = 'raw_pages', 'x')",
		"SELECT count() FROM system.columns WHERE throwIf(table = 'raw_pages', 'x')",
		"SELECT count() FROM system.columns WHERE throwIf(name = 'body', 'x')",
		"SELECT count() FROM system.tables WHERE throwIf(database = '" + main + "' AND name = 'raw_pages', 'x')",
		"SELECT count() FROM system.tables WHERE database = '" + main + "' AND throwIf(name = 'raw_pages', 'x')",
		"SELECT count() FROM system.databases WHERE throwIf(name = '" + other + "', 'x')",
	} {
		if a := post(t, srv, countyToken, q, nil); a.status != http.StatusOK || a.body != "0\n" {
			t.Errorf("%s: %d %q", q, a.status, a.body)
		}
	}
}

// A county's views show the columns' comments of the tables and views
// they stand for (docs/analysts.md promises them in Chinese and English):
// DESCRIBE and system.columns of a county's database showed none.
func TestCountyViewsKeepColumnComments(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE graded (uscc String COMMENT '统一社会信用代码 USCC', grade LowCardinality(String) COMMENT '信用等级 grade: A | B', county_code String, n UInt8 DEFAULT 1 COMMENT 'it''s \\\\ n') ENGINE = MergeTree ORDER BY uscc",
		"INSERT INTO graded (uscc, grade, county_code) VALUES ('A1', 'A', '411002'), ('B1', 'B', '411081')",
		"CREATE VIEW v_graded (uscc String COMMENT '统一社会信用代码 USCC', county_code String COMMENT '区县代码 county') AS SELECT uscc, county_code FROM graded",
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s})
	const want = "graded\tuscc\tString\t统一社会信用代码 USCC\n" +
		"graded\tgrade\tString\t信用等级 grade: A | B\n" +
		"graded\tcounty_code\tString\t\n" +
		"graded\tn\tUInt8\tit\\'s \\\\ n\n" + // TSV escapes ' too
		"v_graded\tuscc\tString\t统一社会信用代码 USCC\n" +
		"v_graded\tcounty_code\tString\t区县代码 county\n"
	if a := post(t, srv, countyToken, "SELECT table, name, type, comment FROM system.columns WHERE table IN ('graded', 'v_graded') ORDER BY table, position", nil); a.status != 200 || a.body != want {
		t.Errorf("system.columns of the county's views: %d\n%s\nwant\n%s", a.status, a.body, want)
	}
	if a := post(t, srv, countyToken, "DESCRIBE v_graded FORMAT TSV", nil); a.status != 200 || !strings.Contains(a.body, "county_code\tString\t\t\t区县代码 county\t") {
		t.Errorf("DESCRIBE v_graded: %d %q", a.status, a.body)
	}
	// And the rows are still the county's.
	if a := post(t, srv, countyToken, "SELECT uscc, grade, n FROM graded", nil); a.status != 200 || a.body != "A1\tA\t1\n" {
		t.Errorf("the county's rows: %d %q", a.status, a.body)
	}
}

// A parameter sent twice, once with a NUL in its name (param_d and
// param_d%00), was two names to the checks and one to the engine, which
// reads names as C strings: each of the three calls (EXPLAIN AST, the
// query tree, the run) took whichever value the map gave first, and a
// county read the main database when the checks drew its own. Refused.
func TestParameterNameWithNULRefused(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main := s.Database()
	for range 16 {
		a := post(t, srv, countyToken, "SELECT count() FROM {d:Identifier}.institutions",
			url.Values{"param_d": {main + "_county_411002"}, "param_d\x00": {main}})
		if a.status != 400 || !strings.Contains(a.body, "holds a NUL byte") {
			t.Fatalf("answered %d %.200q; want 400, the parameter's name refused", a.status, a.body)
		}
	}
}

// The statements SQLAlchemy (Superset) lists and checks tables with are
// answered: SHOW TABLES FROM a database the token uses (LIKE too) as SHOW
// TABLES there; EXISTS TABLE and EXISTS DATABASE of what the token sees,
// 1 or 0. They were refused, a county's EXISTS as "SHOW". A county
// learns nothing of what it does not see: another county's database, or
// the main one, is refused or 0 exactly as a name nothing has.
func TestSchemaListingStatements(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	main := s.Database()
	own, other := main+"_county_411002", main+"_county_411081"
	ownTables := post(t, srv, countyToken, "SHOW TABLES", nil)
	if ownTables.status != 200 || !strings.Contains(ownTables.body, "institutions\n") {
		t.Fatalf("county SHOW TABLES: %d %q", ownTables.status, ownTables.body)
	}
	for _, c := range []struct{ token, query, want string }{
		{countyToken, "SHOW TABLES FROM `" + own + "`", ownTables.body},
		{countyToken, "SHOW TABLES IN " + own + " LIKE 'inst%' FORMAT TSV", "institutions\n"},
		{countyToken, "SHOW TABLES FROM " + own + " NOT ILIKE '%\\\\_%'", "counties\ninstitutions\n"},
		{countyToken, "EXISTS TABLE `" + own + "`.`institutions`", "1\n"},
		{countyToken, "EXISTS institutions FORMAT TSVWithNames", "result\n1\n"},
		{countyToken, "EXISTS TABLE `" + own + "`.`no_such_view`", "0\n"},
		{countyToken, "EXISTS VIEW " + own + ".institutions", "1\n"},
		{countyToken, "EXISTS DATABASE `" + own + "` FORMAT TSVWithNames", "result\n1\n"},
		{countyToken, "EXISTS DATABASE `" + other + "`", "0\n"},
		{countyToken, "EXISTS DATABASE " + main, "0\n"},
		{countyToken, "EXISTS DATABASE no_such_database", "0\n"},
		{countyToken, "EXISTS DATABASE system", "0\n"},
		{cityToken, "SHOW TABLES FROM `" + main + "` LIKE 'raw%'", "raw_pages\n"},
		{cityToken, "SHOW TABLES FROM system LIKE 'one'", "one\n"},
		{cityToken, "SHOW TABLES FROM " + other + " LIKE 'inst%'", "institutions\n"},
		{cityToken, "EXISTS TABLE " + main + ".raw_pages", "1\n"},
		{cityToken, "EXISTS DATABASE " + other, "1\n"},
		{cityToken, "EXISTS DATABASE no_such_database", "0\n"},
	} {
		if a := post(t, srv, c.token, c.query, nil); a.status != 200 || a.body != c.want {
			t.Errorf("%s: %d %q, want %q", c.query, a.status, a.body, c.want)
		}
	}
	// Refused alike whether the name names something or not: the
	// answer for the real name, with the name replaced, is the answer
	// for the missing one.
	for _, c := range []struct{ real, missing, name string }{
		{"SHOW TABLES FROM " + other, "SHOW TABLES FROM " + main + "_county_999999", other},
		{"SHOW TABLES FROM " + main, "SHOW TABLES FROM " + main + "_county_999999", main},
		{"EXISTS TABLE " + other + ".institutions", "EXISTS TABLE " + main + "_county_999999.institutions", other},
		{"EXISTS TABLE " + main + ".raw_pages", "EXISTS TABLE " + main + ".no_such_table", main + ".raw_pages"},
		{"EXISTS TABLE system.processes", "EXISTS TABLE system.no_such_table", "system.processes"},
	} {
		real, missing := post(t, srv, countyToken, c.real, nil), post(t, srv, countyToken, c.missing, nil)
		missingName := strings.Fields(c.missing)[len(strings.Fields(c.missing))-1]
		realName := strings.Fields(c.real)[len(strings.Fields(c.real))-1]
		if real.status != 403 || missing.status != real.status || strings.ReplaceAll(real.body, realName, missingName) != missing.body {
			t.Errorf("%s: %d %q; %s: %d %q; want the same refusal", c.real, real.status, real.body, c.missing, missing.status, missing.body)
		}
	}
	// What stays refused names the statement sent.
	for _, c := range []struct{ query, says string }{
		{"SHOW TABLES FROM " + own + " WHERE name = 'x'", "SHOW TABLES [FROM db] and SHOW DATABASES take LIKE alone"},
		{"SHOW TABLES FROM " + own + " LIMIT 1", "SHOW TABLES [FROM db] and SHOW DATABASES take LIKE alone"},
		{"SHOW CREATE TABLE institutions", "SHOW CREATE TABLE is not allowed for the token of county 411002"},
		{"SHOW COLUMNS FROM institutions", "SHOW COLUMNS is not allowed for the token of county 411002"},
		{"EXISTS TABLE " + main + ".institutions", "EXISTS of " + main + ".institutions"},
	} {
		if a := post(t, srv, countyToken, c.query, nil); a.status != 403 || !strings.Contains(a.body, c.says) {
			t.Errorf("%s: %d %q, want a refusal saying %q", c.query, a.status, a.body, c.says)
		}
	}
}
