package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/api"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
)

func start(t *testing.T, opt fixture.Options) *fixture.Server {
	t.Helper()
	d, err := fixture.ReadDir(filepath.Join("..", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	s := fixture.Start(d, opt)
	t.Cleanup(s.Close)
	return s
}

func list(t *testing.T, name string) *contract.List {
	l, err := contract.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var quick = fetch.Policy{Timeout: time.Second, Retries: 2, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond}

func penalties(s *fixture.Server) api.Config {
	return api.Config{
		Name: "penalties", URL: s.URL(fixture.Penalties), Policy: quick,
		Auth:        fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(s.Token)},
		Pagination:  api.Pagination{Mode: api.ByPage, PageParam: "page", SizeParam: "size", Size: 3, FirstPage: 1, TotalPath: "total"},
		RecordsPath: "data", StatusPath: "code", StatusOK: []string{"200"}, MessagePath: "msg",
		Fields: []api.Field{
			{Column: "record_id", Path: "PENDECNO"}, {Column: "uscc", Path: "UNISCID"}, {Column: "name", Path: "ENTNAME"},
			{Column: "decided_on", Path: "PENDECISSDATE"}, {Column: "authority", Path: "PENAUTH_CN"},
			{Column: "content", Path: "PENCONTENT"}, {Column: "publicity_ended_on", Path: "PUBLICENDDATE"},
		},
	}
}

func dishonest(s *fixture.Server) api.Config {
	return api.Config{
		Name: "dishonest", URL: s.URL(fixture.Dishonest), Policy: quick,
		Auth:        fetch.Auth{Query: "appkey", Secret: fetch.NewSecret(s.APIKey)},
		Pagination:  api.Pagination{Mode: api.ByCursor, SizeParam: "limit", Size: 2, CursorParam: "cursor", CursorPath: "data.nextCursor", TotalPath: "data.total"},
		RecordsPath: "data.list", StatusPath: "status", StatusOK: []string{"1"}, MessagePath: "message",
		Fields: []api.Field{
			{Column: "uscc", Path: "uniscid"}, {Column: "name", Path: "entName"}, {Column: "listed_on", Path: "inDate"},
			{Column: "reason", Path: "inReason"}, {Column: "authority", Path: "inOrgan"}, {Column: "removed_on", Path: "outDate"},
		},
	}
}

// collect runs a fetch and returns its pages, and the error.
func collect(t *testing.T, cfg api.Config, l *contract.List, from string) ([]api.Page, error) {
	t.Helper()
	c, err := api.New(cfg, l)
	if err != nil {
		t.Fatal(err)
	}
	var pages []api.Page
	err = c.Fetch(context.Background(), from, func(p api.Page) error {
		pages = append(pages, p)
		return nil
	})
	return pages, err
}

func count(pages []api.Page) int {
	n := 0
	for _, p := range pages {
		n += len(p.Records)
	}
	return n
}

func TestPageAndTotal(t *testing.T) {
	s := start(t, fixture.Options{})
	pages, err := collect(t, penalties(s), list(t, "penalties"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || count(pages) != 7 || pages[2].Next != "" || pages[0].Next == "" || pages[0].Total != 7 {
		t.Fatalf("%d pages, %d records, last next %q", len(pages), count(pages), pages[len(pages)-1].Next)
	}
	wantHeader := []string{"record_id", "uscc", "name", "decided_on", "authority", "content", "publicity_ended_on", "ILLEGACTTYPE"}
	if !slices.Equal(pages[0].Header, wantHeader) {
		t.Errorf("header %v, want %v", pages[0].Header, wantHeader)
	}
	if !slices.Equal(pages[0].Unused, []string{"ILLEGACTTYPE"}) {
		t.Errorf("unused %v", pages[0].Unused)
	}
	if r := pages[0].Records[0]; r[0] != "魏人社罚决字〔2026〕1号" || r[3] != "2026-03-02" || r[7] != "违反《人力资源市场暂行条例》第二十八条" {
		t.Errorf("first record %q", r)
	}
	// Every page parses with the contract.
	m, err := list(t, "penalties").Map(pages[0].Header)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		for _, r := range p.Records {
			if _, errs := m.Parse(r); errs != nil {
				t.Errorf("record %q rejected: %v", r, errs[0])
			}
		}
	}
}

func TestDateFormats(t *testing.T) {
	s := start(t, fixture.Options{})
	cfg := penalties(s)
	cfg.Name, cfg.URL = "abnormal", s.URL(fixture.Abnormal)
	cfg.Fields = []api.Field{
		{Column: "uscc", Path: "UNISCID"}, {Column: "name", Path: "ENTNAME"}, {Column: "listed_on", Path: "ABNTIME", Format: "unix_ms"},
		{Column: "reason", Path: "SPECAUSE_CN"}, {Column: "authority", Path: "DECORG_CN"},
		{Column: "removed_on", Path: "REMDATE", Format: "unix_ms"}, {Column: "removal_reason", Path: "REMEXCPRES_CN"},
	}
	pages, err := collect(t, cfg, list(t, "abnormal"), "")
	if err != nil {
		t.Fatal(err)
	}
	r := pages[0].Records[1]
	if r[2] != "2024-07-02" || r[5] != "2025-01-10" {
		t.Errorf("dates %q and %q, want 2024-07-02 and 2025-01-10", r[2], r[5])
	}
	if pages[0].Records[0][5] != "" {
		t.Errorf("null REMDATE read as %q", pages[0].Records[0][5])
	}
}

func TestCursor(t *testing.T) {
	s := start(t, fixture.Options{})
	pages, err := collect(t, dishonest(s), list(t, "dishonest"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || count(pages) != 5 || pages[0].Total != 5 {
		t.Fatalf("%d pages, %d records", len(pages), count(pages))
	}
	for _, p := range pages {
		if strings.Contains(p.URL, s.APIKey) || !strings.Contains(p.URL, "appkey=REDACTED") {
			t.Errorf("page URL %s shows the key or hides that it was sent", p.URL)
		}
	}
}

func TestNextURL(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("p") {
		case "":
			fmt.Fprint(w, `{"items":[{"id":"A1","date":"2026/01/02"}],"links":{"next":"/list?p=2&token=session-secret"}}`)
		case "2":
			fmt.Fprint(w, `{"items":[{"id":"A2","date":"2026/01/03"}],"links":{"next":null}}`)
		}
	}))
	defer srv.Close()
	cfg := api.Config{
		Name: "next", URL: srv.URL + "/list", Policy: quick,
		Pagination:  api.Pagination{Mode: api.ByNextURL, NextPath: "links.next"},
		RecordsPath: "items",
		Fields:      []api.Field{{Column: "record_id", Path: "id"}, {Column: "name", Path: "id"}, {Column: "decided_on", Path: "date", Format: "2006/01/02"}},
	}
	pages, err := collect(t, cfg, list(t, "penalties"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[1].Records[0][2] != "2026-01-03" {
		t.Fatalf("pages %+v", pages)
	}
	if strings.Contains(pages[1].URL, "session-secret") {
		t.Errorf("a session token in a next link is shown: %s", pages[1].URL)
	}
}

// A next link to another host would have the next page asked for with
// the source's credentials, as a redirect there would: it fails the
// fetch, naming the host, and nothing reaches it. A link within the host
// is followed (TestNextURL).
func TestNextURLToAnotherHost(t *testing.T) {
	const secret = "APPKEY-S3CRET-999"
	var elsewhere atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"items":[{"id":"A2","date":"2026/01/03"}],"links":{"next":null}}`)
	}))
	other.Listener.Close()
	other.Listener = ln
	other.Start()
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"items":[{"id":"A1","date":"2026/01/02"}],"links":{"next":"%s/list?p=2"}}`, other.URL)
	}))
	defer srv.Close()
	for _, auth := range []fetch.Auth{{Header: "X-Api-Token", Secret: fetch.NewSecret(secret)}, {Query: "appkey", Secret: fetch.NewSecret(secret)}} {
		elsewhere.Store(0)
		cfg := api.Config{
			Name: "next", URL: srv.URL + "/list", Policy: quick, Auth: auth,
			Pagination:  api.Pagination{Mode: api.ByNextURL, NextPath: "links.next"},
			RecordsPath: "items",
			Fields:      []api.Field{{Column: "record_id", Path: "id"}, {Column: "name", Path: "id"}, {Column: "decided_on", Path: "date", Format: "2006/01/02"}},
		}
		_, err := collect(t, cfg, list(t, "penalties"), "")
		if !errors.Is(err, fetch.ErrRedirect) || !strings.Contains(err.Error(), strings.TrimPrefix(other.URL, "http://")) || strings.Contains(err.Error(), secret) {
			t.Errorf("%+v: %v; want ErrRedirect naming the other host", auth, err)
		}
		if n := elsewhere.Load(); n != 0 {
			t.Errorf("%+v: %d requests reached the other host", auth, n)
		}
	}
}

