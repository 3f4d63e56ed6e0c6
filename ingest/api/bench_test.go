package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/api"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
)

// BenchmarkFetchJSON measures rows per second of api.Client.Fetch over
// the fixture's publicity-system penalties API on loopback: page/size
// pagination with a total, the token header, the status envelope, and
// seven mapped fields plus one extra per record. The fixture serves at
// most 100 records a page (as the real interface does), so 200,000 rows
// are 2,000 requests. The figure includes the fixture's own work of
// rendering each page, which shares the machine with the client.
func BenchmarkFetchJSON(b *testing.B) {
	const rows, size = 200_000, 100
	fx := fixture.Start(fixture.Data{"penalties": fixture.GeneratePenalties(rows)}, fixture.Options{})
	b.Cleanup(fx.Close)
	list, err := contract.Lookup("penalties")
	if err != nil {
		b.Fatal(err)
	}
	cfg := api.Config{
		Name: "penalties", URL: fx.URL(fixture.Penalties),
		Policy:      fetch.Policy{Timeout: 10 * time.Second, Retries: 0},
		Auth:        fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(fx.Token)},
		Pagination:  api.Pagination{Mode: api.ByPage, PageParam: "page", SizeParam: "size", Size: size, FirstPage: 1, TotalPath: "total"},
		RecordsPath: "data", StatusPath: "code", StatusOK: []string{"200"}, MessagePath: "msg",
		Fields: []api.Field{
			{Column: "record_id", Path: "PENDECNO"}, {Column: "uscc", Path: "UNISCID"}, {Column: "name", Path: "ENTNAME"},
			{Column: "decided_on", Path: "PENDECISSDATE"}, {Column: "authority", Path: "PENAUTH_CN"},
			{Column: "content", Path: "PENCONTENT"}, {Column: "publicity_ended_on", Path: "PUBLICENDDATE"},
		},
	}
	var bodyBytes int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c, err := api.New(cfg, list)
		if err != nil {
			b.Fatal(err)
		}
		got, pages := 0, 0
		bodyBytes = 0
		err = c.Fetch(context.Background(), "", func(p api.Page) error {
			pages++
			got += len(p.Records)
			bodyBytes += int64(len(p.Body))
			if len(p.Records) > 0 && len(p.Records[0]) != len(p.Header) {
				return fmt.Errorf("page %d: %d fields for %d columns", p.Number, len(p.Records[0]), len(p.Header))
			}
			return nil
		})
		// One page more than the records fill: a full last page is
		// followed by a probe of the next, which must be empty.
		if err != nil || got != rows || pages != rows/size+1 {
			b.Fatalf("fetched %d rows in %d pages: %v", got, pages, err)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(rows*b.N)/sec, "rows/s")
	b.ReportMetric(float64(rows/size*b.N)/sec, "pages/s")
	b.ReportMetric(float64(bodyBytes)/rows, "body-B/row")
}
