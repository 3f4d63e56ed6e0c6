package listsync_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A page whose body ends where the connection closes (no Content-Length)
// reads whole however early it was cut. Cut inside a row, the parser
// closed the row and the table, and the row short of cells failed the
// sync as a layout change ("row 3: expected 6 cells as in the header, got
// 4", fix the selectors), never asked for again. A document that ends
// inside its table is cut short: asked for again, and if it stays cut,
// the sync fails saying so (incomplete: the next sync resumes).
func TestPageCutInsideARow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cuts int64 // answers of page 2 cut short before it comes whole
	}{
		{"cut once, whole when asked again", 1},
		{"cut every time", 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var cut atomic.Int64
			site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := r.FormValue("page")
				if n != "2" {
					n = "1" // past the end: page 1 again
				}
				body, err := os.ReadFile(filepath.Join("testdata", "pastend", "page"+n+".html"))
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				if n == "2" && cut.Add(1) <= tt.cuts {
					// Inside the third row, after two of its cells; the
					// connection's close ends the body.
					third := bytes.Index(body, []byte("<tr><td>8</td>"))
					body = body[:third+len("<tr><td>8</td><td>河南测试17商贸有限公司</td>")]
					conn, buf, err := http.NewResponseController(w).Hijack()
					if err != nil {
						t.Error(err)
						return
					}
					fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n\r\n%s", body)
					buf.Flush()
					conn.Close()
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write(body)
			}))
			t.Cleanup(site.Close)
			toml := strings.NewReplacer("{site}", site.URL, "retries = 0", "retries = 1\nbackoff_min = \"1ms\"\nbackoff_max = \"2ms\"").Replace(abnormalPagesTOML)
			cfg, err := listsync.ParseConfig(toml)
			if err != nil {
				t.Fatal(err)
			}
			e := &env{t: t, s: storetest.OpenMigrated(t), cfg: cfg, log: &bytes.Buffer{}}
			res, err := e.sync(listsync.Options{})
			r := res[0]
			if tt.cuts == 1 {
				if err != nil || !r.Complete || r.Rows != 10 {
					t.Errorf("sync: complete %v, %d rows, error %v; want the page asked for again and all 10 records", r.Complete, r.Rows, err)
				}
				return
			}
			if !errors.Is(err, fetch.ErrIncomplete) || errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), "page 2") ||
				!strings.Contains(err.Error(), "was cut short") || r.Status != listsync.StatusPartial {
				t.Errorf("sync: status %s, error %v; want partial, page 2 incomplete: cut short", r.Status, err)
			}
			if n := e.count("SELECT count() FROM abnormal", nil); n != 0 {
				t.Errorf("%d records stored from a listing cut short", n)
			}
		})
	}
}
