package chhttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// An analyst's query runs behind the daemon's own (priority 2 against
// the store's 1: the engine pauses it while one of those runs) and
// within its memory bound, which the daemon's own queries do not have.
func TestAnalystQueriesYieldAndAreBounded(t *testing.T) {
	const memory = 64 << 20
	srv, s := countyEndpoint(t, chhttp.Options{MaxMemoryUsage: memory})
	for _, tok := range []string{cityToken, countyToken} {
		if a := post(t, srv, tok, "SELECT getSetting('priority'), getSetting('max_memory_usage')", nil); a.status != 200 || a.body != "2\t67108864\n" {
			t.Errorf("token %s: %d %q, want priority 2 and the memory bound", tok, a.status, a.body)
		}
	}
	var prio, mem uint64
	if err := store.QueryRow(context.Background(), s, "SELECT getSetting('priority'), getSetting('max_memory_usage')", nil, &prio, &mem); err != nil || prio != 1 || mem != 0 {
		t.Errorf("the daemon's own session: priority %d, max_memory_usage %d (%v); want 1 and no bound of the endpoint's", prio, mem, err)
	}
	// About 200 MB of strings held at once: past the bound.
	big := "SELECT length(groupArray(toString(number))) FROM numbers(10000000)"
	if a := post(t, srv, countyToken, big, nil); a.status != 500 || a.header.Get("X-ClickHouse-Exception-Code") != "241" || !strings.Contains(a.body, "MEMORY_LIMIT_EXCEEDED") {
		t.Errorf("a query past the memory bound: %d %q, want MEMORY_LIMIT_EXCEEDED (241)", a.status, a.body)
	}
	// The bound is not the analyst's to lift, nor the priority.
	if a := post(t, srv, countyToken, "SELECT 1", url.Values{"max_memory_usage": {"0"}}); a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") != "164" {
		t.Errorf("max_memory_usage in the URL: %d %q, want READONLY (164)", a.status, a.body)
	}
	if a := post(t, srv, cityToken, "SELECT 1 SETTINGS priority = 1", nil); a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") != "164" {
		t.Errorf("priority in the statement: %d %q, want READONLY (164)", a.status, a.body)
	}
	var n uint64
	if err := store.QueryRow(context.Background(), s, big, nil, &n); err != nil || n != 10000000 {
		t.Errorf("the same query in the daemon's own session: %d, %v", n, err)
	}
}

// One token runs at most MaxQueriesPerToken queries at once, and every
// token together MaxQueries; another waits up to QueueWait, then is
// refused as ClickHouse refuses past max_concurrent_queries_for_user.
// KILL QUERY still frees the slot, and the slot frees when the query ends.
func TestQueriesAreBounded(t *testing.T) {
	// A second a row, one row a block: it runs until killed.
	const long = "SELECT sleepEachRow(1) FROM numbers(600)"
	// The same in a scalar subquery, which the engine evaluates while the
	// statement is checked: it counts, and is killed, from then on.
	const scalar = "SELECT (SELECT sum(sleepEachRow(1)) FROM numbers(600) SETTINGS max_block_size = 1)"
	for _, c := range []struct {
		name          string
		long          string
		perToken, all int
		other         int    // what another token's query gets meanwhile
		refusal       string // what a second query of the same token is told
	}{
		{"per token", long, 1, 0, 200, "for token 魏都区: 1 run already"},
		{"all tokens", long, 0, 1, 500, "for every token together: 1 run already"},
		{"per token, scalar subquery", scalar, 1, 0, 200, "for token 魏都区: 1 run already"},
		{"all tokens, scalar subquery", scalar, 0, 1, 500, "for every token together: 1 run already"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := countyEndpoint(t, chhttp.Options{MaxQueriesPerToken: c.perToken, MaxQueries: c.all, QueueWait: 100 * time.Millisecond})
			done := make(chan int, 1)
			start := func() {
				go func() {
					done <- post(t, srv, countyToken, c.long, url.Values{"query_id": {"long-one"}, "max_block_size": {"1"}}).status
				}()
			}
			start()
			// Until the long query holds its slot, a second one runs. One
			// of those may hold the slot when the long query asks for it,
			// which is then refused after QueueWait: it starts again.
			var second answer
			for deadline := time.Now().Add(30 * time.Second); ; {
				select {
				case <-done:
					start()
				default:
				}
				if second = post(t, srv, countyToken, "SELECT 1", nil); second.status != 200 || time.Now().After(deadline) {
					break
				}
			}
			if second.status != 500 || second.header.Get("X-ClickHouse-Exception-Code") != "202" || !strings.Contains(second.body, c.refusal) {
				t.Errorf("a second query of the token: %d %q, want TOO_MANY_SIMULTANEOUS_QUERIES (202) %s", second.status, second.body, c.refusal)
			}
			if a := post(t, srv, cityToken, "SELECT 1", nil); a.status != c.other {
				t.Errorf("another token meanwhile: %d %q, want %d", a.status, a.body, c.other)
			}
			if a := post(t, srv, countyToken, "KILL QUERY WHERE query_id = 'long-one'", nil); a.status != 200 {
				t.Errorf("KILL QUERY with every slot taken: %d %q", a.status, a.body)
			}
			select {
			case st := <-done:
				if st == 200 {
					t.Errorf("the killed query answered 200")
				}
			case <-time.After(time.Minute):
				t.Fatal("the killed query did not end")
			}
			for _, tok := range []string{countyToken, cityToken} {
				if a := post(t, srv, tok, "SELECT 1", nil); a.status != 200 || a.body != "1\n" {
					t.Errorf("after the slot was freed: %d %q", a.status, a.body)
				}
			}
		})
	}
}

