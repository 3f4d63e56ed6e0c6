package chhttp_test

import (
	"context"
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

// limited serves an empty store with the limits that keep analysts from
// starving the daemon: a memory bound per query, a bound on one token's
// queries at once.
func limited(t *testing.T, memory uint64, perToken, all int, wait time.Duration) (*chhttp.Handler, string, store.Store) {
	t.Helper()
	s := storetest.OpenEmbedded(t)
	ctx := context.Background()
	counties := []string{"411002"}
	h, err := chhttp.New(ctx, chhttp.Options{Store: s, Auth: auth, Counties: counties, TimeZone: "Asia/Shanghai",
		MaxExecutionTime: time.Minute, MaxMemoryUsage: memory, MaxQueriesPerToken: perToken, MaxQueries: all, QueueWait: wait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+h.ScopedDatabase("411002"), nil) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL, s
}

// ask sends query with token and settings in the URL; it returns the
// status, the exception code header and the body.
func ask(t *testing.T, srv, token, query string, settings url.Values) (int, string, string) {
	t.Helper()
	if settings == nil {
		settings = url.Values{}
	}
	req, _ := http.NewRequest(http.MethodPost, srv+"/?"+settings.Encode(), strings.NewReader(query))
	req.Header.Set("X-ClickHouse-Key", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-ClickHouse-Exception-Code"), string(b)
}

// An analyst's query runs behind the daemon's own (priority 2 against
// the store's 1: the engine pauses it while one of those runs) and
// within its memory bound, which the daemon's own queries do not have.
func TestAnalystQueriesYieldAndAreBounded(t *testing.T) {
	const memory = 64 << 20
	_, srv, s := limited(t, memory, 0, 0, 0)
	for _, tok := range []string{cityToken, countyToken} {
		if st, _, body := ask(t, srv, tok, "SELECT getSetting('priority'), getSetting('max_memory_usage')", nil); st != 200 || body != "2\t67108864\n" {
			t.Errorf("token %s: %d %q, want priority 2 and the memory bound", tok, st, body)
		}
	}
	var prio, mem uint64
	if err := store.QueryRow(context.Background(), s, "SELECT getSetting('priority'), getSetting('max_memory_usage')", nil, &prio, &mem); err != nil || prio != 1 || mem != 0 {
		t.Errorf("the daemon's own session: priority %d, max_memory_usage %d (%v); want 1 and no bound of the endpoint's", prio, mem, err)
	}
	// About 200 MB of strings held at once: past the bound.
	big := "SELECT length(groupArray(toString(number))) FROM numbers(10000000)"
	if st, code, body := ask(t, srv, countyToken, big, nil); st != 500 || code != "241" || !strings.Contains(body, "MEMORY_LIMIT_EXCEEDED") {
		t.Errorf("a query past the memory bound: %d %s %q, want MEMORY_LIMIT_EXCEEDED (241)", st, code, body)
	}
	// The bound is not the analyst's to lift.
	if st, code, _ := ask(t, srv, countyToken, "SELECT 1", url.Values{"max_memory_usage": {"0"}}); st == 200 || code != "164" {
		t.Errorf("max_memory_usage in the URL: %d %s, want READONLY (164)", st, code)
	}
	if st, code, _ := ask(t, srv, cityToken, "SELECT 1 SETTINGS priority = 1", nil); st == 200 || code != "164" {
		t.Errorf("priority in the statement: %d %s, want READONLY (164)", st, code)
	}
	var n uint64
	if err := store.QueryRow(context.Background(), s, "SELECT length(groupArray(toString(number))) FROM numbers(10000000)", nil, &n); err != nil || n != 10000000 {
		t.Errorf("the same query in the daemon's own session: %d, %v", n, err)
	}
}

// One token runs at most MaxQueriesPerToken queries at once, and every
// token together MaxQueries; another waits up to QueueWait, then is
// refused as ClickHouse refuses past max_concurrent_queries_for_user.
// KILL QUERY still frees the slot, and the slot frees when the query ends.
func TestQueriesAreBounded(t *testing.T) {
	for _, c := range []struct {
		name          string
		perToken, all int
		other         int    // what another token's query gets meanwhile
		refusal       string // what a second query of the same token is told
	}{
		{"per token", 1, 0, 200, "for token 魏都区: 1 run already"},
		{"all tokens", 0, 1, 500, "for every token together: 1 run already"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, srv, _ := limited(t, 0, c.perToken, c.all, 100*time.Millisecond)
			done := make(chan int, 1)
			go func() {
				// A second a row, one row a block: it runs until killed.
				st, _, _ := ask(t, srv, countyToken, "SELECT sleepEachRow(1) FROM numbers(600)", url.Values{"query_id": {"long-one"}, "max_block_size": {"1"}})
				done <- st
			}()
			deadline := time.Now().Add(30 * time.Second)
			for h.Running("魏都区") == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the long query never started")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if st, code, body := ask(t, srv, countyToken, "SELECT 1", nil); st != 500 || code != "202" || !strings.Contains(body, c.refusal) {
				t.Errorf("a second query of the token: %d %s %q, want TOO_MANY_SIMULTANEOUS_QUERIES (202) %s", st, code, body, c.refusal)
			}
			if st, _, body := ask(t, srv, cityToken, "SELECT 1", nil); st != c.other {
				t.Errorf("another token meanwhile: %d %q, want %d", st, body, c.other)
			}
			if st, _, body := ask(t, srv, countyToken, "KILL QUERY WHERE query_id = 'long-one'", nil); st != 200 {
				t.Errorf("KILL QUERY with every slot taken: %d %q", st, body)
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
				if st, _, body := ask(t, srv, tok, "SELECT 1", nil); st != 200 || body != "1\n" {
					t.Errorf("after the slot was freed: %d %q", st, body)
				}
			}
		})
	}
}
