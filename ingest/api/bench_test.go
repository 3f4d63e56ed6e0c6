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
	"github.com/xuchang-hrss/creditsync/transform"
)

// benchUSCC is a valid unified social credit code numbered i: a Xuchang
// company prefix, seven base-31 digits of i, and the check character.
func benchUSCC(tb testing.TB, i int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte("91411002M")
	for d, n := 0, i; d < 8; d++ {
		b = append(b, alphabet[n%31])
		n /= 31
	}
	c, err := transform.USCCCheckChar(string(b))
	if err != nil {
		tb.Fatal(err)
	}
	return string(append(b, c))
}

// benchPenalties generates n distinct penalty decisions shaped like the
// publicity system's: Chinese decision numbers, names, authorities and
// a content of some 60 characters.
func benchPenalties(tb testing.TB, n int) []fixture.Row {
	counties := []string{"魏都区", "建安区", "禹州市", "长葛市", "鄢陵县", "襄城县"}
	kinds := []string{"人力资源服务", "劳务派遣", "职业介绍", "人才服务", "劳务服务"}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]fixture.Row, n)
	for i := range rows {
		county := counties[i%len(counties)]
		decided := day.AddDate(0, 0, i%900)
		ended := ""
		if i%3 == 0 {
			ended = decided.AddDate(3, 0, 0).Format(time.DateOnly)
		}
		rows[i] = fixture.Row{
			"record_id":          fmt.Sprintf("许人社罚决字〔%d〕%d号", decided.Year(), i+1),
			"uscc":               benchUSCC(tb, i),
			"name":               fmt.Sprintf("许昌%s第%d%s有限公司", county, i+1, kinds[i%len(kinds)]),
			"decided_on":         decided.Format(time.DateOnly),
			"authority":          "许昌市" + county + "人力资源和社会保障局",
			"content":            fmt.Sprintf("违反《人力资源市场暂行条例》第二十八条，未按规定明示有关事项，经责令改正拒不改正，处罚款人民币%d元", 1000*(1+i%30)),
			"publicity_ended_on": ended,
		}
	}
	return rows
}

// BenchmarkFetchJSON measures rows per second of api.Client.Fetch over
// the fixture's publicity-system penalties API on loopback: page/size
// pagination with a total, the token header, the status envelope, and
// seven mapped fields plus one extra per record. The fixture serves at
// most 100 records a page (as the real interface does), so 200,000 rows
// are 2,000 requests. The figure includes the fixture's own work of
// rendering each page, which shares the machine with the client.
func BenchmarkFetchJSON(b *testing.B) {
	const rows, size = 200_000, 100
	fx := fixture.Start(fixture.Data{"penalties": benchPenalties(b, rows)}, fixture.Options{})
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
		if err != nil || got != rows || pages != rows/size {
			b.Fatalf("fetched %d rows in %d pages: %v", got, pages, err)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(rows*b.N)/sec, "rows/s")
	b.ReportMetric(float64(rows/size*b.N)/sec, "pages/s")
	b.ReportMetric(float64(bodyBytes)/rows, "body-B/row")
}