// KILL QUERY answers as ClickHouse's does. ASYNC, the default, cancels
// and answers waiting at once; SYNC answers finished once the query has
// ended, its slot free for the token's next query at that moment (it
// answered finished at once while the engine and the slot went on for
// minutes, and the next query was refused "2 run already"); TEST cancels
// nothing. The query below is cancelled only between blocks of three
// seconds' sleep: it ends up to three seconds after the KILL.
func TestKillQueryAnswersAsAServer(t *testing.T) {
	const long = "SELECT sum(sleepEachRow(3)) FROM numbers(600)"
	srv, _ := countyEndpoint(t, chhttp.Options{MaxQueriesPerToken: 1, QueueWait: time.Millisecond})
	start := func(t *testing.T, id string) <-chan answer {
		done := make(chan answer, 1)
		go func() {
			for {
				// Sent again while the probe below holds the slot.
				a := post(t, srv, countyToken, long, url.Values{"query_id": {id}, "max_block_size": {"1"}})
				if a.header.Get("X-ClickHouse-Exception-Code") != "202" {
					done <- a
					return
				}
			}
		}()
		// Until the long query holds the token's one slot, another runs.
		for {
			select {
			case a := <-done:
				t.Fatalf("%s ended before it was killed: %d %q", id, a.status, a.body)
			default:
			}
			a := post(t, srv, countyToken, "SELECT 1", nil)
			if a.status != 200 {
				if a.header.Get("X-ClickHouse-Exception-Code") != "202" {
					t.Fatalf("while %s starts: %d %q", id, a.status, a.body)
				}
				return done
			}
		}
	}
	ended := func(t *testing.T, id string, done <-chan answer) {
		select {
		case a := <-done:
			if a.header.Get("X-ClickHouse-Exception-Code") != "394" {
				t.Errorf("the killed %s answered %d %q, want QUERY_WAS_CANCELLED", id, a.status, a.body)
			}
		case <-time.After(time.Minute):
			t.Fatalf("the killed %s did not end", id)
		}
	}

	t.Run("SYNC", func(t *testing.T) {
		done := start(t, "kill-sync")
		if a := post(t, srv, countyToken, "KILL QUERY WHERE query_id = 'kill-sync' SYNC", nil); a.status != 200 || a.body != "finished\tkill-sync\t魏都区\n" {
			t.Errorf("KILL … SYNC: %d %q, want finished", a.status, a.body)
		}
		// Its slot is free now: the next query waits for none.
		if a := post(t, srv, countyToken, "SELECT 1", nil); a.status != 200 || a.body != "1\n" {
			t.Errorf("the token's next query after KILL … SYNC: %d %q, want its slot free", a.status, a.body)
		}
		ended(t, "kill-sync", done)
	})
	for name, mode := range map[string]string{"ASYNC by default": "", "ASYNC": " ASYNC"} {
		t.Run(name, func(t *testing.T) {
			id := "kill-" + strings.ReplaceAll(strings.ToLower(name), " ", "-")
			done := start(t, id)
			if a := post(t, srv, countyToken, "KILL QUERY WHERE query_id = '"+id+"'"+mode, nil); a.status != 200 || a.body != "waiting\t"+id+"\t魏都区\n" {
				t.Errorf("KILL%s: %d %q, want waiting", mode, a.status, a.body)
			}
			ended(t, id, done)
		})
	}
	t.Run("TEST", func(t *testing.T) {
		done := start(t, "kill-test")
		for range 2 {
			// Still running the second time: nothing was cancelled.
			if a := post(t, srv, countyToken, "KILL QUERY WHERE query_id = 'kill-test' TEST", nil); a.status != 200 || a.body != "unknown_status\tkill-test\t魏都区\n" {
				t.Errorf("KILL … TEST: %d %q, want unknown_status", a.status, a.body)
			}
		}
		select {
		case a := <-done:
			t.Fatalf("KILL … TEST ended the query: %d %q", a.status, a.body)
		default:
		}
		post(t, srv, countyToken, "KILL QUERY WHERE query_id = 'kill-test' SYNC", nil)
		ended(t, "kill-test", done)
	})
}