// Epochs as Java services write them: 0 for a date they do not have is
// no date; seconds where milliseconds are configured are no date of 1970
// but a value the contract refuses, shown as sent.
func TestEpochDates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":"P1","decided":1690732800000,"ended":0},{"id":"P2","decided":1690732800,"ended":null}],"links":{"next":null}}`)
	}))
	defer srv.Close()
	cfg := api.Config{
		Name: "epochs", URL: srv.URL + "/list", Policy: quick,
		Pagination:  api.Pagination{Mode: api.ByNextURL, NextPath: "links.next"},
		RecordsPath: "items",
		Fields: []api.Field{{Column: "record_id", Path: "id"}, {Column: "name", Path: "id"},
			{Column: "decided_on", Path: "decided", Format: "unix_ms"}, {Column: "publicity_ended_on", Path: "ended", Format: "unix_ms"}},
	}
	pages, err := collect(t, cfg, list(t, "penalties"), "")
	if err != nil {
		t.Fatal(err)
	}
	got := pages[0].Records
	if len(got) != 2 || got[0][2] != "2023-07-31" || got[0][3] != "" || got[1][2] != "1690732800" {
		t.Fatalf("records %q; want P1 decided 2023-07-31 with no end, P2's seconds as sent", got)
	}
	m, err := list(t, "penalties").Map(pages[0].Header)
	if err != nil {
		t.Fatal(err)
	}
	if _, errs := m.Parse(got[1]); len(errs) == 0 || !strings.Contains(errs[0].Error(), "1690732800") {
		t.Errorf("P2's seconds accepted: %v", errs)
	}
}

// A date in a layout with a zone is an instant, and its date is
// Xuchang's: Chinese midnight written in UTC is the next day's date.
func TestDateLayoutWithZone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":"A1","date":"2023-07-30T16:00:00Z"},{"id":"A2","date":"2023-07-30T15:59:59Z"},{"id":"A3","date":"2023-07-31T00:30:00+08:00"}]}`)
	}))
	defer srv.Close()
	cfg := api.Config{
		Name: "zoned", URL: srv.URL + "/list", Policy: quick,
		Pagination:  api.Pagination{Mode: api.ByNextURL, NextPath: "links.next"},
		RecordsPath: "items",
		Fields:      []api.Field{{Column: "record_id", Path: "id"}, {Column: "name", Path: "id"}, {Column: "decided_on", Path: "date", Format: time.RFC3339}},
	}
	pages, err := collect(t, cfg, list(t, "penalties"), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range pages[0].Records {
		got = append(got, rec[2])
	}
	if want := []string{"2023-07-31", "2023-07-30", "2023-07-31"}; !slices.Equal(got, want) {
		t.Errorf("dates %q, want %q", got, want)
	}
}

