package file_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// Faults of CSV text that used to lose records silently: a quote never
// closed (every line after it read into one value) and lines ending in
// a lone CR (the file read as one line). The engine's reading and the
// Go path answer alike.
func TestCSVTextFaults(t *testing.T) {
	l, err := contract.Lookup("abnormal")
	if err != nil {
		t.Fatal(err)
	}
	const header = "统一社会信用代码,企业名称,列入日期,列入原因\n"
	rows := func(from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, "%s,许昌第%d人力资源有限公司,2023-07-31,未按规定报送年度报告\n", validUSCC("411002", i), i)
		}
		return b.String()
	}
	unclosed := fmt.Sprintf("%s,\"许昌第99人力资源有限公司,2023-07-31,原因\n", validUSCC("411002", 99))
	unclosedLast := fmt.Sprintf("%s,许昌第99人力资源有限公司,2023-07-31,\"原因\n", validUSCC("411002", 99))
	s := storetest.OpenMigrated(t)
	for _, c := range []struct {
		name, body string
		wantErr    string // in both ways' error; "" for none
		rows       int
		engine     bool // the engine reads the file (for those that load)
	}{
		// Line 7: the header, five records, then the quote.
		{name: "a quote never closed", body: header + rows(0, 5) + unclosed + rows(5, 3), wantErr: "line 7: a quoted value is never closed"},
		// Far enough down that the engine reads the file (the Go path
		// reads ahead while it finds the header).
		// In the last field, so that its record has every field.
		{name: "a quote never closed far down", body: header + rows(0, 2000) + unclosedLast + rows(5, 3), wantErr: "line 2002: a quoted value is never closed"},
		{name: "a quote never closed, then a multi-line record", body: header + rows(0, 2) + strings.Replace(rows(2, 1), "许昌第2人力资源有限公司", "\"许昌第2\n人力资源有限公司\"", 1) + unclosed + rows(5, 3),
			wantErr: "line 6: a quoted value is never closed"},
		{name: "a quote open on the last line only", body: header + rows(0, 3) + strings.TrimSuffix(strings.Replace(rows(3, 1), ",未按", ",\"未按", 1), "\n"), rows: 4, engine: true},
		// The same with the last line's line break: it was refused as
		// taking in the lines after it, though there are none.
		{name: "a quote open on the last line, then its line break", body: header + rows(0, 3) + strings.Replace(rows(3, 1), ",未按", ",\"未按", 1), rows: 4, engine: true},
		{name: "a stray quote on the last line", body: header + rows(0, 3) + strings.Replace(rows(3, 1), ",未按规定", ",\"未按\"规定", 1), rows: 4},
		{name: "a stray quote on the last line, far down", body: header + rows(0, 2000) + strings.Replace(rows(2000, 1), ",未按规定", ",\"未按\"规定", 1), rows: 2001},
		// A value longer than a cell holds rejects its row; a record
		// longer than any list's is not read whole: the file is refused.
		{name: "a value longer than a cell", body: header + rows(0, 2) + strings.Replace(rows(2, 1), "未按规定", strings.Repeat("长", contract.MaxValueLength+1), 1) + rows(3, 2), rows: 4, engine: true},
		{name: "a value as long as a cell", body: header + rows(0, 2) + strings.Replace(rows(2, 1), "未按规定报送年度报告", strings.Repeat("长", contract.MaxValueLength), 1) + rows(3, 2), rows: 5, engine: true},
		{name: "a record too long", body: header + rows(0, 2) + strings.Replace(rows(2, 1), "未按规定", strings.Repeat("长", 2<<20), 1) + rows(3, 2), wantErr: "line 4: a record is too long"},
		// Over many short lines, the engine reads it (no line is too
		// long) and hands the file to the Go reader.
		{name: "a record too long over short lines, far down", body: header + rows(0, 2000) + strings.Replace(rows(2000, 1), "未按规定报送年度报告", "\""+strings.Repeat("长\n", 1<<20+1)+"\"", 1) + rows(3, 2), wantErr: "line 2002: a record is too long"},
		{name: "a record too long far down", body: header + rows(0, 2000) + strings.Replace(rows(2000, 1), "未按规定", strings.Repeat("长", 2<<20), 1) + rows(3, 2), wantErr: "line 2002: a record is too long"},
		{name: "lines ending in CR", body: strings.ReplaceAll(header+rows(0, 4), "\n", "\r"), rows: 4},
		{name: "lines ending in CRLF", body: strings.ReplaceAll(header+rows(0, 4), "\n", "\r\n"), rows: 4, engine: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "abnormal.csv")
			if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			engineRows := file.EngineRows.Load()
			fast, slow := importWays(t, s, l, path, file.ImportOptions{})
			if read := file.EngineRows.Load() > engineRows; c.wantErr == "" && read != c.engine {
				t.Errorf("the engine read the file: %v, want %v", read, c.engine)
			}
			compareImports(t, fast, slow)
			switch {
			case c.wantErr != "":
				if !strings.Contains(slow.Err, c.wantErr) || len(slow.Rows) != 0 {
					t.Errorf("error %q and %d rows, want %q and nothing loaded", slow.Err, len(slow.Rows), c.wantErr)
				}
			case slow.Err != "" || len(slow.Rows) != c.rows:
				t.Errorf("%d rows, error %q; want %d rows", len(slow.Rows), slow.Err, c.rows)
			case strings.Contains(c.name, "longer than a cell") && !strings.Contains(slow.Result, contract.ReasonTooLong+":1"):
				t.Errorf("result %s, want a row rejected as %s", slow.Result, contract.ReasonTooLong)
			}
		})
	}
	// Read with LF or with CR, the records are the same.
	var got [][]string
	path := filepath.Join(t.TempDir(), "abnormal.csv")
	for _, nl := range []string{"\n", "\r"} {
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(header+rows(0, 3), "\n", nl)), 0o644); err != nil {
			t.Fatal(err)
		}
		fast, _ := importWays(t, s, l, path, file.ImportOptions{})
		got = append(got, fast.Rows)
	}
	if !slices.Equal(got[0], got[1]) {
		t.Errorf("CR lines read otherwise than LF lines:\n%q\n%q", got[0], got[1])
	}
}