// A statement's own SETTINGS reach its run with their values, strings
// included; send_logs_level, which would have the engine write the query
// into the daemon's log, is refused there and taken without effect in the
// URL, as a server's HTTP interface takes it.
func TestStatementSettingsAndServerLogs(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	if a := post(t, srv, countyToken, "SELECT getSetting('date_time_output_format') SETTINGS date_time_output_format = 'iso'", nil); a.status != 200 || a.body != "iso\n" {
		t.Errorf("a string setting of the statement: %d %q, want iso", a.status, a.body)
	}
	if a := post(t, srv, countyToken, "SELECT 1 SETTINGS send_logs_level = 'trace'", nil); a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") != "164" {
		t.Errorf("send_logs_level in the statement: %d %q, want READONLY (164)", a.status, a.body)
	}
	if a := post(t, srv, countyToken, "SELECT getSetting('send_logs_level')", url.Values{"send_logs_level": {"trace"}}); a.status != 200 || a.body == "trace\n" {
		t.Errorf("send_logs_level in the URL: %d %q, want taken and not set", a.status, a.body)
	}
}

// An analyst's query runs on MaxThreads threads at most: a token may ask
// for fewer, never for more nor for every core (0). Functions that read
// the process itself answer nobody.
func TestThreadsAreBoundedAndIntrospectionOff(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxThreads: 1})
	for _, c := range []struct {
		name, query string
		params      url.Values
		status      int
		want        string // the body, or the exception's code
	}{
		{"the session's bound", "SELECT getSetting('max_threads')", nil, 200, "1\n"},
		{"asking for the bound", "SELECT getSetting('max_threads')", url.Values{"max_threads": {"1"}}, 200, "1\n"},
		{"more in the URL", "SELECT 1", url.Values{"max_threads": {"2"}}, 500, "452"},
		{"every core in the URL", "SELECT 1", url.Values{"max_threads": {"0"}}, 500, "452"},
		{"auto in the URL", "SELECT 1", url.Values{"max_threads": {"auto"}}, 500, "452"},
		{"more in the statement", "SELECT 1 SETTINGS max_threads = 8", nil, 500, "452"},
		{"every core in a subquery", "SELECT * FROM (SELECT 1 SETTINGS max_threads = 0)", nil, 500, "452"},
		{"introspection", "SELECT addressToLine(toUInt64(1))", nil, 500, "446"},
		{"introspection switched on", "SELECT 1 SETTINGS allow_introspection_functions = 1", nil, 500, "164"},
		// Vectorscan compiles many patterns in one call that outlasts
		// every limit and KILL: off, and not to be switched on. re2's
		// regular expressions and the plain searches stay.
		{"vectorscan", "SELECT multiFuzzyMatchAny('abc', 1, ['abd'])", nil, 500, "446"},
		{"vectorscan switched on in the URL", "SELECT 1", url.Values{"allow_hyperscan": {"1"}}, 500, "164"},
		{"vectorscan switched on in the statement", "SELECT multiMatchAny('abc', ['b']) SETTINGS allow_hyperscan = 1", nil, 500, "164"},
		{"re2 and the plain searches", "SELECT match('abc', 'b+'), multiSearchAny('abc', ['c']), extract('abc', 'b.')", nil, 200, "1\t1\tbc\n"},
		// The host: its name, kernel, uptime; a setting naming a file the
		// engine opens (its error told whether the file exists).
		{"the host's name", "SELECT hostName()", nil, 403, "497"},
		{"the kernel", "SELECT getOSKernelVersion()", nil, 403, "497"},
		{"uptime", "SELECT uptime()", nil, 403, "497"},
		{"a setting naming a file", "SELECT now() FORMAT ORC", url.Values{"output_format_orc_writer_time_zone_name": {"../../../../etc/passwd"}}, 500, "164"},
		{"an output setting", "SELECT 1 FORMAT CSV", url.Values{"output_format_csv_crlf_end_of_line": {"1"}}, 200, "1\r\n"},
		// Limits counting rows below a county's filter: their errors
		// told how many rows the whole city has.
		{"rows to read", "SELECT count() FROM institutions", url.Values{"max_rows_to_read": {"1"}}, 500, "164"},
		{"rows to sort", "SELECT uscc FROM institutions ORDER BY uscc SETTINGS max_rows_to_sort = 1", nil, 500, "164"},
		// Limits that mean no limit to the engine, and blocks too large
		// for the engine's pauses between them.
		{"no time limit", "SELECT 1", url.Values{"max_execution_time": {"-1"}}, 500, "452"},
		{"a time that rounds to none", "SELECT 1", url.Values{"max_execution_time": {"0.0000001"}}, 500, "452"},
		{"a block of forty million rows", "SELECT 1 SETTINGS max_block_size = 40000000", nil, 500, "452"},
		{"a block of a thousand", "SELECT 1", url.Values{"max_block_size": {"1000"}}, 200, "1\n"},
		// The parser's limits may be lowered, not raised: a statement of
		// millions of elements is refused, but parsed first.
		{"the parser's element limit raised", "SELECT 1 SETTINGS max_ast_elements = 10000000", nil, 500, "452"},
		{"the query size limit raised", "SELECT 1", url.Values{"max_query_size": {"100000000"}}, 500, "452"},
		{"the parser's depth limit lowered", "SELECT 1", url.Values{"max_ast_depth": {"500"}}, 200, "1\n"},
		// The statistics and progress count what the engine read below
		// the county's filter.
		{"progress rows", "SELECT count() FROM institutions FORMAT JSONEachRowWithProgress", nil, 403, "497"},
		{"statistics switched on", "SELECT 1 FORMAT JSON", url.Values{"output_format_write_statistics": {"1"}}, 500, "164"},
		{"the host's name as the server's", "SELECT displayName()", nil, 403, "497"},
		{"a query_id of a text's length", "SELECT 1", url.Values{"query_id": {strings.Repeat("x", 300)}}, 400, "62"},
		// The engine would run only the text before a NUL.
		{"a NUL byte", "SELECT uscc FROM institutions LIMIT 2 -- \x00\n OFFSET 1000000", nil, 400, "62"},
	} {
		for _, tok := range []string{cityToken, countyToken} {
			a := post(t, srv, tok, c.query, c.params)
			got := a.body
			if a.status != 200 {
				got = a.header.Get("X-ClickHouse-Exception-Code")
			}
			if a.status != c.status || got != c.want {
				t.Errorf("%s (token %s): %d %q (%q), want %d %q", c.name, tok, a.status, got, a.body, c.status, c.want)
			}
		}
	}
}