// Every way a listing can break must fail the fetch, never end it early
// as if the list were shorter.
func TestBrokenListings(t *testing.T) {
	tests := []struct {
		name      string
		endpoint  fixture.Endpoint
		fault     fixture.Fault
		want      error
		pagesRead int
	}{
		{"empty page before the total", fixture.Penalties, fixture.Fault{Kind: fixture.EmptyPage, Page: 2}, fetch.ErrIncomplete, 1},
		{"repeated page", fixture.Penalties, fixture.Fault{Kind: fixture.RepeatPage, Page: 2}, fetch.ErrIncomplete, 1},
		{"layout changed", fixture.Penalties, fixture.Fault{Kind: fixture.LayoutChanged, Page: 2}, fetch.ErrLayout, 1},
		{"CAPTCHA with 200", fixture.Penalties, fixture.Fault{Kind: fixture.Captcha, Page: 1}, fetch.ErrChallenge, 0},
		{"521 challenge", fixture.Penalties, fixture.Fault{Kind: fixture.JSChallenge, Page: 3}, fetch.ErrChallenge, 2},
		{"truncated for good", fixture.Penalties, fixture.Fault{Kind: fixture.Truncated, Page: 2}, fetch.ErrMalformed, 1},
		{"empty body for good", fixture.Penalties, fixture.Fault{Kind: fixture.EmptyBody, Page: 2}, fetch.ErrMalformed, 1},
		{"cursor: empty page with a next cursor", fixture.Dishonest, fixture.Fault{Kind: fixture.EmptyPage, Page: 2}, fetch.ErrIncomplete, 1},
		{"cursor: repeated page", fixture.Dishonest, fixture.Fault{Kind: fixture.RepeatPage, Page: 2}, fetch.ErrIncomplete, 1},
		{"cursor: 40001", fixture.Dishonest, fixture.Fault{Kind: fixture.Refresh40001, Page: 2}, fetch.ErrChallenge, 1},
		{"cursor: 412", fixture.Dishonest, fixture.Fault{Kind: fixture.Precondition412}, fetch.ErrChallenge, 0},
		{"cursor: layout changed", fixture.Dishonest, fixture.Fault{Kind: fixture.LayoutChanged}, fetch.ErrLayout, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, fixture.Options{})
			s.Inject(tt.endpoint, tt.fault)
			cfg, l := penalties(s), list(t, "penalties")
			if tt.endpoint == fixture.Dishonest {
				cfg, l = dishonest(s), list(t, "dishonest")
			}
			pages, err := collect(t, cfg, l, "")
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if len(pages) != tt.pagesRead {
				t.Errorf("%d pages delivered before the failure, want %d", len(pages), tt.pagesRead)
			}
			var fe *fetch.Error
			if !errors.As(err, &fe) || fe.Page != tt.pagesRead+1 || fe.Hint == "" {
				t.Errorf("error %#v: want a *fetch.Error for page %d with a hint", err, tt.pagesRead+1)
			}
		})
	}
}

// An empty answer failed as JSON that ended at once ("malformed
// response: EOF"), which said nothing of what the site did.
func TestEmptyBodySaysSo(t *testing.T) {
	s := start(t, fixture.Options{})
	s.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.EmptyBody, Page: 2})
	_, err := collect(t, penalties(s), list(t, "penalties"), "")
	var fe *fetch.Error
	if !errors.As(err, &fe) || !errors.Is(err, fetch.ErrMalformed) || fe.Page != 2 || fe.Attempts != quick.Retries+1 ||
		!strings.Contains(fe.Err.Error(), "the site answered 200 with an empty body") || !strings.HasPrefix(fe.Hint, "the site answered with nothing") {
		t.Errorf("error %v; want page 2 failed after every attempt as an empty body, with its hint", err)
	}
}

func TestTransientFaultsLoseNothing(t *testing.T) {
	for _, f := range []fixture.Fault{
		{Kind: fixture.Truncated, Page: 2, Times: 1},
		{Kind: fixture.EmptyBody, Page: 2, Times: 1},
		{Kind: fixture.ServerError, Page: 3, Times: 2},
		{Kind: fixture.TooManyRequests, Page: 2, Times: 1, RetryAfter: 20 * time.Millisecond},
		{Kind: fixture.Slow, Page: 1, Times: 1, Delay: 3 * time.Second},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			s := start(t, fixture.Options{})
			s.Inject(fixture.Penalties, f)
			cfg := penalties(s)
			cfg.Policy.Timeout = 200 * time.Millisecond
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			if err != nil {
				t.Fatal(err)
			}
			want := 3 + max(f.Times, 1)
			if count(pages) != 7 || s.Requests(fixture.Penalties) != want {
				t.Errorf("%d records in %d requests, want 7 in %d", count(pages), s.Requests(fixture.Penalties), want)
			}
		})
	}
}

func TestPageCapAndResume(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  func(*fixture.Server) api.Config
		l    string
		n    int
	}{{"page", penalties, "penalties", 7}, {"cursor", dishonest, "dishonest", 5}} {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, fixture.Options{})
			cfg := tt.cfg(s)
			cfg.MaxPages = 2
			first, err := collect(t, cfg, list(t, tt.l), "")
			if !errors.Is(err, fetch.ErrPageCap) || len(first) != 2 {
				t.Fatalf("%d pages, error %v; want 2 and ErrPageCap", len(first), err)
			}
			rest, err := collect(t, cfg, list(t, tt.l), first[1].Next)
			if err != nil {
				t.Fatal(err)
			}
			if n := count(first) + count(rest); n != tt.n || rest[0].Number != 3 {
				t.Errorf("%d records, resumed at page %d; want %d from page 3", n, rest[0].Number, tt.n)
			}
			if s.Requests(fixture.Endpoint(tt.l)) != 3 {
				t.Errorf("%d requests; resuming must not fetch pages again", s.Requests(fixture.Endpoint(tt.l)))
			}
		})
	}
}

func TestHTMLInsteadOfJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><h1>系统维护中</h1></body></html>`)
	}))
	defer srv.Close()
	cfg := api.Config{Name: "x", URL: srv.URL, Policy: quick, RecordsPath: "data",
		Pagination: api.Pagination{Mode: api.ByPage, PageParam: "page", Size: 10},
		Fields:     []api.Field{{Column: "record_id", Path: "id"}, {Column: "decided_on", Path: "d"}}}
	_, err := collect(t, cfg, list(t, "penalties"), "")
	if !errors.Is(err, fetch.ErrLayout) {
		t.Errorf("error %v, want ErrLayout", err)
	}
}

// A UTF-8 byte-order mark is the charset declared: over GBK bytes (a
// gateway that prefixes one to whatever it passes on) the answer fails
// saying the mark contradicts the bytes, as an HTML page does; it failed
// as malformed JSON ("invalid character 'ï'"), retried, naming neither.
// Over UTF-8 it is read; cut short, the answer is still malformed.
func TestByteOrderMarkOverJSON(t *testing.T) {
	const doc = `{"code":200,"msg":"ok","total":1,"data":[{"PENDECNO":"许人社罚〔2024〕1号","UNISCID":"","ENTNAME":"许昌甲人力资源有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":""}]}`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, body string
		want       error // nil: the record is read
		says       string
	}{
		{"UTF-8", doc, nil, ""},
		{"GBK", gbk, fetch.ErrCharset, "byte-order mark over bytes that are not UTF-8"},
		{"UTF-8 cut short", doc[:len(doc)/2], fetch.ErrMalformed, "unexpected EOF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				io.WriteString(w, "\xEF\xBB\xBF"+tt.body)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth, cfg.Policy.Retries = srv.URL, fetch.Auth{}, 0
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			switch {
			case tt.want == nil && (err != nil || count(pages) != 1):
				t.Errorf("%d records, %v; want the one", count(pages), err)
			case tt.want != nil && (!errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says)):
				t.Errorf("%v; want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
}

// A rare character a government system added in GB18030's user-defined
// areas (bytes AAA1, F8A1, A140) is read as the private-use character
// GB18030 maps it to, as browsers, Java and Python read it: every such
// answer failed as "labelled gbk, but not valid GB18030".
func TestUserDefinedCharactersOfGBK(t *testing.T) {
	const doc = `{"code":200,"msg":"ok","total":1,"data":[{"PENDECNO":"许人社罚〔2024〕1号","UNISCID":"","ENTNAME":"许昌@元人力资源有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款#$","PUBLICENDDATE":""}]}`
	body, err := simplifiedchinese.GBK.NewEncoder().String(doc)
	if err != nil {
		t.Fatal(err)
	}
	body = strings.NewReplacer("@", "\xAA\xA1", "#", "\xF8\xA1", "$", "\xA1\x40").Replace(body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=GBK")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	cfg := penalties(&fixture.Server{})
	cfg.URL, cfg.Auth, cfg.Policy.Retries = srv.URL, fetch.Auth{}, 0
	pages, err := collect(t, cfg, list(t, "penalties"), "")
	if err != nil || count(pages) != 1 {
		t.Fatalf("%d records, %v; want the one", count(pages), err)
	}
	rec := strings.Join(pages[0].Records[0], "|")
	for _, want := range []string{"许昌\uE000元人力资源有限公司", "罚款\uE234\uE4C6"} {
		if !strings.Contains(rec, want) {
			t.Errorf("record %q, want %q in it", rec, want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	base := api.Config{Name: "x", URL: "http://127.0.0.1/x", RecordsPath: "data", Pagination: api.Pagination{Mode: api.ByPage, PageParam: "page", Size: 10},
		Fields: []api.Field{{Column: "record_id", Path: "id"}, {Column: "decided_on", Path: "d"}}}
	if _, err := api.New(base, list(t, "penalties")); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, mutate := range map[string]func(*api.Config){
		"unknown column":    func(c *api.Config) { c.Fields = append(c.Fields, api.Field{Column: "nonsense", Path: "n"}) },
		"required unmapped": func(c *api.Config) { c.Fields = c.Fields[:1] },
		"no url":            func(c *api.Config) { c.URL = "" },
		"bad pagination":    func(c *api.Config) { c.Pagination.Mode = "offset" },
		"no records path":   func(c *api.Config) { c.RecordsPath = "" },
	} {
		c := base
		c.Fields = append([]api.Field(nil), base.Fields...)
		mutate(&c)
		if _, err := api.New(c, list(t, "penalties")); !errors.Is(err, api.ErrConfig) {
			t.Errorf("%s: error %v, want ErrConfig", name, err)
		}
	}
}

// Interfaces written for browsers answer in JSONP, callback({...});,
// whether or not a callback was asked for: the document is read from
// the call.
func TestJSONP(t *testing.T) {
	for _, wrap := range []string{"jQuery1124_1700000000000(%s);", "/**/ cb.list ( %s )\n", "callback(%s)"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			data := `[]`
			if r.URL.Query().Get("page") == "1" {
				data = `[{"PENDECNO":"许人社罚〔2024〕1号","UNISCID":"91411002MA00000011","ENTNAME":"许昌甲人力资源有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":""},` +
					`{"PENDECNO":"许人社罚〔2024〕2号","UNISCID":"91411002MA00000022","ENTNAME":"许昌乙人力资源有限公司","PENDECISSDATE":"2024-03-02","PENAUTH_CN":"许昌市人社局","PENCONTENT":"警告","PUBLICENDDATE":""}]`
			}
			w.Header().Set("Content-Type", "application/javascript;charset=utf-8")
			fmt.Fprintf(w, wrap, `{"code":200,"msg":"ok","total":2,"data":`+data+`}`)
		}))
		cfg := penalties(&fixture.Server{})
		cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
		pages, err := collect(t, cfg, list(t, "penalties"), "")
		srv.Close()
		if err != nil || count(pages) != 2 || pages[0].Records[1][2] != "许昌乙人力资源有限公司" {
			t.Errorf("%q: %d records %v", wrap, count(pages), err)
		}
	}
	// A call that is not a document's is no JSON.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `alert("x")`)
	}))
	defer srv.Close()
	cfg := penalties(&fixture.Server{})
	cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
	if _, err := collect(t, cfg, list(t, "penalties"), ""); !errors.Is(err, fetch.ErrMalformed) {
		t.Errorf("a script: %v, want ErrMalformed", err)
	}
}

// A count a serializer writes as a float (12.0, "2.0", 2e0) is the count,
// and so is one a site writes in words ("共2条", full-width digits); one
// with a fraction, a page count or anything else is no count (the layout
// changed), and the error quotes it.
func TestTotalWrittenAsAFloat(t *testing.T) {
	for _, tt := range []struct {
		total string
		ok    bool
	}{
		{`2.0`, true}, {`"2.0"`, true}, {`2e0`, true}, {`2.5`, false},
		{`"2条"`, true}, {`"共2条"`, true}, {`"共 2 条记录"`, true}, {`"２"`, true}, {`" 2家 "`, true},
		{`"共2页"`, false}, {`"2条/页"`, false}, {`"约2条"`, false}, {`"2,0"`, false}, {`"-2条"`, false}, {`"条"`, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			data := `[]`
			if r.URL.Query().Get("page") == "1" {
				data = `[{"PENDECNO":"许人社罚〔2024〕1号","UNISCID":"91411002MA00000011","ENTNAME":"许昌甲人力资源有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":""},` +
					`{"PENDECNO":"许人社罚〔2024〕2号","UNISCID":"91411002MA00000022","ENTNAME":"许昌乙人力资源有限公司","PENDECISSDATE":"2024-03-02","PENAUTH_CN":"许昌市人社局","PENCONTENT":"警告","PUBLICENDDATE":""}]`
			}
			fmt.Fprintf(w, `{"code":200,"msg":"ok","total":%s,"data":%s}`, tt.total, data)
		}))
		cfg := penalties(&fixture.Server{})
		cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
		pages, err := collect(t, cfg, list(t, "penalties"), "")
		srv.Close()
		switch {
		case tt.ok && err != nil:
			t.Errorf("total %s: %v", tt.total, err)
		case tt.ok && (count(pages) != 2 || pages[0].Claimed != 2):
			t.Errorf("total %s: %d records, claimed %d", tt.total, count(pages), pages[0].Claimed)
		case !tt.ok && (!errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), `the total at "total" is `+tt.total+`, which is not a count`)):
			// The total is there: the error quotes it, and does not say
			// there is none.
			t.Errorf("total %s: %v, want a layout change quoting the total", tt.total, err)
		}
	}
}

// TestProbeRefused: after a full last page the client asks for one page
// more (the probe). A source that refuses that page number — HTTP 400 or
// 404, or 200 with its own failure saying the page is past the end
// (页码超出范围) — says the listing ended, as an empty answer does. A
// failure that says nothing of the end (系统繁忙, a server error) is
// retried as on any page, and if it persists fails the fetch: the end is
// unproven, and a total understating the listing by a page would pass.
func TestProbeRefused(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		times  int // the probe is answered so this often, then with an empty page; 0: always
		ok     bool
	}{
		{"its own error", 200, `{"code":500,"msg":"页码超出范围","total":6,"data":null}`, 0, true},
		{"its own error, no more data", 200, `{"code":500,"msg":"没有更多数据了","total":6,"data":null}`, 0, true},
		{"success false past the last page", 200, `{"success":false,"message":"当前页码超过总页数"}`, 0, true},
		{"400", 400, `{"error":"page out of range"}`, 0, true},
		{"404", 404, `not found`, 0, true},
		{"busy", 200, `{"code":500,"msg":"系统繁忙，请稍后再试"}`, 0, false},
		{"busy, in words of pages", 200, `{"code":500,"msg":"访问页数超过限制"}`, 0, false},
		{"its own error without a message", 200, `{"code":500,"msg":""}`, 0, false},
		{"busy once", 200, `{"code":500,"msg":"系统繁忙"}`, 1, true},
		{"server error", 500, `internal error`, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var probes atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				if page > 2 {
					if n := probes.Add(1); tt.times == 0 || int(n) <= tt.times {
						w.WriteHeader(tt.status)
						io.WriteString(w, tt.body)
						return
					}
				}
				writePenaltyPage(w, page, 3, 6, 6)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			if !tt.ok {
				if !errors.Is(err, fetch.ErrStatus) {
					t.Errorf("a probe answered %d %s: %v, want it to fail", tt.status, tt.body, err)
				}
				if n := probes.Load(); n != int32(quick.Retries)+1 {
					t.Errorf("the probe was asked %d times, want %d: retried as any page", n, quick.Retries+1)
				}
				return
			}
			if err != nil || count(pages) != 6 {
				t.Errorf("%d records, %v", count(pages), err)
			}
			if n := probes.Load(); tt.times == 0 && n != 1 {
				t.Errorf("the probe was asked %d times: a page past the end is so for good", n)
			}
		})
	}
}

// An interface that serves fewer records a page than asked for (a server
// capping the size at 3 when 50 are asked) has full pages of 3: after a
// last page of 3 the probe asks for one more, and finds what a total
// understated by a page left out. Page 1 is such a page too when the
// total fits in it: a total of 3 over 5 records passed as the whole
// listing, its 2 others never asked for (and later removed).
func TestProbeAtTheServedPageSize(t *testing.T) {
	for _, tt := range []struct {
		name          string
		n, total      int
		totalPath     string
		records, asks int
	}{
		{"a total a page short", 9, 6, "total", 9, 3},
		{"a total that fits page 1", 5, 3, "total", 5, 2},
		{"page 1 the whole listing", 3, 3, "total", 3, 2},
		{"no total, page 1 the cap", 5, 5, "", 5, 2},
		{"no total, page 1 the whole listing", 2, 2, "", 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asks atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asks.Add(1)
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				writePenaltyPage(w, page, 3, tt.n, tt.total)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
			cfg.Pagination.Size, cfg.Pagination.TotalPath = 50, tt.totalPath
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			if err != nil || count(pages) != tt.records || asks.Load() != int32(tt.asks) {
				t.Errorf("%d records in %d pages and %d requests, %v; want %d records in %d requests", count(pages), len(pages), asks.Load(), err, tt.records, tt.asks)
			}
		})
	}
}

// A configured total is read, and required, whatever the paging: a
// renamed field or a total of -1 (the interface did not count) fails the
// page, instead of switching the count's proof off.
func TestTotalInEveryMode(t *testing.T) {
	for _, tt := range []struct {
		name, page1 string
		claimed     int // -1: the fetch fails with a layout change
	}{
		{"counted", `{"items":[{"id":"A1","date":"2026/01/02"}],"total":2,"links":{"next":"/list?p=2"}}`, 2},
		{"renamed", `{"items":[{"id":"A1","date":"2026/01/02"}],"count":2,"links":{"next":"/list?p=2"}}`, -1},
		{"not counted", `{"items":[{"id":"A1","date":"2026/01/02"}],"total":-1,"links":{"next":"/list?p=2"}}`, -1},
	} {
		for _, mode := range []string{api.ByNextURL, api.ByCursor} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("p") == "" && r.URL.Query().Get("cursor") == "" {
					io.WriteString(w, strings.Replace(tt.page1, `"links"`, `"cursor":"c2","links"`, 1))
					return
				}
				io.WriteString(w, strings.Replace(strings.Replace(tt.page1, "A1", "A2", 1), `"/list?p=2"`, "null", 1))
			}))
			cfg := api.Config{
				Name: "x", URL: srv.URL + "/list", Policy: quick,
				Pagination:  api.Pagination{Mode: mode, NextPath: "links.next", CursorParam: "cursor", CursorPath: "cursor", TotalPath: "total"},
				RecordsPath: "items",
				Fields:      []api.Field{{Column: "record_id", Path: "id"}, {Column: "name", Path: "id"}, {Column: "decided_on", Path: "date", Format: "2006/01/02"}},
			}
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			srv.Close()
			switch {
			case tt.claimed < 0 && !errors.Is(err, fetch.ErrLayout):
				t.Errorf("%s, %s: %v, want a layout change", tt.name, mode, err)
			case tt.claimed >= 0 && (err != nil || len(pages) == 0 || pages[0].Claimed != tt.claimed):
				t.Errorf("%s, %s: %d pages, %v; want a claim of %d", tt.name, mode, len(pages), err, tt.claimed)
			}
		}
	}
}

// Names sent as HTML (a search page's highlighting, entities) are read
// as the page shows them; a name with a bare & or < is left as written.
func TestMarkupInJSONValues(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := `[]`
		if r.URL.Query().Get("page") == "1" {
			data = `[{"PENDECNO":"许人社罚〔2024〕<em>1</em>号","UNISCID":"91411002MA00000011","ENTNAME":"<font color='red'>许昌</font>甲人力资源&amp;服务有限公司&#x4E00;<script>x()</script>","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":""},` +
				`{"PENDECNO":"许人社罚〔2024〕2号","UNISCID":"91411002MA00000022","ENTNAME":"A&B<人力>公司 1<2","PENDECISSDATE":"2024-03-02","PENAUTH_CN":"许昌市人社局","PENCONTENT":"警告","PUBLICENDDATE":""}]`
		}
		fmt.Fprintf(w, `{"code":200,"msg":"ok","total":2,"data":%s}`, data)
	}))
	defer srv.Close()
	cfg := penalties(&fixture.Server{})
	cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
	pages, err := collect(t, cfg, list(t, "penalties"), "")
	if err != nil || count(pages) != 2 {
		t.Fatalf("%d records, %v", count(pages), err)
	}
	recs := pages[0].Records
	if recs[0][0] != "许人社罚〔2024〕1号" || recs[0][2] != "许昌甲人力资源&服务有限公司一" {
		t.Errorf("a value in HTML: %q, %q", recs[0][0], recs[0][2])
	}
	if recs[1][2] != "A&B<人力>公司 1<2" {
		t.Errorf("a value without markup: %q", recs[1][2])
	}
}

// A stored page read again (sync --replay) reads its total as the fetch
// did, in every paging mode: a replay of a next_url listing claimed
// nothing, and a snapshot the fetch had refused replayed as complete.
func TestReplayReadsTheTotal(t *testing.T) {
	cfg := api.Config{
		Name: "x", URL: "http://127.0.0.1/list", Policy: quick,
		Pagination:  api.Pagination{Mode: api.ByNextURL, NextPath: "links.next", TotalPath: "total"},
		RecordsPath: "items",
		Fields:      []api.Field{{Column: "record_id", Path: "id"}, {Column: "name", Path: "id"}, {Column: "decided_on", Path: "date", Format: "2006/01/02"}},
	}
	c, err := api.New(cfg, list(t, "penalties"))
	if err != nil {
		t.Fatal(err)
	}
	replay := func(body string) (api.Page, error) {
		var p api.Page
		archived := fetch.Archive{1: {Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}}
		err := c.Replay(context.Background(), archived, func(got api.Page) error { p = got; return nil })
		return p, err
	}
	p, err := replay(`{"items":[{"id":"A1","date":"2026/01/02"}],"total":30,"links":{"next":null}}`)
	if err != nil || p.Claimed != 30 {
		t.Errorf("claimed %d, %v; want 30", p.Claimed, err)
	}
	if _, err := replay(`{"items":[],"total":-1,"links":{"next":null}}`); !errors.Is(err, fetch.ErrLayout) {
		t.Errorf("a total of -1: %v, want a layout change", err)
	}
}

// An interface that serves a page number past the end as page 1
// (MyBatis-Plus with overflow on) answers the probe after a full last
// page with page 1 again: the listing ended there. It failed every sync
// whose records were a multiple of the page size.
func TestProbeAnsweredWithPageOne(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		if page > 2 {
			page = 1
		}
		writePenaltyPage(w, page, 3, 6, 6)
	}))
	defer srv.Close()
	cfg := penalties(&fixture.Server{})
	cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
	pages, err := collect(t, cfg, list(t, "penalties"), "")
	if err != nil || count(pages) != 6 {
		t.Errorf("%d records, %v; want the 6 and the listing ended", count(pages), err)
	}
}

// writePenaltyPage writes page (from 1) of a listing of n penalties in
// the publicity system's shape, size a page, claiming total.
func writePenaltyPage(w io.Writer, page, size, n, total int) {
	var recs []string
	for i := (page-1)*size + 1; i <= min(page*size, n); i++ {
		recs = append(recs, fmt.Sprintf(`{"PENDECNO":"许人社罚〔2024〕%d号","UNISCID":"","ENTNAME":"许昌%d人力资源有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":""}`, i, i))
	}
	fmt.Fprintf(w, `{"code":200,"msg":"ok","total":%d,"data":[%s]}`, total, strings.Join(recs, ","))
}

// An answer without the status configured that says in its own words
// that it failed (a gateway's or rate limiter's {"success":false,
// "message":"访问过于频繁"}) is that failure, retried and reported with
// the site's message; it read as a changed layout. An answer that does
// not say it failed is still a layout change.
func TestOwnFailureWithoutTheStatus(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		noStatus   bool // the source configures no status_path
		want       error
		text       string
	}{
		{"success false", `{"success":false,"message":"访问过于频繁"}`, false, fetch.ErrStatus, `"访问过于频繁"`},
		{"Spring's error body", `{"timestamp":"2026-05-02T01:00:03.118+0800","status":500,"error":"Internal Server Error","message":"系统繁忙","path":"/api/penalties"}`, false, fetch.ErrStatus, `"系统繁忙"`},
		{"a message in place of the records", `{"msg":"服务维护中，请稍后访问"}`, false, fetch.ErrStatus, `"服务维护中，请稍后访问"`},
		{"success false, no status configured", `{"success":false,"msg":"访问过于频繁","total":0,"data":null}`, true, fetch.ErrStatus, `"访问过于频繁"`},
		{"success true, renamed", `{"success":true,"message":"ok","result":{"total":0,"records":[]}}`, false, fetch.ErrLayout, `no status at "code"`},
		{"records without the status", `{"msg":"ok","total":0,"data":[]}`, false, fetch.ErrLayout, `no status at "code"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
			if tt.noStatus {
				cfg.StatusPath, cfg.StatusOK = "", nil
			}
			_, err := collect(t, cfg, list(t, "penalties"), "")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("%v; want %v saying %s", err, tt.want, tt.text)
			}
			if wantRequests := map[error]int32{fetch.ErrStatus: int32(quick.Retries) + 1, fetch.ErrLayout: 1}[tt.want]; requests.Load() != wantRequests {
				t.Errorf("%d requests, want %d", requests.Load(), wantRequests)
			}
		})
	}
}

