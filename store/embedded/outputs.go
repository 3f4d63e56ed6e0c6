package embedded

import (
	"strings"

	"github.com/xuchang-hrss/creditsync/store"
)

// writing is how a format's output goes from the engine to the writer.
type writing int

const (
	// whole: the engine writes the result in one piece, held until the
	// query ends, outside the query's memory limit (onePieceLimit bounds
	// it). A format not in outputs is written so: its one document is
	// then the engine's own, as a server writes it.
	whole writing = iota
	// lines: chunk by chunk. The engine formats each chunk of a streamed
	// result as a document of its own; for these formats that only
	// repeats the header records, dropped from every chunk after the
	// first.
	lines
	// document: chunk by chunk, each chunk's JSON document joined into
	// one (jsonDocument). Built whole instead, the document was outside
	// the query's memory limit (the engine tracks a streamed chunk's
	// formatting, not a whole result's): two answers of 800 MB took the
	// daemon from 290 MB to 3.95 GB under a limit of 150 MB.
	document
)

// output says how one format's output is written.
type output struct {
	how writing
	// header is how many header records each chunk of lines repeats.
	header int
	// csvHeader: the header records are CSV, where a name holding a line
	// break is quoted and spans lines; they end at a line break outside
	// quotes.
	csvHeader bool
	// arrayOfRows: output_format_json_array_of_rows makes the rows one
	// JSON array, which each chunk would open and close again.
	arrayOfRows bool
}

// outputs is the one place that says which formats are streamed, and
// how; outputFor applies the settings that change it. Only formats whose
// chunks join into exactly the document the engine writes in one piece
// (a server's answer) are streamed. Everything that counts or frames
// rows across the whole result is not: Pretty tables and Vertical
// number their rows across blocks and stop once after
// output_format_pretty_max_rows with one "Showed 1000 out of N rows.";
// Markdown, XML, Template and CustomSeparated (result_before/after
// delimiters) and the binary containers (Parquet, Arrow, …) frame the
// whole result. Streamed per chunk, each of those restarted per chunk.
var outputs = map[string]output{
	"CSV": {how: lines}, "CSVWithNames": {how: lines, header: 1, csvHeader: true}, "CSVWithNamesAndTypes": {how: lines, header: 2, csvHeader: true},
	"TSV": {how: lines}, "TSVWithNames": {how: lines, header: 1}, "TSVWithNamesAndTypes": {how: lines, header: 2}, "TSVRaw": {how: lines},
	"TabSeparated": {how: lines}, "TabSeparatedWithNames": {how: lines, header: 1}, "TabSeparatedWithNamesAndTypes": {how: lines, header: 2}, "TabSeparatedRaw": {how: lines},
	"JSONEachRow": {how: lines, arrayOfRows: true}, "JSONLines": {how: lines, arrayOfRows: true}, "NDJSON": {how: lines, arrayOfRows: true},
	"JSONStringsEachRow": {how: lines, arrayOfRows: true},
	// The engine's compact rows stay rows under output_format_json_array_of_rows.
	"JSONCompactEachRow": {how: lines}, "JSONCompactEachRowWithNames": {how: lines, header: 1}, "JSONCompactEachRowWithNamesAndTypes": {how: lines, header: 2},
	"Native": {how: lines}, "RowBinary": {how: lines}, "LineAsString": {how: lines}, "Raw": {how: lines}, "TSKV": {how: lines},
	"JSON": {how: document}, "JSONCompact": {how: document}, "JSONStrings": {how: document}, "JSONCompactStrings": {how: document},
}

// outputFor says how format's output is written in a session with
// settings (the last value of a name is the one in force; the engine
// formats with its session's settings alone, not a statement's SETTINGS
// clause). A setting that changes a format's framing writes it whole
// unless its value surely leaves the framing as streamed: a spelling the
// engine reads otherwise than Go can then only cost memory, never give a
// wrong answer.
func outputFor(format string, settings []store.Setting) output {
	o := outputs[format]
	if o.arrayOfRows {
		if v, set := lastValue(settings, "output_format_json_array_of_rows"); set && v != "0" && !strings.EqualFold(v, "false") {
			return output{how: whole}
		}
	}
	if o.csvHeader {
		// A line break as the delimiter splits a header record into as
		// many lines as it has names; a quote as the delimiter leaves
		// nothing to tell quoted line breaks by.
		if v, set := lastValue(settings, "format_csv_delimiter"); set && (len(v) != 1 || v == "\n" || v == "\r" || v == `"`) {
			return output{how: whole}
		}
	}
	return o
}

// lastValue is the value in force of the setting name: the last one set.
// Names are compared as the engine may: without case.
func lastValue(settings []store.Setting, name string) (string, bool) {
	for i := len(settings) - 1; i >= 0; i-- {
		if strings.EqualFold(settings[i].Name, name) {
			return settings[i].Value, true
		}
	}
	return "", false
}

// dropHeader removes the header records of o from the start of a chunk.
func dropHeader(b []byte, o output) []byte {
	quoted := false
	for n := 0; n < o.header; {
		if len(b) == 0 {
			return nil
		}
		c := b[0]
		b = b[1:]
		switch {
		case o.csvHeader && c == '"':
			// A doubled quote within a quoted name turns quoting off
			// and on again.
			quoted = !quoted
		case c == '\n' && !quoted:
			n++
		}
	}
	return b
}