// What a county's answer says of the rows the engine read counts only
// its own: no statistics in JSON (rows_read counted every county's rows
// below the view's filter), no read rows in X-ClickHouse-Summary.
func TestReadRowsAreNotTold(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	a := post(t, srv, countyToken, "SELECT count() FROM institutions FORMAT JSON", nil)
	if a.status != 200 || strings.Contains(a.body, "rows_read") || !strings.Contains(a.body, `"count()": "2"`) {
		t.Errorf("JSON answer: %d %q", a.status, a.body)
	}
	// Its answer's rows are its own.
	a = post(t, srv, countyToken, "SELECT count() FROM institutions", nil)
	if sum := a.header.Get("X-ClickHouse-Summary"); a.status != 200 || !strings.Contains(sum, `"read_rows":"0"`) || !strings.Contains(sum, `"result_rows":"1"`) {
		t.Errorf("summary %q (%d)", sum, a.status)
	}
	// The handshake of clickhouse-go over HTTP answers the endpoint's
	// name, not the host's.
	a = post(t, srv, countyToken, "SELECT displayName(), version(), revision(), timezone()", nil)
	if a.status != 200 || !strings.HasPrefix(a.body, "creditsync\t") {
		t.Errorf("handshake: %d %q", a.status, a.body)
	}
}