// An answer that says in its own words that it failed is a failure
// whatever its status: a success flag that is false, or no records with
// a message saying the failure is passing (系统繁忙). Read as data, a
// busy probe past a full last page ended a listing whose total
// understated it by a page (the records past it removed), and a page 1
// answering success false with an empty list read as an empty listing.
// Retried, it fails the fetch with the site's message. An empty answer
// without such words, or records beside them, are data.
func TestOwnFailureWithAnOKStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		page int // the page answered so; the listing is 6 records, 3 a page
		body string
		want string // the message the failure reports; "" = the listing is read
		n    int    // records read when it is
	}{
		{"busy probe", 3, `{"code":200,"msg":"系统繁忙","total":6,"data":[]}`, "系统繁忙", 0},
		{"rate-limited probe", 3, `{"code":200,"success":false,"message":"访问过于频繁","total":6,"data":[]}`, "访问过于频繁", 0},
		{"page 1 failed", 1, `{"code":200,"success":false,"message":"系统异常","total":0,"data":[]}`, "系统异常", 0},
		{"success false beside records", 2, `{"code":200,"success":false,"message":"系统异常","total":6,"data":[{"PENDECNO":"x"}]}`, "系统异常", 0},
		{"an empty probe", 3, `{"code":200,"msg":"查询成功","total":6,"data":[]}`, "", 6},
		{"an empty probe, success true", 3, `{"code":200,"success":true,"msg":"暂无数据","total":6,"data":[]}`, "", 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asked atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				if page == tt.page {
					asked.Add(1)
					io.WriteString(w, tt.body)
					return
				}
				writePenaltyPage(w, page, 3, 6, 6)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			if tt.want == "" {
				if err != nil || count(pages) != tt.n {
					t.Errorf("%d records, %v; want %d and the listing ended", count(pages), err, tt.n)
				}
				return
			}
			if !errors.Is(err, fetch.ErrStatus) || !strings.Contains(err.Error(), strconv.Quote(tt.want)) {
				t.Fatalf("%d records, %v; want the fetch failed saying %q", count(pages), err, tt.want)
			}
			if n := asked.Load(); n != int32(quick.Retries)+1 {
				t.Errorf("the page was asked %d times, want %d: retried as any failure", n, quick.Retries+1)
			}
		})
	}
}

