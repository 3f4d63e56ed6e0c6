package chhttp_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/store"
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
			go func() {
				done <- post(t, srv, countyToken, c.long, url.Values{"query_id": {"long-one"}, "max_block_size": {"1"}}).status
			}()
			// Until the long query holds its slot, a second one runs.
			var second answer
			for deadline := time.Now().Add(30 * time.Second); ; {
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