// The answer as written is bounded by MaxResultBytes too: the engine's
// max_result_bytes counts its blocks, and formatting can make a small
// block large (here one byte of value becomes a line of fifty).
func TestFormattedAnswerIsBounded(t *testing.T) {
	const limit = 1 << 20
	srv, _ := countyEndpoint(t, chhttp.Options{MaxResultBytes: limit})
	const q = "SELECT toUInt8(1) AS a_column_name_long_enough_to_pad_each_line FROM numbers(200000) FORMAT JSONEachRow"
	for _, params := range []url.Values{nil, {"wait_end_of_query": {"1"}}} {
		a := post(t, srv, countyToken, q, params)
		if !strings.Contains(a.body, "TOO_MANY_ROWS_OR_BYTES") || len(a.body) > limit+64<<10 {
			t.Errorf("%v: %d, %d bytes ending %q; want the answer cut near %d bytes with TOO_MANY_ROWS_OR_BYTES", params, a.status, len(a.body), a.body[max(0, len(a.body)-200):], limit)
		}
	}
	// Under the bound it is whole.
	if a := post(t, srv, countyToken, "SELECT toUInt8(1) AS a_column_name_long_enough_to_pad_each_line FROM numbers(1000) FORMAT JSONEachRow", nil); a.status != 200 || strings.Count(a.body, "\n") != 1000 {
		t.Errorf("a small answer: %d, %d lines", a.status, strings.Count(a.body, "\n"))
	}
}

// An answer over several of the engine's blocks (65,409 rows each) is
// one document, as a server writes it, under the settings a token may
// change too: streamed chunk by chunk, each chunk was a document of its
// own (a JSON array per chunk, Vertical's rows numbered from 1 again
// with "Showed first 1000." per chunk, "Showed 1000 out of 65409 rows."
// per chunk, a CSV header of one line per name kept in every chunk).
func TestAnswerOfManyBlocksIsOneDocument(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxMemoryUsage: 64 << 20})
	tests := []struct {
		name, query string
		params      url.Values
		ok          func(body string) bool
	}{
		{"one JSON array", "SELECT number FROM numbers(150000) FORMAT JSONEachRow", url.Values{"output_format_json_array_of_rows": {"1"}},
			func(body string) bool {
				var rows []struct{ Number string }
				return json.Unmarshal([]byte(body), &rows) == nil && len(rows) == 150000 && rows[149999].Number == "149999"
			}},
		{"Vertical numbers its rows once and stops once", "SELECT number FROM numbers(140000) FORMAT Vertical", url.Values{"output_format_pretty_max_rows": {"1000"}},
			func(body string) bool {
				return strings.Count(body, "Row 1:\n") == 1 && strings.Contains(body, "Row 1000:\n") && strings.Count(body, "Showed first") == 1
			}},
		{"PrettyCompact counts every row", "SELECT number FROM numbers(140000) FORMAT PrettyCompact", url.Values{"output_format_pretty_max_rows": {"1000"}},
			func(body string) bool {
				return strings.Count(body, "Showed ") == 1 && strings.Contains(body, "Showed 1000 out of 140000 rows.")
			}},
		{"a CSV header of a line per name", "SELECT number AS n, number * 2 AS m FROM numbers(140000) FORMAT CSVWithNames", url.Values{"format_csv_delimiter": {"\n"}},
			func(body string) bool {
				return strings.HasPrefix(body, "\"n\"\n\"m\"\n0\n0\n") && strings.Count(body, "\"m\"") == 1 && strings.Count(body, "\n") == 2*140001
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, srv, countyToken, tt.query, tt.params)
			if a.status != 200 || !tt.ok(a.body) {
				t.Errorf("%d, %d bytes: %.300q … %q", a.status, len(a.body), a.body, a.body[max(0, len(a.body)-300):])
			}
		})
	}
}

