package chhttp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/xuchang-hrss/creditsync/chhttp"
)

// stall opens a connection that sends a POST's headers and the first
// bytes of its body, then nothing: a client holding what it has sent.
func stall(t *testing.T, srv *httptest.Server, token string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nX-ClickHouse-Key: %s\r\nContent-Length: 1000\r\n\r\nSELECT ", token)
	return c
}

// until posts query as token until the answer's status is want (the
// stalled requests before it take their slots in their own time).
func until(t *testing.T, srv *httptest.Server, token, query string, want int) answer {
	t.Helper()
	var a answer
	for range 200 {
		if a = post(t, srv, token, query, nil); a.status == want {
			return a
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d: %d %q", query, want, a.status, a.body)
	return a
}

// Requests being read and checked are bounded per token and together,
// before any query slot: 300 requests of one county's token, each with a
// body of 1 MiB of query, took the daemon from 281 MB to 2.5 GB. Past
// the bound a request waits with its headers only, then is refused, 429
// for its token's bound, 503 for the shared one; another token still
// gets in while only the first token's bound is full.
func TestReadingIsBounded(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxReadingPerToken: 1, MaxReading: 2, QueueWait: 100 * time.Millisecond})
	county := stall(t, srv, countyToken)
	a := until(t, srv, countyToken, "SELECT 1", http.StatusTooManyRequests)
	if !strings.Contains(a.body, "Too many requests being read and checked for token 魏都区: 1 already") || a.header.Get("Retry-After") == "" {
		t.Errorf("a second request of the token: %q, Retry-After %q", a.body, a.header.Get("Retry-After"))
	}
	if a := post(t, srv, cityToken, "SELECT 1", nil); a.status != 200 || a.body != "1\n" {
		t.Errorf("another token meanwhile: %d %q", a.status, a.body)
	}
	city := stall(t, srv, cityToken)
	a = until(t, srv, otherCountyToken, "SELECT 1", http.StatusServiceUnavailable)
	if !strings.Contains(a.body, "for every token together: 2 already") {
		t.Errorf("past the shared bound: %q", a.body)
	}
	county.Close()
	city.Close()
	until(t, srv, countyToken, "SELECT 1", http.StatusOK)
	until(t, srv, otherCountyToken, "SELECT 1", http.StatusOK)
}

// A request's body arrives within ReadTimeout or the request is answered
// 408 and its slot freed: 300 connections each sending 2 MiB and
// stalling held 760 MB past 200 s. The deadline is lifted once the body
// is read: a query running longer than it is not cut.
func TestBodyReadTimeout(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxReadingPerToken: 1, QueueWait: 100 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	c := stall(t, srv, countyToken)
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("a stalled body: no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a stalled body: %d, want 408", resp.StatusCode)
	}
	// Ten blocks of a tenth of a second each: a cancelled query ends
	// between two.
	if a := post(t, srv, countyToken, "SELECT sum(sleepEachRow(0.1)), 2 FROM numbers(10)", url.Values{"max_block_size": {"1"}}); a.status != 200 || a.body != "0\t2\n" {
		t.Errorf("a query longer than the read timeout: %d %q", a.status, a.body)
	}
}