// A mapped field written as a list or an object where the mapping reads
// a value (a Jackson or Gson upgrade: "ENTNAME":["…公司"],
// "PENCONTENT":{"fk":"罚款5000元"}) is a layout change naming the page,
// the record and the field, key or not, with a hint to point the path
// at the value. Such values were stored as JSON text, overwriting good
// names and contents as a modification, while the same in the USCC was
// rejected record by record as an invalid code.
func TestListOrObjectWhereAValueWas(t *testing.T) {
	const good = `{"PENDECNO":"许人社罚〔2024〕%d号","UNISCID":"91411002MA00000011","ENTNAME":"建安区乙人力资源服务有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":""}`
	tests := []struct {
		field, value string // the field of page 2's second record, and its JSON
		want         string
	}{
		{"ENTNAME", `["建安区乙人力资源服务有限公司"]`, `record 2: ENTNAME (for name) holds a list, ["建安区乙人力资源服务有限公司"], where the mapping reads a value; if the value is inside it, map name to it (ENTNAME.0)`},
		{"PENCONTENT", `{"jg":"警告","fk":"罚款5000元"}`, `record 2: PENCONTENT (for content) holds an object (keys fk, jg), {"fk":"罚款5000元","jg":"警告"}, where the mapping reads a value; if the value is inside it, map content to it (PENCONTENT.fk)`},
		{"PENAUTH_CN", `["许昌市<b>魏都区</b>市场监督管理局","许昌市人社局"]`, `PENAUTH_CN (for authority) holds a list, ["许昌市<b>魏都区</b>市场监督管理局","许昌市人社局"]`},
		{"PUBLICENDDATE", `["2024-09-01"]`, `PUBLICENDDATE (for publicity_ended_on) holds a list, ["2024-09-01"], where`},
		{"PUBLICENDDATE", `{"d":"2024-09-01"}`, `PUBLICENDDATE (for publicity_ended_on) holds an object (keys d), {"d":"2024-09-01"}, where the mapping reads a value; if the value is inside it, map publicity_ended_on to it (PUBLICENDDATE.d)`},
		// Key fields: the USCC was rejected as an invalid code, the
		// record number kept as JSON text.
		{"UNISCID", `{"VALUE":"91411002MA00000011"}`, `UNISCID (for uscc) holds an object (keys VALUE)`},
		{"PENDECNO", `["许人社罚〔2024〕9号"]`, `PENDECNO (for record_id) holds a list`},
		{"PENDECISSDATE", `{"year":2024,"month":3,"day":1}`, `PENDECISSDATE (for decided_on) holds an object (keys day, month, year), {"day":1,"month":3,"year":2024}`},
	}
	for _, tt := range tests {
		t.Run(tt.field+" "+tt.value, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data := `[]`
				switch r.URL.Query().Get("page") {
				case "1":
					data = "[" + fmt.Sprintf(good, 1) + "," + fmt.Sprintf(good, 2) + "," + fmt.Sprintf(good, 3) + "]"
				case "2":
					changed := strings.Replace(fmt.Sprintf(good, 5), `"`+tt.field+`":"`, `"`+tt.field+`":`+tt.value+`,"was":"`, 1)
					data = "[" + fmt.Sprintf(good, 4) + "," + changed + "," + fmt.Sprintf(good, 6) + "]"
				}
				fmt.Fprintf(w, `{"code":200,"msg":"ok","total":6,"data":%s}`, data)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			var fe *fetch.Error
			if !errors.Is(err, fetch.ErrLayout) || !errors.As(err, &fe) || fe.Page != 2 {
				t.Fatalf("%v; want a layout change on page 2", err)
			}
			if len(pages) != 1 {
				t.Errorf("%d pages delivered, want page 1 alone", len(pages))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v\nwant it to say %s", err, tt.want)
			}
			if !strings.Contains(fe.Hint, "writes this field as a list or an object where it wrote a value") {
				t.Errorf("hint %q", fe.Hint)
			}
		})
	}
}