// stalledReader sends query (with the URL parameters params) for the
// county token on a connection of its own, reads the answer's first
// bytes, so that the query surely runs, and then reads nothing more.
func stalledReader(t *testing.T, srv *httptest.Server, query, params string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /?%s HTTP/1.1\r\nHost: x\r\nX-ClickHouse-Key: %s\r\nContent-Length: %d\r\n\r\n%s", params, countyToken, len(query), query)
	if _, err := io.ReadFull(conn, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// Answers held to the end of their queries wait on disk for their
// clients, holding no slot: together they take at most MaxHeldBytes of
// it, and what one took is free again when it is gone.
func TestHeldAnswersAreBoundedOnDisk(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxHeldBytes: 30 << 20})
	// 20 MB each: past the 16 MiB held in memory, so on disk.
	const q = "SELECT repeat('x', 1000) FROM numbers(20000)"
	held := stalledReader(t, srv, q, "wait_end_of_query=1")
	a := post(t, srv, countyToken, q, url.Values{"wait_end_of_query": {"1"}})
	if a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") != "243" {
		t.Fatalf("a second held answer past the bound: %d %.200q, want NOT_ENOUGH_SPACE (243)", a.status, a.body)
	}
	held.Close()
	var ok bool
	for deadline := time.Now().Add(30 * time.Second); !ok && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		a = post(t, srv, countyToken, q, url.Values{"wait_end_of_query": {"1"}})
		ok = a.status == 200 && len(a.body) > 20_000_000
	}
	if !ok {
		t.Errorf("once the first is gone: %d, %d bytes", a.status, len(a.body))
	}
}

// nextQueryRuns reports whether the county token's next query gets a
// slot within 30 seconds, and what it answered.
func nextQueryRuns(t *testing.T, srv *httptest.Server) (answer, bool) {
	t.Helper()
	var a answer
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if a = post(t, srv, countyToken, "SELECT 1", nil); a.status == 200 {
			break
		}
	}
	return a, a.status == 200 && a.body == "1\n"
}

// A client that stops reading its answer loses the query once a write
// has waited WriteTimeout, and its slot frees: without the bound the
// query would wait on the client, holding the token's only slot.
func TestClientThatStopsReadingLosesItsQuery(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxQueriesPerToken: 1, QueueWait: 100 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
	// 200 MB of answer: far past what the sockets' buffers hold.
	_ = stalledReader(t, srv, "SELECT repeat('x', 1000) FROM numbers(200000)", "query_id=stalled")
	if a, ok := nextQueryRuns(t, srv); !ok {
		t.Errorf("the token's next query while its client does not read: %d %q; want the stalled query gone and 1", a.status, a.body)
	}
}

// An answer held until the end of its query (wait_end_of_query) is sent
// after the engine is done: its slot frees then, not when a slow client
// has read it all — a reader at a few kilobytes a second held a slot for
// hours.
func TestHeldAnswerFreesItsSlotWhenTheQueryEnds(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxQueriesPerToken: 1, QueueWait: 100 * time.Millisecond})
	// 50 MB, spooled: far past what the sockets' buffers hold.
	_ = stalledReader(t, srv, "SELECT repeat('x', 1000) FROM numbers(50000)", "query_id=held&wait_end_of_query=1")
	if a, ok := nextQueryRuns(t, srv); !ok {
		t.Errorf("the token's next query while its held answer is read slowly: %d %q; want its slot free", a.status, a.body)
	}
}

