package htmllist_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/htmllist"
)

// benchEvaluations generates n public credit evaluation results: names
// with brackets and digits (the fixture writes them full-width), both
// letter and Chinese grade labels.
func benchEvaluations(tb testing.TB, n int) []fixture.Row {
	counties := []string{"魏都区", "建安区", "禹州市", "长葛市", "鄢陵县", "襄城县"}
	grades := []string{"A", "B", "C", "D", "优", "良", "中", "差"}
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	rows := make([]fixture.Row, n)
	for i := range rows {
		rows[i] = fixture.Row{
			"uscc":         fixture.USCC(i),
			"name":         fmt.Sprintf("许昌%s(第%d分部)人力资源服务有限公司", counties[i%len(counties)], i+1),
			"grade":        grades[i%len(grades)],
			"evaluated_on": day.AddDate(0, 0, i%200).Format(time.DateOnly),
		}
	}
	return rows
}

func benchConfig(url string) htmllist.Config {
	return htmllist.Config{
		Name: "evaluations", URL: url, Policy: fetch.Policy{Timeout: 10 * time.Second, Retries: 0},
		RowSelector: "table.pjjg-list tbody tr", HeaderSelector: "table.pjjg-list thead th",
		NextSelector: "a.next", PageCountSelector: ".pagination .page-count", EmptyText: "暂无数据",
	}
}

// BenchmarkParseHTML measures rows per second of htmllist.Client.Fetch over
// GBK list pages of 100 rows (the fixture's Credit China evaluation
// pages: <meta charset=gbk>, a header row, full-width names and codes, a
// page count and a next link), 100,000 rows in 1,000 pages:
//
//   - fixture: from the fixture server on loopback, which renders and
//     GBK-encodes every page on request, sharing the CPUs;
//   - prerendered: the same pages rendered once and served from memory
//     on loopback, so the figure is the client's own: fetch, charset
//     detection and decoding, goquery parsing, strict row/cell reading,
//     NFKC folding of every cell;
//   - decode: fetch.DecodeText of those pages alone (GBK to UTF-8).
func BenchmarkParseHTML(b *testing.B) {
	const rows, size = 100_000, 100
	const pages = rows / size
	fx := fixture.Start(fixture.Data{"public_eval": benchEvaluations(b, rows)}, fixture.Options{PageSize: size})
	b.Cleanup(fx.Close)
	list, err := contract.Lookup("public_eval")
	if err != nil {
		b.Fatal(err)
	}

	// The fixture's pages, as served, and the empty page past the last
	// (暂无数据): the last page is full, so the client asks for one more
	// (docs/sync.md, section 2).
	bodies := make([][]byte, pages+1)
	var bodyBytes int
	for i := range bodies {
		resp, err := http.Get(fx.URL(fixture.PublicEval) + "?page=" + strconv.Itoa(i+1))
		if err != nil {
			b.Fatal(err)
		}
		bodies[i], err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("page %d: %d %v", i+1, resp.StatusCode, err)
		}
		bodyBytes += len(bodies[i])
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/pjjg/list.html", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil {
			n = 1
		}
		if n < 1 || n > pages+1 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(bodies[n-1])
	})
	pre := httptest.NewServer(mux)
	b.Cleanup(pre.Close)

	fetchAll := func(b *testing.B, url string) {
		b.ReportAllocs()
		b.SetBytes(int64(bodyBytes))
		for range b.N {
			c, err := htmllist.New(benchConfig(url), list)
			if err != nil {
				b.Fatal(err)
			}
			got, n := 0, 0
			err = c.Fetch(context.Background(), "", func(p htmllist.Page) error {
				n++
				got += len(p.Records)
				if p.Number == pages+1 && len(p.Records) == 0 {
					return nil // the probe past the last page
				}
				if p.Encoding != "GB18030" || len(p.Header) != 5 {
					return fmt.Errorf("page %d: %s, header %q", p.Number, p.Encoding, p.Header)
				}
				return nil
			})
			if err != nil || got != rows || n != pages+1 {
				b.Fatalf("read %d rows in %d pages: %v", got, n, err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("fixture", func(b *testing.B) { fetchAll(b, fx.URL(fixture.PublicEval)) })
	b.Run("prerendered", func(b *testing.B) { fetchAll(b, pre.URL+"/pjjg/list.html") })
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(bodyBytes))
		for range b.N {
			for i, body := range bodies {
				if _, enc, err := fetch.DecodeText(body, "text/html"); err != nil || enc != "GB18030" {
					b.Fatalf("page %d: %s %v", i+1, enc, err)
				}
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