// An empty list or object is none, as null is: PHP's json_encode writes
// a missing value kept as an empty array so, and a page of such records
// is no changed layout.
func TestEmptyListOrObjectIsNone(t *testing.T) {
	const rec = `{"PENDECNO":"许人社罚〔2024〕%d号","UNISCID":"91411002MA00000011","ENTNAME":"建安区乙人力资源服务有限公司","PENDECISSDATE":"2024-03-01","PENAUTH_CN":"许昌市人社局","PENCONTENT":"罚款","PUBLICENDDATE":%s}`
	for _, empty := range []string{`[]`, `{}`, `null`} {
		t.Run(empty, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				data := `[]`
				if r.URL.Query().Get("page") == "1" {
					data = "[" + fmt.Sprintf(rec, 1, empty) + "," + fmt.Sprintf(rec, 2, `"2024-09-01"`) + "]"
				}
				fmt.Fprintf(w, `{"code":200,"msg":"ok","total":2,"data":%s}`, data)
			}))
			defer srv.Close()
			cfg := penalties(&fixture.Server{})
			cfg.URL, cfg.Auth = srv.URL, fetch.Auth{}
			pages, err := collect(t, cfg, list(t, "penalties"), "")
			if err != nil {
				t.Fatal(err)
			}
			col := slices.Index(pages[0].Header, "publicity_ended_on")
			if col < 0 || len(pages[0].Records) != 2 {
				t.Fatalf("header %q, %d records", pages[0].Header, len(pages[0].Records))
			}
			if got := pages[0].Records[0][col]; got != "" {
				t.Errorf("publicity_ended_on %s read as %q, want none", empty, got)
			}
			if got := pages[0].Records[1][col]; got != "2024-09-01" {
				t.Errorf("the other record's publicity_ended_on %q", got)
			}
		})
	}
}
