package chhttp_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/xuchang-hrss/creditsync/chhttp"
)

// jsClientWith runs the official JS client with options (see
// testdata/jsclient.cjs).
func jsClientWith(t *testing.T, srv, token, query string, opt map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(opt)
	modules, _ := filepath.Abs("../tools/jsclient/node_modules")
	if _, err := os.Stat(filepath.Join(modules, "@clickhouse/client/package.json")); err != nil {
		t.Fatalf("@clickhouse/client is not installed: run make setup (scripts/install-jsclient.sh): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "testdata/jsclient.cjs", srv, token, query, string(b))
	cmd.Env = append(os.Environ(), "JSCLIENT_MODULES="+modules)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s\n%s", err, out, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	return res
}

// The client matrix of docs/analysts.md: each official client
// with the settings it turns on by itself or with one option.
func TestClientMatrix(t *testing.T) {
	srv, _ := countyEndpoint(t, chhttp.Options{MaxExecutionTime: 10 * time.Minute})
	const big = "SELECT number, toString(number) AS s FROM numbers(200000)"

	t.Run("js", func(t *testing.T) {
		for name, opt := range map[string]map[string]any{
			"defaults":             {},
			"request compression":  {"compression": map[string]bool{"request": true}},
			"response compression": {"compression": map[string]bool{"response": true}},
			"both compressions":    {"compression": map[string]bool{"request": true, "response": true}},
		} {
			if res := jsClientWith(t, srv.URL, countyToken, big, opt); res["rows"] != float64(200000) || res["error"] != nil {
				t.Errorf("%s: %v", name, res)
			}
		}
		res := jsClientWith(t, srv.URL, countyToken, "SELECT toUInt64('9007199254740993') AS n, toInt64(-9007199254740993) AS m", nil)
		first, _ := res["first"].([]any)
		if len(first) != 1 || first[0].(map[string]any)["n"] != "9007199254740993" || first[0].(map[string]any)["m"] != "-9007199254740993" {
			t.Errorf("64-bit values: %v, want them quoted as ClickHouse does by default", res)
		}
		res = jsClientWith(t, srv.URL, countyToken, "SELECT {n:UInt8} + 1 AS n, {s:String} AS s", map[string]any{"query_params": map[string]any{"n": 41, "s": "魏都"}})
		if first, _ := res["first"].([]any); len(first) != 1 || first[0].(map[string]any)["s"] != "魏都" || first[0].(map[string]any)["n"] != float64(42) {
			t.Errorf("query parameters: %v", res)
		}
		res = jsClientWith(t, srv.URL, countyToken, "SELECT number FROM numbers(100)", map[string]any{"clickhouse_settings": map[string]any{"max_result_rows": "10", "result_overflow_mode": "break", "max_block_size": "5"}})
		if res["error"] != nil || res["rows"] == float64(100) {
			t.Errorf("settings from the client: %v, want fewer than 100 rows", res)
		}
	})

	t.Run("clickhouse-go", func(t *testing.T) {
		u, _ := url.Parse(srv.URL)
		for name, c := range map[string]*clickhouse.Compression{
			"none":    nil,
			"gzip":    {Method: clickhouse.CompressionGZIP},
			"deflate": {Method: clickhouse.CompressionDeflate},
			"br":      {Method: clickhouse.CompressionBrotli},
			"lz4":     {Method: clickhouse.CompressionLZ4},
			"zstd":    {Method: clickhouse.CompressionZSTD},
		} {
			conn, err := clickhouse.Open(&clickhouse.Options{Protocol: clickhouse.HTTP, Addr: []string{u.Host},
				Auth: clickhouse.Auth{Username: "analyst", Password: countyToken}, Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			var n uint64
			var s string
			rows, err := conn.Query(context.Background(), big)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				conn.Close()
				continue
			}
			count := 0
			for rows.Next() {
				if err := rows.Scan(&n, &s); err != nil {
					t.Errorf("%s: scan: %v", name, err)
					break
				}
				count++
			}
			if err := rows.Err(); err != nil || count != 200000 || n != 199999 || s != "199999" {
				t.Errorf("%s: %d rows, last %d %q, %v", name, count, n, s, err)
			}
			rows.Close()
			var v uint64
			if err := conn.QueryRow(context.Background(), "SELECT toUInt64('18446744073709551615')").Scan(&v); err != nil || v != 18446744073709551615 {
				t.Errorf("%s: UInt64: %d %v", name, v, err)
			}
			conn.Close()
		}
	})

	t.Run("curl", func(t *testing.T) {
		curl := func(args ...string) string {
			t.Helper()
			out, err := exec.Command("curl", append([]string{"-sS", "-H", "X-ClickHouse-Key: " + countyToken}, args...)...).Output()
			if err != nil {
				t.Fatalf("curl %v: %v", args, err)
			}
			return string(out)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte("SELECT count() FROM institutions"))
		zw.Close()
		body := filepath.Join(t.TempDir(), "q.gz")
		os.WriteFile(body, gz.Bytes(), 0o644)
		if out := curl("-H", "Content-Encoding: gzip", "--data-binary", "@"+body, srv.URL+"/"); out != "2\n" {
			t.Errorf("gzip body: %q", out)
		}
		if out := curl("--compressed", srv.URL+"/?enable_http_compression=1&query="+url.QueryEscape("SELECT count() FROM numbers(1000)")); out != "1000\n" {
			t.Errorf("gzip answer: %q", out)
		}
		if out := curl(srv.URL + "/?max_result_rows=5&result_overflow_mode=break&max_block_size=5&query=" + url.QueryEscape("SELECT number FROM numbers(100)")); strings.Count(out, "\n") >= 100 {
			t.Errorf("URL settings ignored: %d rows", strings.Count(out, "\n"))
		}
		if out := curl(srv.URL + "/?output_format_json_quote_64bit_integers=0&query=" + url.QueryEscape("SELECT toUInt64(7) AS n FORMAT JSONEachRow")); out != "{\"n\":7}\n" {
			t.Errorf("URL output setting: %q", out)
		}
		if out := curl(srv.URL + "/?query=" + url.QueryEscape("SELECT toUInt64(7) AS n FORMAT JSONEachRow SETTINGS output_format_json_quote_64bit_integers = 0")); out != "{\"n\":7}\n" {
			t.Errorf("SETTINGS clause: %q", out)
		}
		for _, q := range []string{"?readonly=0&query=SELECT+1", "?log_comment=x&query=SELECT+1", "?use_query_cache=1&query=SELECT+1",
			"?max_execution_time=100000&query=SELECT+1", "?query=" + url.QueryEscape("SELECT 1 SETTINGS log_comment = 'x'"),
			"?query=" + url.QueryEscape("SELECT 1 SETTINGS limit = 1"),
			// They change how the views' own statements resolve.
			"?join_use_nulls=1&query=SELECT+count()+FROM+v_grade_history",
			"?prefer_column_name_to_alias=1&query=SELECT+count()+FROM+v_grade_history"} {
			out := curl("-w", "%{http_code}", srv.URL+"/"+q)
			// READONLY and SETTING_CONSTRAINT_VIOLATION: 500, as a server.
			if !strings.HasSuffix(out, "500") || !strings.Contains(out, "(READONLY)") && !strings.Contains(out, "(SETTING_CONSTRAINT_VIOLATION)") {
				t.Errorf("%s: %q, want refused naming the setting", q, out)
			}
		}
	})
}

// An error's position is in the query as the client sent it, as the
// engine reports it for that text alone: nothing is put in front of it,
// and the message does not show the endpoint's own checks.
func TestErrorPositionsAreTheClients(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{})
	position := regexp.MustCompile(`failed at position \d+`)
	for _, q := range []string{
		"SELECT uscc FROM institutions WHERE uscc = 'A1' AND AND 1",
		"SELECT uscc,\n       name\nFROM institutions\nWHERE uscc = 'A1' AND (",
	} {
		direct := s.Exec(context.Background(), q, nil)
		want := position.FindString(fmt.Sprint(direct))
		if want == "" {
			t.Fatalf("the engine gave no position for %q: %v", q, direct)
		}
		for _, tok := range []string{countyToken, cityToken} {
			a := post(t, srv, tok, q, nil)
			if a.status != 400 || position.FindString(a.body) != want || strings.Contains(a.body, "formatQuery") || !strings.HasSuffix(strings.TrimSpace(a.body), "(SYNTAX_ERROR)") {
				t.Errorf("%q: %d %q, want %q", q, a.status, a.body, want)
			}
		}
	}
}