// The query text is at most the engine's max_query_size (256 KiB), which
// a token cannot raise: a body decoding to more, or ?query= and the body
// together, is refused before it is checked (a 731-byte brotli body of
// 1 MiB of query cost 7 MiB in the checks).
func TestQueryTextAtMostMaxQuerySize(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	pad := func(n int) string { return "SELECT 1 -- " + strings.Repeat("x", n-len("SELECT 1 -- ")) }
	if a := post(t, srv, countyToken, pad(200<<10), nil); a.status != 200 || a.body != "1\n" {
		t.Errorf("a query of 200 KiB: %d %.200q", a.status, a.body)
	}
	var br bytes.Buffer
	bw := brotli.NewWriter(&br)
	bw.Write([]byte(pad(1 << 20)))
	bw.Close()
	for name, send := range map[string]func() answer{
		"plain": func() answer { return post(t, srv, countyToken, pad(256<<10+1), nil) },
		"brotli": func() answer {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", &br)
			req.Header.Set("X-ClickHouse-Key", countyToken)
			req.Header.Set("Content-Encoding", "br")
			return do(t, req)
		},
		"url and body": func() answer {
			return post(t, srv, countyToken, "\n-- "+strings.Repeat("y", 250<<10), url.Values{"query": {pad(10 << 10)}})
		},
	} {
		if a := send(); a.status != http.StatusBadRequest || !strings.Contains(a.body, "longer than 262144 bytes, the engine's max_query_size") {
			t.Errorf("%s: %d %.300q", name, a.status, a.body)
		}
	}
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// A URL whose parameters cannot all be read is refused naming why: Go's
// URL.Query() left the pair out, so ?max_result_rows=5; answered every
// row and ?query=SELECT+1; was an empty query.
func TestMalformedURLParameters(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	for _, c := range []struct{ raw, reason string }{
		{"query=SELECT+uscc+FROM+institutions&max_result_rows=1;", "invalid semicolon separator in query"},
		{"query=SELECT+1;", "invalid semicolon separator in query"},
		{"query=SELECT+1&param_x=%zz", `invalid URL escape "%zz"`},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/?"+c.raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-ClickHouse-Key", countyToken)
		if a := do(t, req); a.status != http.StatusBadRequest || !strings.Contains(a.body, "the URL's parameters cannot be read ("+c.reason+")") {
			t.Errorf("?%s: %d %q", c.raw, a.status, a.body)
		}
	}
}

// A totals or extremes block cannot be streamed by the embedded engine:
// WITH TOTALS anywhere in the statement (as the analyzer resolved it) and
// extremes = 1 are refused before anything runs, 400 saying what to do
// instead. They failed with "No active streaming query" (1001), after
// JSON's opening was sent.
func TestTotalsAndExtremesRefused(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{})
	for _, c := range []struct {
		q      string
		params url.Values
		what   string
	}{
		{"SELECT county_code, count() FROM institutions GROUP BY county_code WITH TOTALS FORMAT JSON", nil, "WITH TOTALS"},
		{"SELECT * FROM (SELECT county_code, count() FROM institutions GROUP BY county_code WITH TOTALS)", nil, "WITH TOTALS"},
		{"WITH t AS (SELECT county_code, count() FROM institutions GROUP BY ALL WITH TOTALS) SELECT * FROM t", nil, "WITH TOTALS"},
		{"SELECT 1 UNION ALL (SELECT count() FROM institutions GROUP BY county_code WITH TOTALS)", nil, "WITH TOTALS"},
		{"SELECT count() FROM institutions", url.Values{"extremes": {"1"}}, "the setting extremes"},
		{"SELECT count() FROM institutions SETTINGS extremes = 1", nil, "the setting extremes"},
	} {
		for _, tok := range []string{countyToken, cityToken} {
			a := post(t, srv, tok, c.q, c.params)
			if a.status != http.StatusNotImplemented || a.header.Get("X-ClickHouse-Exception-Code") != "48" ||
				!strings.Contains(a.body, c.what+" cannot be answered here") {
				t.Errorf("%s %v: %d %q", c.q, c.params, a.status, a.body)
			}
		}
	}
	// What the refusals suggest works; extremes = 0 is the default.
	for _, c := range []struct {
		q      string
		params url.Values
		want   string
	}{
		{"SELECT county_code, count() FROM institutions GROUP BY county_code WITH ROLLUP ORDER BY county_code", nil, "\t2\n411002\t2\n"},
		{"SELECT count() FROM institutions", url.Values{"extremes": {"0"}}, "2\n"},
		{"SELECT 'WITH TOTALS' AS `WITH TOTALS`", nil, "WITH TOTALS\n"},
	} {
		if a := post(t, srv, countyToken, c.q, c.params); a.status != 200 || a.body != c.want {
			t.Errorf("%s %v: %d %q, want %q", c.q, c.params, a.status, a.body, c.want)
		}
	}
}