// The city's X-ClickHouse-Summary and audit rows give the rows the engine
// read, and the answer's rows beside them: read_rows was the rows written,
// and a sum of a million rows recorded 1.
func TestReadRowsAreTheEnginesForTheCity(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	createAuditTable(t, s)
	srv, _ := countyEndpoint(t, chhttp.Options{Store: s, Audit: chhttp.StoreAudit(s, nil)})
	for _, c := range []struct {
		token, id, query, summary, audit string
	}{
		{cityToken, "rows-city-sum", "SELECT sum(number) FROM numbers(1000000)", `{"read_rows":"1000000","result_bytes":"13","result_rows":"1"}`, "1000000\t1\n"},
		{cityToken, "rows-city-json", "SELECT count() FROM numbers(30) WHERE number % 3 = 0 FORMAT JSON", `"read_rows":"30"`, "30\t1\n"},
		{countyToken, "rows-county", "SELECT uscc FROM institutions", `"read_rows":"0"`, "0\t2\n"},
	} {
		a := post(t, srv, c.token, c.query, url.Values{"query_id": {c.id}, "max_block_size": {"4"}})
		if sum := a.header.Get("X-ClickHouse-Summary"); a.status != 200 || !strings.Contains(sum, c.summary) {
			t.Errorf("%s: %d, summary %q, want %q", c.query, a.status, sum, c.summary)
		}
		got := post(t, srv, cityToken, "SELECT read_rows, result_rows FROM sql_audit WHERE query_id = '"+c.id+"' FORMAT TSV", nil)
		if got.body != c.audit {
			t.Errorf("%s: audit read_rows, result_rows %q, want %q", c.query, got.body, c.audit)
		}
	}
}

// An answer of a format written as one document is held within the
// query's memory limit. XML, built whole by the engine outside that
// limit, is refused once its result passes it (the engine's
// max_result_bytes): it answered 50 MB under a limit of 20 MB, and two
// answers of 800 MB each took the daemon from 290 MB to 3.95 GB under a
// limit of 150 MB. JSON is streamed (store/embedded's
// TestJSONIsStreamed), and is still one document.
func TestOnePieceAnswersAreWithinTheMemoryLimit(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxMemoryUsage: 20_000_000, MaxResultBytes: 1 << 30})
	for _, c := range []struct{ query, want string }{
		{"SELECT materialize(repeat('x', 100000)) AS s FROM numbers(500) FORMAT XML", "(TOO_MANY_ROWS_OR_BYTES)"},
		{"SELECT materialize(repeat('x', 100000)) AS s FROM numbers(500) FORMAT Markdown", "(TOO_MANY_ROWS_OR_BYTES)"},
	} {
		a := post(t, srv, countyToken, c.query, url.Values{"max_block_size": {"10"}})
		if a.status == 200 || !strings.Contains(a.body, c.want) || len(a.body) > 4096 {
			t.Errorf("%s: %d, %d bytes %.300q; want it refused with %s", c.query, a.status, len(a.body), a.body, c.want)
		}
		// Nor may a token lift the bound with max_result_bytes.
		a = post(t, srv, countyToken, c.query+" SETTINGS max_result_bytes = 1000000000", url.Values{"max_block_size": {"10"}})
		if a.status == 200 || !strings.Contains(a.body, "(SETTING_CONSTRAINT_VIOLATION)") {
			t.Errorf("%s with max_result_bytes raised: %d %.300q", c.query, a.status, a.body)
		}
	}
	// Under the limit JSON of many chunks is one document, each row as
	// the engine wrote it.
	for _, format := range []string{"JSON", "JSONCompact", "JSONStrings", "JSONCompactStrings"} {
		a := post(t, srv, countyToken, "SELECT number AS n, toString(number) AS s FROM numbers(25) FORMAT "+format, url.Values{"max_block_size": {"10"}})
		var doc struct {
			Meta []struct{ Name, Type string }
			Data []any
			Rows int
		}
		if err := json.Unmarshal([]byte(a.body), &doc); err != nil || a.status != 200 || doc.Rows != 25 || len(doc.Data) != 25 || len(doc.Meta) != 2 || doc.Meta[1].Name != "s" {
			t.Errorf("%s of 25 rows in blocks of 10: %d %v %.400q", format, a.status, err, a.body)
			continue
		}
		if last := fmt.Sprint(doc.Data[24]); !strings.Contains(last, "24") {
			t.Errorf("%s: last row %s", format, last)
		}
	}
	a := post(t, srv, countyToken, "SELECT number AS n FROM numbers(5) WHERE 0 FORMAT JSON", nil)
	if a.status != 200 || !strings.Contains(a.body, `"rows": 0`) || !json.Valid([]byte(a.body)) {
		t.Errorf("an empty JSON answer: %d %q", a.status, a.body)
	}
}

