package embedded_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func formatted(t *testing.T, s store.Store, query string, opt store.FormatOptions) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	err := store.QueryFormatted(context.Background(), s, &buf, query, opt)
	return buf.String(), err
}

// The engine formats values itself, in the session's zone.
func TestQueryFormattedValues(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	tests := []struct {
		name, query, format, want string
	}{
		{"midnight UTC keeps its time", "SELECT toDateTime('2026-12-01 00:00:00', 'UTC') AS t", "CSVWithNames", "\"t\"\n\"2026-12-01 00:00:00\"\n"},
		{"Shanghai time keeps its time", "SELECT toDateTime('2026-12-02 08:00:00', 'Asia/Shanghai') AS t", "CSV", "\"2026-12-02 08:00:00\"\n"},
		{"plain DateTime prints in the session zone", "SELECT toDateTime(0) AS t", "CSV", "\"1970-01-01 08:00:00\"\n"},
		{"DateTime64 keeps milliseconds", "SELECT toDateTime64('2026-12-01 10:11:12.345', 3, 'Asia/Shanghai') AS t", "CSV", "\"2026-12-01 10:11:12.345\"\n"},
		{"NULL differs from empty", "SELECT CAST(NULL, 'Nullable(String)') AS a, '' AS b", "CSV", "\\N,\"\"\n"},
		{"NULL in JSON", "SELECT CAST(NULL, 'Nullable(String)') AS a, '' AS b", "JSONEachRow", "{\"a\":null,\"b\":\"\"}\n"},
		{"NaN stays NaN", "SELECT nan AS x", "TSV", "nan\n"},
		{"array keeps its structure in CSV", "SELECT ['a;b', 'c'] AS xs", "CSV", "\"['a;b','c']\"\n"},
		{"array is a JSON array", "SELECT ['a;b', 'c'] AS xs", "JSONEachRow", "{\"xs\":[\"a;b\",\"c\"]}\n"},
		{"FORMAT clause wins", "SELECT 1 AS n FORMAT JSONEachRow", "CSV", "{\"n\":1}\n"},
		{"parameters are bound", "SELECT {n:UInt8} + 1 AS n", "TSV", "3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := formatted(t, s, tt.query, store.FormatOptions{Format: tt.format, TimeZone: "Asia/Shanghai", Params: store.Params{"n": 2}})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// An empty result is its format's header alone, not an error: the
// engine ends such a stream after the header chunk with "No active
// streaming query" instead of an empty chunk (sql --format csv of no
// rejects failed with it).
func TestQueryFormattedEmptyResultIsTheHeader(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	const none = "SELECT number AS n, toString(number) AS s FROM numbers(10) WHERE number > 100"
	tests := []struct{ format, want string }{
		{"CSV", ""},
		{"CSVWithNames", "\"n\",\"s\"\n"},
		{"CSVWithNamesAndTypes", "\"n\",\"s\"\n\"UInt64\",\"String\"\n"},
		{"TSVWithNames", "n\ts\n"},
		{"TabSeparatedWithNamesAndTypes", "n\ts\nUInt64\tString\n"},
		{"JSONCompactEachRowWithNames", "[\"n\", \"s\"]\n"},
		{"JSONEachRow", ""},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got, err := formatted(t, s, none, store.FormatOptions{Format: tt.format})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A FORMAT clause of the query is the same stream.
	if got, err := formatted(t, s, none+" FORMAT CSVWithNames", store.FormatOptions{Format: "JSON"}); err != nil || got != "\"n\",\"s\"\n" {
		t.Errorf("FORMAT CSVWithNames in the query: %q, %v", got, err)
	}
}

// A result of many chunks is still one document.
func TestQueryFormattedManyChunks(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	const n = 300000 // several of the engine's blocks
	csv, err := formatted(t, s, fmt.Sprintf("SELECT number AS n FROM numbers(%d)", n), store.FormatOptions{Format: "CSVWithNames"})
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(csv, "\"n\""); c != 1 || strings.Count(csv, "\n") != n+1 {
		t.Errorf("CSVWithNames: %d headers, %d lines; want 1 and %d", c, strings.Count(csv, "\n"), n+1)
	}
	for _, q := range []string{fmt.Sprintf("SELECT number AS n FROM numbers(%d)", n), fmt.Sprintf("SELECT number AS n FROM numbers(%d) FORMAT JSON", n)} {
		doc, err := formatted(t, s, q, store.FormatOptions{Format: "JSON"})
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Data []struct{ N uint64 } }
		if err := json.Unmarshal([]byte(doc), &v); err != nil || len(v.Data) != n {
			t.Errorf("%s: %d rows, %v", q, len(v.Data), err)
		}
	}
}

func TestQueryFormattedToday(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	got, err := formatted(t, s, "SELECT today()", store.FormatOptions{Format: "TSV", TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	if strings.TrimSpace(got) != want && strings.TrimSpace(got) != time.Now().Add(-time.Minute).In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly) {
		t.Errorf("today() = %q, want %s", got, want)
	}
}

func TestQueryFormattedReadOnly(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	ctx := context.Background()
	if err := s.Exec(ctx, "CREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x", nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO t VALUES (1)",
		"SET readonly = 0",
		"INSERT INTO t SETTINGS readonly = 0 VALUES (1)",
		"SELECT 1 SETTINGS readonly = 0",
		"DROP TABLE t",
		"SELECT count() FROM numbers(10) SETTINGS max_execution_time = 0",
	} {
		out, err := formatted(t, s, q, store.FormatOptions{Format: "TSV", MaxExecutionTime: time.Minute})
		if err == nil {
			t.Errorf("%s: allowed (%q)", q, out)
		} else if !strings.Contains(err.Error(), "readonly") {
			t.Errorf("%s: refused for another reason: %v", q, err)
		}
	}
	if _, err := formatted(t, s, "INSERT INTO t VALUES (7)", store.FormatOptions{Format: "TSV", Writable: true}); err != nil {
		t.Fatalf("writable insert: %v", err)
	}
	n, err := store.Count(ctx, s, "SELECT count() FROM t", nil)
	if err != nil || n != 1 {
		t.Fatalf("rows after one writable insert = %d, %v", n, err)
	}
}

func TestQueryFormattedLimits(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	_, err := formatted(t, s, "SELECT number FROM numbers(100000)", store.FormatOptions{Format: "TSV", MaxResultRows: 10})
	if err == nil {
		t.Fatal("result of 100000 rows passed a 10-row limit")
	}
}

// cancelWriter cancels its context after the first write.
type cancelWriter struct {
	cancel context.CancelFunc
	n      int
}

func (w *cancelWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	w.cancel()
	return len(b), nil
}

func TestQueryFormattedCancel(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	t.Run("endless result", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelWriter{cancel: cancel}
		err := store.QueryFormatted(ctx, s, w, "SELECT number FROM system.numbers", store.FormatOptions{Format: "TSV"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if w.n == 0 {
			t.Fatal("nothing was written before the cancel")
		}
	})
	t.Run("long aggregation", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(300 * time.Millisecond); cancel() }()
		err := store.QueryFormatted(ctx, s, io.Discard, "SELECT count() FROM system.numbers WHERE sipHash64(number) = 7", store.FormatOptions{Format: "TSV"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	// The store still works afterwards.
	if got, err := formatted(t, s, "SELECT 1", store.FormatOptions{Format: "TSV"}); err != nil || got != "1\n" {
		t.Fatalf("after cancel: %q, %v", got, err)
	}
}

// writes records the size of each write.
type writes struct{ sizes []int }

func (w *writes) Write(p []byte) (int, error) { w.sizes = append(w.sizes, len(p)); return len(p), nil }

// A JSON answer is streamed, a chunk at a time, as its engine formats
// each chunk within the query's memory limit: built whole, the document
// was outside that limit (800 MB under a limit of 150 MB).
func TestJSONIsStreamed(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	for _, format := range []string{"JSON", "JSONCompact", "JSONStrings", "JSONCompactStrings"} {
		var w writes
		var rows, counted uint64
		err := store.QueryFormatted(context.Background(), s, &w, "SELECT repeat('x', 100000) AS s FROM numbers(300)", store.FormatOptions{
			Format: format, MaxMemoryUsage: 20_000_000, Settings: []store.Setting{{Name: "max_block_size", Value: "10"}},
			Progress: func(p store.Progress) { rows, counted = p.ResultRows, p.ResultBytes }})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		total := 0
		for _, n := range w.sizes {
			total += n
			if n > 2_000_000 {
				t.Errorf("%s: a write of %d bytes; want a chunk of 10 rows at a time", format, n)
			}
		}
		if total < 30_000_000 || rows != 300 {
			t.Errorf("%s: %d bytes in %d writes, %d rows", format, total, len(w.sizes), rows)
		}
		// The answer's bytes, as the audit and the summary header say
		// them, are all it wrote: the document's end too.
		if counted != uint64(total) {
			t.Errorf("%s: %d bytes counted, %d written", format, counted, total)
		}
	}
}

// The engine reads names, values, the query and the format as C strings,
// which end at a NUL (a format's name is checked before): n and n\x00x were one parameter to it, its value
// whichever the map gave first, while every check in Go saw two. Any
// of them holding a NUL is refused, on both paths.
func TestNULNeverReachesTheEngine(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	tests := []struct {
		name, query, format string
		params              store.Params
		want                string
	}{
		{"a parameter name", "SELECT {n:UInt8} AS n", "TSV", store.Params{"n": 2, "n\x00x": 5}, "a NUL byte in a parameter's name"},
		{"a parameter value", "SELECT {s:String} AS s", "TSV", store.Params{"s": store.RawParam("a\x00b")}, "a NUL byte in its value"},
		{"the query", "SELECT {n:UInt8} AS n\x00, 1", "TSV", store.Params{"n": 2}, "a NUL byte in the query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 8 { // map order: each try may put either name first
				got, err := formatted(t, s, tt.query, store.FormatOptions{Format: tt.format, Params: tt.params})
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("answered %q, error %v; want refused with %q", got, err, tt.want)
				}
				var one uint8
				err = store.QueryRow(context.Background(), s, tt.query, tt.params, &one)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("QueryRow: %d, error %v; want refused with %q", one, err, tt.want)
				}
			}
		})
	}
}

// recorded keeps an answer and counts the writes it came in.
type recorded struct {
	bytes.Buffer
	writes int
}

func (r *recorded) Write(p []byte) (int, error) { r.writes++; return r.Buffer.Write(p) }

// A streamed answer is the document the engine writes in one piece, as a
// server writes it: written per chunk (blocks of two rows here), what a
// format counts or frames across the rows started again at each chunk
// (a JSON array per chunk, Vertical's "Row 1:" and "Showed first 3."
// per chunk, a CSV header whose name holds a line break cut in half).
// Such formats and settings are written whole; the rest still stream.
func TestStreamedAnswerIsOneDocument(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	const five = "SELECT number AS n, toString(number) AS s FROM numbers(5)"
	const lineBreakName = "SELECT number AS `a\nb`, toString(number) AS s FROM numbers(5)"
	// The Pretty tables join blocks that come within 50 ms of each other
	// into one table; without that, one table a block, whatever the time.
	const noSquash = "output_format_pretty_squash_consecutive_ms"
	set := func(kv ...string) []store.Setting {
		var out []store.Setting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, store.Setting{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		name, query, format string
		settings            []store.Setting
		streamed            bool // written chunk by chunk, not held whole
	}{
		{"JSONEachRow as one array", five, "JSONEachRow", set("output_format_json_array_of_rows", "1"), false},
		{"JSONLines as one array, TRUE", five, "JSONLines", set("output_format_json_array_of_rows", "TRUE"), false},
		{"NDJSON as one array", five, "NDJSON", set("output_format_json_array_of_rows", "true"), false},
		{"JSONStringsEachRow as one array", five, "JSONStringsEachRow", set("output_format_json_array_of_rows", "1"), false},
		{"an empty array of rows", five + " WHERE n > 10", "JSONEachRow", set("output_format_json_array_of_rows", "1"), false},
		{"the last value of a setting is in force", five, "JSONEachRow", set("output_format_json_array_of_rows", "0", "output_format_json_array_of_rows", "1"), false},
		{"JSONEachRow without the array", five, "JSONEachRow", set("output_format_json_array_of_rows", "False"), true},
		{"JSONCompactEachRow stays rows", five, "JSONCompactEachRow", set("output_format_json_array_of_rows", "1"), true},
		{"Vertical", five, "Vertical", set("output_format_pretty_max_rows", "3"), false},
		{"Pretty", five, "Pretty", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"PrettyCompact", five, "PrettyCompact", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"PrettyCompact numbers rows across blocks", five, "PrettyCompact", set("output_format_pretty_row_numbers", "1", noSquash, "0"), false},
		{"PrettyCompactMonoBlock", five, "PrettyCompactMonoBlock", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"PrettySpace", five, "PrettySpace", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"PrettyNoEscapes", five, "PrettyNoEscapes", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"PrettyCompactNoEscapes", five, "PrettyCompactNoEscapes", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"PrettySpaceNoEscapes", five, "PrettySpaceNoEscapes", set("output_format_pretty_max_rows", "3", noSquash, "0"), false},
		{"CSVWithNames, a name with a line break", lineBreakName, "CSVWithNames", nil, true},
		{"CSVWithNamesAndTypes, a name with a line break", lineBreakName, "CSVWithNamesAndTypes", set("output_format_csv_crlf_end_of_line", "1"), true},
		{"CSVWithNames, a line break as delimiter", five, "CSVWithNames", set("format_csv_delimiter", "\n"), false},
		{"CSVWithNames, a quote as delimiter", lineBreakName, "CSVWithNames", set("format_csv_delimiter", `"`), false},
		{"CSVWithNames, ; as delimiter", lineBreakName, "CSVWithNames", set("format_csv_delimiter", ";"), true},
		{"TSVWithNames, a name with a line break", lineBreakName, "TSVWithNames", nil, true},
		{"JSONCompactEachRowWithNamesAndTypes, a name with a line break", lineBreakName, "JSONCompactEachRowWithNamesAndTypes", nil, true},
		{"JSON", five, "JSON", nil, true},
		{"JSONCompact", five, "JSONCompact", nil, true},
		{"JSONStrings", five, "JSONStrings", set("output_format_json_array_of_rows", "1"), true},
		{"JSONCompactStrings", five, "JSONCompactStrings", nil, true},
		{"Markdown", five, "Markdown", nil, false},
		{"CustomSeparated, result delimiters", five, "CustomSeparated", set("format_custom_result_before_delimiter", "<", "format_custom_result_after_delimiter", ">"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := store.FormatOptions{Format: tt.format, Settings: append(set("max_block_size", "2"), tt.settings...)}
			var got recorded
			if err := store.QueryFormatted(context.Background(), s, &got, tt.query, opt); err != nil {
				t.Fatal(err)
			}
			opt.Materialize = true
			whole, err := formatted(t, s, tt.query, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != whole {
				t.Errorf("answer:\n%q\nwant the engine's one document:\n%q", got.String(), whole)
			}
			if streamed := got.writes > 1; streamed != tt.streamed {
				t.Errorf("written in %d writes; want streamed %v", got.writes, tt.streamed)
			}
		})
	}
}