// The engine takes a format's name in any case (FORMAT json): the answer
// is then that format as its own name writes it — streamed within the
// memory limit, and labelled — not a one-piece answer of an unknown name.
func TestFormatNamesInAnyCase(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxMemoryUsage: 20_000_000, MaxResultBytes: 1 << 30})
	for _, c := range []struct {
		query  string
		params url.Values
	}{
		{"SELECT materialize(repeat('x', 100000)) AS s FROM numbers(500) FORMAT json", url.Values{"max_block_size": {"10"}}},
		{"SELECT materialize(repeat('x', 100000)) AS s FROM numbers(500)", url.Values{"max_block_size": {"10"}, "default_format": {"jsoncompact"}}},
	} {
		a := post(t, srv, countyToken, c.query, c.params)
		if a.status != 200 || !json.Valid([]byte(a.body)) || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") ||
			!strings.HasPrefix(a.header.Get("X-ClickHouse-Format"), "JSON") {
			t.Errorf("%s %v: %d, %s, format %s, %d bytes", c.query, c.params, a.status, a.header.Get("Content-Type"), a.header.Get("X-ClickHouse-Format"), len(a.body))
		}
	}
}

// A time limit in the URL bounds the statement from its start, the
// analysis included: the analyzer evaluates scalar subqueries, and one
// ran to the daemon's cap under ?max_execution_time=1 (the same limit in
// a SETTINGS clause stopped it). The daemon's cap here is far above the
// URL's, and the engine's message names the limit it applied.
func TestURLTimeLimitBoundsTheAnalysis(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxExecutionTime: 20 * time.Second})
	slow := "SELECT (SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 0)"
	a := post(t, srv, countyToken, slow, url.Values{"max_execution_time": {"1"}})
	if a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") != "159" || !strings.Contains(a.body, "maximum: 1000 ms") {
		t.Errorf("a scalar subquery under ?max_execution_time=1: %d %q (%q), want TIMEOUT_EXCEEDED (159)", a.status, a.header.Get("X-ClickHouse-Exception-Code"), a.body)
	}
}

// A token may lower max_query_size, for its statement: the session's own
// settings (a county's catalog filter, longer than 200 bytes) were set
// after it and failed, so every query of the county failed, the error
// quoting settings it never sent.
func TestLoweredQuerySizeBoundsTheStatementOnly(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	if a := post(t, srv, countyToken, "SELECT 1", url.Values{"max_query_size": {"200"}}); a.status != 200 || a.body != "1\n" {
		t.Errorf("SELECT 1 with max_query_size=200: %d %q", a.status, a.body)
	}
	long := "SELECT count() FROM institutions WHERE name != '" + strings.Repeat("x", 300) + "'"
	if a := post(t, srv, countyToken, long, url.Values{"max_query_size": {"200"}}); a.status == 200 || !strings.Contains(a.body, "Max query size exceeded") || strings.Contains(a.body, "additional_table_filters") {
		t.Errorf("a statement over the lowered limit: %d %q, want it refused as too long", a.status, a.body)
	}
}
