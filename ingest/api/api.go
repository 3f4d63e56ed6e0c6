// Package api reads an external list from a JSON API: page/size
// pagination with a total, a next cursor or a next URL; records found at
// a JSON path; fields mapped from JSON paths to contract columns, with
// their date formats. It is strict about shape: a records path that is
// missing, a mapped key that no record carries, a page that is empty
// before the announced end or that repeats the previous one all fail the
// fetch, because a changed or broken source must never read as a list
// that got shorter.
//
// Transport (credentials, retries, rate limit, challenge detection) is
// ingest/fetch's.
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/zone"
	"golang.org/x/net/html"
)

// Pagination modes.
const (
	ByPage    = "page"     // page and size parameters, stop at the total
	ByCursor  = "cursor"   // an opaque cursor from each response
	ByNextURL = "next_url" // the URL of the next page from each response
)

// Pagination says how to walk the list.
type Pagination struct {
	Mode        string // ByPage, ByCursor or ByNextURL
	PageParam   string // ByPage: the page number parameter
	SizeParam   string // page size parameter (any mode; empty = not sent)
	Size        int
	FirstPage   int    // ByPage: number of the first page (1, sometimes 0)
	TotalPath   string // ByPage: JSON path of the total record count; empty = stop at a short page
	CursorParam string // ByCursor: the parameter the cursor is sent in
	CursorPath  string // ByCursor: JSON path of the next cursor; empty or null at the end
	NextPath    string // ByNextURL: JSON path of the next page's URL; empty or null at the end
}

// Field maps a JSON path in a record to a contract column.
type Field struct {
	Column string // contract column key
	Path   string // dotted path in the record: "PENDECNO", "subject.name", "items.0.date"
	// Format of a date field: "unix_ms" or "unix" (midnight timestamps,
	// read in Beijing time), a Go layout such as "2006/01/02", or empty
	// to leave the text to the contract's date parser.
	Format string
}

// Config describes one JSON source.
type Config struct {
	Name        string
	URL         string            // first page, without pagination parameters
	Query       map[string]string // fixed parameters sent with every page
	Auth        fetch.Auth
	Policy      fetch.Policy
	Pagination  Pagination
	RecordsPath string   // JSON path of the array of records
	StatusPath  string   // JSON path of the envelope's status; empty = none
	StatusOK    []string // values of StatusPath meaning success
	MessagePath string   // JSON path of the envelope's message, shown on failure
	Fields      []Field
	MaxPages    int // per Fetch; 0 = no cap
	Logger      *slog.Logger
	// Method is GET (default) or POST; a POST sends Query and the
	// pagination parameters in its body, as a form or as JSON
	// (BodyFormat "form" or "json").
	Method, BodyFormat string
	// Optional are mapped columns an interface may leave out of every
	// record of a page (it omits null keys). Any other mapped field
	// missing from a whole page, or a key field missing from any record,
	// is a changed layout.
	Optional []string
	// Skip are the checks this source switched off (probe), with their
	// reasons.
	Skip fetch.Skips
}

// Page is one page read. Records are aligned with Header: first the
// mapped contract columns, then the source's unmapped scalar fields,
// which the contract keeps as extra.
type Page struct {
	Number  int // 1-based position in the listing
	URL     string
	Status  int
	Body    []byte
	Header  []string
	Records [][]string
	Unused  []string // record fields no mapping uses
	Total   int      // as announced, -1 if not
	// Claimed is the number of records the source says the whole
	// listing holds (the total), -1 if it says none: a complete
	// snapshot must hold exactly that many distinct records.
	Claimed  int
	Next     string // resume token of the following page; "" at the end
	Attempts int
	// Encoding is the charset the body was read in; Mislabelled says how
	// its label was wrong, "" when it was right (see fetch.Decode).
	Encoding, Mislabelled string
}

// Client reads one source.
type Client struct {
	cfg    Config
	list   *contract.List
	http   *fetch.Client
	mapped []string
	strict []bool          // per field: must appear on every non-empty page
	key    []bool          // per field: part of the record's identity, must appear in every record
	extra  map[string]bool // unmapped key → may be kept as an extra column
	log    *slog.Logger
	// archive serves the answers of a past run instead of the network
	// (Replay); nil for a live fetch.
	archive fetch.Archive
}

// ErrConfig means the source's configuration cannot work.
var ErrConfig = errors.New("invalid API source configuration")

// New checks cfg against the list's contract and returns a client.
func New(cfg Config, list *contract.List) (*Client, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: source %s: %s", ErrConfig, cfg.Name, fmt.Sprintf(format, a...))
	}
	if _, err := url.ParseRequestURI(cfg.URL); err != nil || cfg.URL == "" {
		return nil, bad("url %q is not an absolute URL", fetch.RedactURL(cfg.URL, cfg.Auth))
	}
	if cfg.RecordsPath == "" {
		return nil, bad("records_path is required")
	}
	p := &cfg.Pagination
	switch strings.ToUpper(cfg.Method) {
	case "", "GET":
		cfg.Method = "GET"
	case "POST":
		cfg.Method = "POST"
		if cfg.BodyFormat == "" {
			cfg.BodyFormat = "form"
		}
		if cfg.BodyFormat != "form" && cfg.BodyFormat != "json" {
			return nil, bad("body_format %q: want form or json", cfg.BodyFormat)
		}
		if p.Mode == ByNextURL {
			return nil, bad("next_url pagination follows links with GET; method must be GET")
		}
	default:
		return nil, bad("method %q: want GET or POST", cfg.Method)
	}
	switch p.Mode {
	case ByPage:
		if p.PageParam == "" {
			return nil, bad("page pagination needs page_param")
		}
		if p.Size <= 0 {
			return nil, bad("page pagination needs page_size")
		}
	case ByCursor:
		if p.CursorParam == "" || p.CursorPath == "" {
			return nil, bad("cursor pagination needs cursor_param and cursor_path")
		}
	case ByNextURL:
		if p.NextPath == "" {
			return nil, bad("next_url pagination needs next_path")
		}
	default:
		return nil, bad("pagination %q: want %s, %s or %s", p.Mode, ByPage, ByCursor, ByNextURL)
	}
	c := &Client{cfg: cfg, list: list, extra: map[string]bool{}, log: cfg.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for _, f := range cfg.Fields {
		col, ok := list.Column(f.Column)
		if !ok {
			return nil, bad("field %s: list %s has no column %s", f.Path, list.Name, f.Column)
		}
		if f.Path == "" {
			return nil, bad("field %s has no path", f.Column)
		}
		c.mapped = append(c.mapped, f.Column)
		identity := f.Column == "name" || slices.Contains(list.Key, f.Column)
		c.key = append(c.key, identity || col.Required)
		c.strict = append(c.strict, identity || col.Required || !slices.Contains(cfg.Optional, f.Column))
	}
	for _, o := range cfg.Optional {
		if !slices.Contains(c.mapped, o) {
			return nil, bad("optional_fields: %s is not a mapped field", o)
		}
	}
	if _, err := list.Map(c.mapped); err != nil {
		return nil, bad("fields: %v", err)
	}
	c.http = fetch.New(cfg.Name, cfg.Policy, cfg.Auth, c.log)
	return c, nil
}

// Requests is the number of HTTP requests sent, retries included.
func (c *Client) Requests() int64 { return c.http.Requests() }

// position is where a listing stands; Fetch's resume token is its JSON.
type position struct {
	Page   int    `json:"page"`             // 1-based number of the next page
	Param  int    `json:"param,omitempty"`  // ByPage: its page parameter
	Cursor string `json:"cursor,omitempty"` // ByCursor
	URL    string `json:"url,omitempty"`    // ByNextURL
	Seen   int    `json:"seen,omitempty"`   // records before it
	Size   int    `json:"size,omitempty"`   // ByPage: the records page 1 held when fewer than asked for`
	Last   string `json:"last,omitempty"`   // hash of the page before it
	First  string `json:"first,omitempty"`  // hash of page 1
	// Probe: a page past the claimed total, asked for because the last
	// was full (ByPage).
	Probe bool `json:"probe,omitempty"`
}

// Fetch reads the listing from the resume token from ("" = the first
// page) and calls fn with every page, in order. It stops at the end of
// the listing (the last page's Next is ""), at the first error, or when
// MaxPages pages have been read (fetch.ErrPageCap: the listing goes on
// from the last page's Next). A *fetch.Error carries the page number.
func (c *Client) Fetch(ctx context.Context, from string, fn func(Page) error) error {
	return fetch.Paginate(ctx, c.cfg.Name, c.cfg.MaxPages, position{Page: 1, Param: c.cfg.Pagination.FirstPage}, from, c.page,
		func(p *Page, next string) { p.Next = next }, fn)
}

// Replay reads a listing as a past run received it — archived, its
// answers by page number, the pages that run handed on (raw_pages) —
// through the code Fetch runs, so that a replay ends the listing where
// the run did (a probe answered with page 1 again, or the last page) and
// refuses what the run would have refused.
func (c *Client) Replay(ctx context.Context, archived fetch.Archive, fn func(Page) error) error {
	r := *c
	r.archive = archived
	return r.Fetch(ctx, "", fn)
}

// PageNumber implements fetch.Position.
func (p position) PageNumber() int { return p.Page }

// Digest implements fetch.Position: the hash of the page before.
func (p position) Digest() string { return p.Last }

// page fetches and reads one page, and works out the next position.
func (c *Client) page(ctx context.Context, pos position) (Page, position, bool, error) {
	rq, err := c.request(pos)
	if err != nil {
		return Page{}, pos, false, err
	}
	u := rq.URL
	var doc any
	var dec fetch.Decoded
	check := func(r *fetch.Response) error {
		d, text, derr := decode(r.Body, r.Header.Get("Content-Type"))
		if derr != nil {
			return derr
		}
		doc, dec = d, text
		return c.envelope(doc)
	}
	var resp *fetch.Response
	if c.archive != nil {
		resp, err = c.archive.Get(c.http, pos.Page, check)
	} else {
		resp, err = c.http.Do(ctx, rq, check)
	}
	if err != nil {
		if pos.Probe && refusedPage(err) {
			// Past the claimed end, the source refused the page number
			// (HTTP 404, or 200 with its own error saying so: 页码超出范围):
			// the full last page was the last, as an empty answer says.
			return Page{Number: pos.Page, URL: resp.URL, Status: resp.Status, Total: -1, Claimed: -1, Attempts: resp.Attempts}, pos, true, nil
		}
		return Page{}, pos, false, err
	}
	failWith := func(hint string, sentinel error, format string, a ...any) (Page, position, bool, error) {
		return Page{}, pos, false, &fetch.Error{Source: c.cfg.Name, URL: resp.URL, Page: pos.Page, Status: resp.Status, Attempts: resp.Attempts,
			Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...)), Hint: hint, Response: resp}
	}
	fail := func(sentinel error, format string, a ...any) (Page, position, bool, error) {
		return failWith(fetch.HintFor(sentinel), sentinel, format, a...)
	}
	page := Page{Number: pos.Page, URL: resp.URL, Status: resp.Status, Body: resp.Body, Total: -1, Claimed: -1, Attempts: resp.Attempts,
		Encoding: dec.Encoding, Mislabelled: dec.Note()}

	raw, found := lookup(doc, c.cfg.RecordsPath)
	var items []any
	switch v := raw.(type) {
	case []any:
		items = v
	case nil:
		if !found {
			return fail(fetch.ErrLayout, "no records at %q", c.cfg.RecordsPath)
		}
	default:
		return fail(fetch.ErrLayout, "%q holds %T, not a list of records", c.cfg.RecordsPath, raw)
	}
	if err := c.records(&page, items); err != nil {
		if errors.As(err, new(notAValue)) {
			return failWith(hintNotAValue, fetch.ErrLayout, "%v", err)
		}
		return fail(fetch.ErrLayout, "%v", err)
	}
	hash := digest(page.Records)
	next := position{Page: pos.Page + 1, Seen: pos.Seen + len(items), Last: hash, Size: pos.Size, First: pos.First}
	if pos.Page == 1 {
		next.First = hash
	}
	p := c.cfg.Pagination
	if p.TotalPath != "" {
		total, err := c.total(doc)
		if err != nil {
			return fail(fetch.ErrLayout, "%v", err)
		}
		page.Total, page.Claimed = total, total
	}
	if p.Mode == ByPage && (pos.Probe || p.TotalPath != "" && pos.Seen >= page.Total && pos.Page > 1) {
		// A probe past the announced end, or past a page 1 shorter than
		// asked for (see below): nothing, or the last page again from an
		// API that clamps the page number, confirms the end. Anything
		// else is kept, and the snapshot's count check fails on it: the
		// total was wrong.
		if len(items) == 0 || hash == pos.Last || hash == pos.First {
			// Or page 1 again: interfaces that serve a page number past
			// the end as the first page (MyBatis-Plus with overflow on,
			// many CMSs).
			page.Records, page.Header = nil, nil
			return page, next, true, nil
		}
	}
	if len(items) > 0 && hash == pos.Last {
		return fail(fetch.ErrIncomplete, "page %d repeats page %d", pos.Page, pos.Page-1)
	}

	switch p.Mode {
	case ByPage:
		next.Param = pos.Param + 1
		if pos.Page == 1 && len(items) > 0 && len(items) < p.Size {
			// The page size the interface serves, which may be less
			// than the one asked for (a server capping it at 10). Page 1
			// is then full, even when it is the last: a server capping
			// size=50 at 10 whose total says 10 while 12 are listed
			// serves a page 1 that looks like the whole listing, and no
			// later page tells the cap from the end.
			next.Size = len(items)
		}
		// Full is as full as the first page was.
		size := p.Size
		if next.Size > 0 {
			size = min(size, next.Size)
		}
		probe := c.cfg.Skip.On(fetch.CheckProbe)
		if p.TotalPath == "" {
			// Without a total a short page ends the listing; a page 1
			// shorter than asked for may be the cap, and the page after
			// it says which.
			capped := pos.Page == 1 && next.Size > 0
			done := len(items) < size || capped && !probe
			next.Probe = capped && !done
			return page, next, done, nil
		}
		total := page.Total
		if next.Seen >= total {
			// A full last page may not be the last: a total that
			// understates the listing by a multiple of the page size
			// would otherwise pass every count check. One more page
			// settles it.
			done := len(items) < size || pos.Seen >= total || !probe
			next.Probe = !done
			return page, next, done, nil
		}
		if len(items) == 0 {
			return fail(fetch.ErrIncomplete, "page %d is empty after %d of %d records", pos.Page, pos.Seen, total)
		}
		return page, next, false, nil
	case ByCursor:
		v, _ := lookup(doc, p.CursorPath)
		cur := scalar(v)
		if cur == "" {
			return page, next, true, nil
		}
		if cur == pos.Cursor {
			return fail(fetch.ErrIncomplete, "page %d gives the cursor it was fetched with", pos.Page)
		}
		if len(items) == 0 {
			return fail(fetch.ErrIncomplete, "page %d is empty but a next cursor follows", pos.Page)
		}
		next.Cursor = cur
		return page, next, false, nil
	default:
		v, _ := lookup(doc, p.NextPath)
		link := scalar(v)
		if link == "" {
			return page, next, true, nil
		}
		base, _ := url.Parse(u)
		ref, err := url.Parse(link)
		if err != nil {
			return fail(fetch.ErrLayout, "next URL %q: %v", c.http.RedactURL(link), err)
		}
		abs := base.ResolveReference(ref)
		if q := abs.Query(); c.cfg.Auth.Query != "" && q.Has(c.cfg.Auth.Query) {
			// The credential is added to every request; a resume token
			// must not store it.
			q.Del(c.cfg.Auth.Query)
			abs.RawQuery = q.Encode()
		}
		if first, _ := url.Parse(c.cfg.URL); c.cfg.Auth.Sends() && !fetch.CredentialsMayFollow(first, abs) {
			// The next page would be asked for with the credentials, as
			// a redirect would be (fetch.ErrRedirect).
			return fail(fetch.ErrRedirect, "page %d links its next page to %s (%s); not followed: the source's credentials are sent to %s only, and a list served by another host is not the configured source's",
				pos.Page, abs.Host, c.http.RedactURL(abs.String()), first.Hostname())
		}
		if abs.String() == pos.URL {
			return fail(fetch.ErrIncomplete, "page %d links to itself", pos.Page)
		}
		if len(items) == 0 {
			return fail(fetch.ErrIncomplete, "page %d is empty but links to a next page", pos.Page)
		}
		next.URL = abs.String()
		return page, next, false, nil
	}
}

// total reads the configured total of a page. Whatever the paging, it is
// on every page: a renamed field would otherwise switch the count's proof
// off without a word. A negative one (-1: the interface did not count,
// as PageHelper answers with its count off) claims nothing and is no
// total.
func (c *Client) total(doc any) (int, error) {
	path := c.cfg.Pagination.TotalPath
	v, found := lookup(doc, path)
	total, ok := number(v, found)
	switch {
	case !found || v == nil:
		return 0, fmt.Errorf("no total at %q", path)
	case !ok:
		// There, but no count: quoted as sent, so that a site writing
		// its total in new words is told from one that dropped it.
		shown := scalar(v)
		if _, text := v.(string); text {
			shown = strconv.Quote(shown)
		}
		return 0, fmt.Errorf("the total at %q is %s, which is not a count of records", path, shown)
	case total < 0:
		return 0, fmt.Errorf("the total at %q is %d: the interface did not count the listing", path, total)
	}
	return total, nil
}

// request is the request for the page at pos: its URL, and for a POST
// the body that carries the query and pagination parameters.
func (c *Client) request(pos position) (fetch.Request, error) {
	u, err := c.pageURL(pos)
	if err != nil || c.cfg.Method != "POST" {
		return fetch.Request{URL: u}, err
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fetch.Request{}, err
	}
	params := parsed.Query()
	parsed.RawQuery = ""
	rq := fetch.Request{Method: "POST", URL: parsed.String()}
	if c.cfg.BodyFormat == "json" {
		body := map[string]any{}
		for k := range params {
			v := params.Get(k)
			// Page numbers and sizes are numbers in a JSON body.
			if n, err := strconv.Atoi(v); err == nil && (k == c.cfg.Pagination.PageParam || k == c.cfg.Pagination.SizeParam) {
				body[k] = n
			} else {
				body[k] = v
			}
		}
		rq.JSON = body
		return rq, nil
	}
	rq.Form = map[string]string{}
	for k := range params {
		rq.Form[k] = params.Get(k)
	}
	return rq, nil
}

func (c *Client) pageURL(pos position) (string, error) {
	raw := c.cfg.URL
	if c.cfg.Pagination.Mode == ByNextURL && pos.URL != "" {
		raw = pos.URL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s: url: %w", c.cfg.Name, err)
	}
	if c.cfg.Pagination.Mode == ByNextURL && pos.URL != "" {
		return u.String(), nil
	}
	q := u.Query()
	for k, v := range c.cfg.Query {
		q.Set(k, v)
	}
	p := c.cfg.Pagination
	if p.SizeParam != "" && p.Size > 0 {
		q.Set(p.SizeParam, strconv.Itoa(p.Size))
	}
	switch p.Mode {
	case ByPage:
		q.Set(p.PageParam, strconv.Itoa(pos.Param))
	case ByCursor:
		if pos.Cursor != "" {
			q.Set(p.CursorParam, pos.Cursor)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// decode checks a body's bytes against its charset and parses it. JSON
// is UTF-8 by its RFC, but gateways send GBK, labelled utf-8 or not at
// all: the bytes are decoded first (fetch.Decode), because encoding/json
// would silently turn every GBK character into U+FFFD. Anything but JSON
// is either a challenge page in disguise (a CAPTCHA served with 200) or a
// broken answer; the markers are looked for in the decoded text, since a
// GBK CAPTCHA page's 验证码 is not the UTF-8 bytes of 验证码.
func decode(body []byte, contentType string) (any, fetch.Decoded, error) {
	dec, cerr := fetch.Decode(body, contentType)
	text := dec.Text
	if cerr != nil {
		// Parsed only to tell a body cut short (malformed, retried) from
		// one whose bytes contradict their charset. A byte-order mark the
		// bytes contradict (UTF-8's over GBK) is no JSON either: read with
		// it, every such answer failed as "invalid character 'ï'".
		text = string(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")))
	} else {
		if inner, ok := jsonp(text); ok {
			text = inner
		}
		if doc, ok := parseDocument(text); ok {
			return doc, dec, nil
		}
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		if reason, ok := fetch.LooksLikeChallenge([]byte(text)); ok {
			return nil, dec, fmt.Errorf("%w: %s instead of JSON", fetch.ErrChallenge, reason)
		}
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '<' {
			return nil, dec, fmt.Errorf("%w: an HTML page instead of JSON", fetch.ErrLayout)
		}
		// A body cut short is malformed (and retried) before anything
		// else, even when the cut split a character.
		return nil, dec, fmt.Errorf("%w: %v", fetch.ErrMalformed, err)
	}
	if cerr != nil {
		return nil, dec, cerr
	}
	if d.More() {
		return nil, dec, fmt.Errorf("%w: data after the JSON document", fetch.ErrMalformed)
	}
	return doc, dec, nil
}

// jsonpCall is the opening of a JSONP answer: a function name (a dotted
// path such as jQuery.cb, or jQuery1124_1700000000000) and its bracket.
var jsonpCall = regexp.MustCompile(`^\s*(?:/\*\*/\s*)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\(`)

// jsonp unwraps a JSONP answer, callback({...}) or callback({...});, as
// interfaces written for browsers send whether or not a callback was
// asked for: the document is the call's one argument.
func jsonp(text string) (string, bool) {
	m := jsonpCall.FindStringIndex(text)
	if m == nil {
		return "", false
	}
	rest := strings.TrimRightFunc(text[m[1]:], unicode.IsSpace)
	rest = strings.TrimSuffix(rest, ";")
	rest = strings.TrimRightFunc(rest, unicode.IsSpace)
	inner, ok := strings.CutSuffix(rest, ")")
	if !ok {
		return "", false
	}
	inner = strings.TrimSpace(inner)
	if inner == "" || (inner[0] != '{' && inner[0] != '[') {
		return "", false
	}
	return inner, true
}

// envelope checks the API's own status field. A failure status is
// retried, as "系统繁忙" is the usual reason, unless it says the page is
// past the end (ownError). Whatever the status, an answer that says in
// its own words that it failed is that failure, reported with the site's
// message (ownFailure): gateways and rate limiters in front of an
// interface answer {"code":0,"success":false,"message":"访问过于频繁"},
// and interfaces answer a busy moment with their OK status and no
// records. Read as data, such an answer was an empty listing, or past a
// full last page the listing's end.
func (c *Client) envelope(doc any) error {
	withStatus := false
	if c.cfg.StatusPath != "" {
		if v, found := lookup(doc, c.cfg.StatusPath); found {
			status := scalar(v)
			if !slices.Contains(c.cfg.StatusOK, status) {
				msg := c.message(doc)
				return ownError(fmt.Errorf("%w: the source answered status %s %q", fetch.ErrStatus, status, msg), msg)
			}
			withStatus = true
		}
	}
	if msg, why, failed := c.ownFailure(doc, withStatus); failed {
		if c.cfg.StatusPath != "" && !withStatus {
			why += fmt.Sprintf(", without the status at %q", c.cfg.StatusPath)
		}
		return ownError(fmt.Errorf("%w: the source answered %s: %q", fetch.ErrStatus, why, msg), msg)
	}
	if c.cfg.StatusPath != "" && !withStatus {
		return fmt.Errorf("%w: no status at %q", fetch.ErrLayout, c.cfg.StatusPath)
	}
	return nil
}

// pastEnd is an interface's own failure saying that the page asked for
// lies past the listing's end: another try does not change it, and past
// a full last page it ends the listing (refusedPage).
type pastEnd struct{ error }

func (e pastEnd) Unwrap() error { return e.error }

// The words of an interface's failure message that say the page asked
// for is past the end (页码超出范围, 当前页超过总页数, 没有更多数据), and
// those that say the failure is passing (系统繁忙, 访问过于频繁, 请稍后再试,
// 访问页数超过限制), which win: a busy answer read as the end would end a
// listing whose total understates it, and the probe past a full last
// page is there to catch exactly that.
var (
	pastEndWords   = regexp.MustCompile(`(?i)(页码|页数|当前页|起始页|pageNum|pageNo|pageIndex|page)[^，,。；;！!]{0,6}(超出|超过|大于|越界|不存在|out of|exceed|too large)|超出(最大)?(范围|页)|最后一页|没有更多|无更多|(暂无|没有)(更多)?(数据|记录)|查询(结果)?为空|out of range|no more (data|records|pages)`)
	transientWords = fetch.TransientNotice
)

// ownError is an interface's own failure with message msg: past the end
// when the message says so, else worth another try.
func ownError(err error, msg string) error {
	if pastEndWords.MatchString(msg) && !transientWords.MatchString(msg) {
		return pastEnd{err}
	}
	return fetch.Retryable(err)
}

// successFlags are the fields in which interfaces say, beside a status
// code or instead of one, whether a call succeeded; messageFields those
// that carry its message.
var (
	successFlags  = []string{"success", "ok"}
	messageFields = []string{"message", "msg", "errmsg", "errMsg", "errorMsg", "error_msg", "errorMessage", "error"}
)

// ownFailure reports whether an answer says in its own words that the
// call failed, and how: a success flag that is false, whatever the
// status says; no records with a message saying the failure is passing
// (fetch.TransientNotice: 系统繁忙, 访问过于频繁), which no listing's
// end or empty listing says; and, in an answer without its status
// (withStatus false), a message in place of the records. A success flag
// that is true, or records, are no failure.
func (c *Client) ownFailure(doc any, withStatus bool) (msg, why string, failed bool) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return "", "", false
	}
	msg = c.message(doc)
	flag := ""
	for _, f := range successFlags {
		if v, ok := obj[f]; ok {
			flag = scalar(v)
			break
		}
	}
	if flag == "false" {
		return msg, "that it failed (success false)", true
	}
	raw, found := lookup(doc, c.cfg.RecordsPath)
	if items, _ := raw.([]any); len(items) == 0 && transientWords.MatchString(msg) {
		return msg, "no records, saying the failure is passing", true
	}
	if flag == "" && !withStatus && !found && msg != "" {
		return msg, "that it failed", true
	}
	return msg, "", false
}

// message is an answer's message, the source's credentials redacted:
// at message_path, else in a field interfaces commonly name so. It is
// redacted here, as the site wrote it, because every use quotes it (%q
// doubles the \ of a \/ the site wrote) and a decoded message may hold
// a spelling its raw answer hid; a replayed answer (Replay) may also
// have been stored before its spelling was known.
func (c *Client) message(doc any) string {
	return c.http.Redact(c.rawMessage(doc))
}

func (c *Client) rawMessage(doc any) string {
	if c.cfg.MessagePath != "" {
		if v, ok := lookup(doc, c.cfg.MessagePath); ok && scalar(v) != "" {
			return scalar(v)
		}
	}
	obj, _ := doc.(map[string]any)
	for _, f := range messageFields {
		if s, ok := obj[f].(string); ok && strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// records maps the page's items to fields, and checks that every strict
// field was present in at least one record: a key that vanished from a
// whole page means the source renamed it.
func (c *Client) records(page *Page, items []any) error {
	present := make([]int, len(c.cfg.Fields))
	unused := map[string]bool{}
	var extraKeys []string
	type rec struct {
		mapped []string
		obj    map[string]any
	}
	recs := make([]rec, 0, len(items))
	for i, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return fmt.Errorf("record %d is %T, not an object", i+1, it)
		}
		used := map[string]bool{}
		fields := make([]string, len(c.cfg.Fields))
		for fi, f := range c.cfg.Fields {
			v, found := lookup(obj, f.Path)
			if !found {
				if c.key[fi] {
					return fmt.Errorf("record %d has no %s (for %s); its keys are %s", i+1, f.Path, f.Column, keysOf(it))
				}
				continue
			}
			if emptyListOrObject(v) {
				// PHP's json_encode writes a missing value kept as an
				// empty array so ([]): none, as null is.
				v = nil
			}
			if err := valueOf(i+1, f, v); err != nil {
				return err
			}
			present[fi]++
			top, _, _ := strings.Cut(f.Path, ".")
			used[top] = true
			fields[fi] = c.format(f, v)
		}
		for k := range obj {
			if !used[k] && !unused[k] {
				unused[k] = true
				if c.keepExtra(k) {
					extraKeys = append(extraKeys, k)
				}
			}
		}
		recs = append(recs, rec{fields, obj})
	}
	if len(items) > 0 {
		for fi, f := range c.cfg.Fields {
			if c.strict[fi] && present[fi] == 0 {
				return fmt.Errorf("field %s (for %s) is in none of the %d records; the record keys are %s", f.Path, f.Column, len(items), keysOf(items[0]))
			}
		}
	}
	sort.Strings(extraKeys)
	page.Header = append(append([]string{}, c.mapped...), extraKeys...)
	for _, r := range recs {
		row := r.mapped
		for _, k := range extraKeys {
			row = append(row, extraText(r.obj[k]))
		}
		page.Records = append(page.Records, row)
	}
	for k := range unused {
		page.Unused = append(page.Unused, k)
	}
	sort.Strings(page.Unused)
	return nil
}

// notAValue is a mapped field that holds a list or an object where the
// mapping reads a value (a name, a date, a key): the interface changed
// how it writes the field, as a Jackson or Gson upgrade does
// ("cf_xdr_mc":["…公司"], "cf_nr":{"fk":"罚款5000元"}). Written out as
// JSON text, such a value replaced every good name and content as a
// modification, without a word, while the same in the USCC was rejected
// record by record as an invalid code: one rule for every mapped field,
// key or not, that the page's layout changed.
type notAValue struct {
	record int
	field  Field
	value  any
}

func (e notAValue) Error() string {
	what, inside := "a list", e.field.Path+".0"
	if obj, ok := e.value.(map[string]any); ok {
		what, inside = "an object", e.field.Path+".KEY"
		if keys := keysOf(obj); keys != "" {
			what += " (keys " + keys + ")"
			first, _, _ := strings.Cut(keys, ", ")
			inside = e.field.Path + "." + first
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // shown as the site wrote it: <, > and & as they are
	enc.Encode(e.value)
	shown := strings.TrimSpace(b.String())
	if r := []rune(shown); len(r) > 80 {
		shown = string(r[:80]) + "…"
	}
	return fmt.Sprintf("record %d: %s (for %s) holds %s, %s, where the mapping reads a value; if the value is inside it, map %s to it (%s)",
		e.record, e.field.Path, e.field.Column, what, shown, e.field.Column, inside)
}

// hintNotAValue is what a person can do about notAValue.
const hintNotAValue = "the interface now writes this field as a list or an object where it wrote a value (an upgrade of the site's JSON library does this); nothing of the snapshot was loaded or removed, and the source stays as it was. Check a page kept in raw_pages: if the value is inside, point the field's path at it (an item of a list by its index, a key of an object by its name), else ask the site"

// emptyListOrObject reports whether v is [] or {}.
func emptyListOrObject(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// valueOf checks that record's value v of field f is a value (text, a
// number, a boolean, or null), not a list or an object.
func valueOf(record int, f Field, v any) error {
	switch v.(type) {
	case []any, map[string]any:
		return notAValue{record: record, field: f, value: v}
	}
	return nil
}

// keepExtra reports whether an unmapped key can ride along as an extra
// column: not when the contract would read it as one of its own columns
// (an unmapped "name" beside a mapped ENTNAME, or a "reason" the
// configuration chose not to map), which would map what the
// configuration left out.
func (c *Client) keepExtra(key string) bool {
	ok, seen := c.extra[key]
	if !seen {
		m, err := c.list.Map(append(append([]string{}, c.mapped...), key))
		ok = err == nil && slices.Contains(m.Extra(), key)
		c.extra[key] = ok
	}
	return ok
}

func (c *Client) format(f Field, v any) string {
	s := scalar(v)
	if _, text := v.(string); text {
		s = markupText(s)
	}
	if s == "" || f.Format == "" {
		return s
	}
	switch f.Format {
	case "unix_ms", "unix":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return s // the contract rejects it with the value shown
		}
		if n == 0 {
			// The epoch is how Java services write a date they do not
			// have (new Date(0)); 1970-01-01 is no date of these lists.
			return ""
		}
		t := time.Unix(n, 0)
		if f.Format == "unix_ms" {
			if n > -1e11 && n < 1e11 {
				// Seconds where milliseconds were configured (1e11 ms is
				// March 1973): read as milliseconds, every date would be
				// in January 1970. Left as it is, for the contract to
				// reject with the value shown.
				return s
			}
			t = time.UnixMilli(n)
		}
		return t.In(zone.Shanghai).Format(time.DateOnly)
	}
	t, err := time.Parse(f.Format, s)
	if err != nil {
		return s
	}
	if strings.Contains(f.Format, "Z07") || strings.Contains(f.Format, "-07") || strings.Contains(f.Format, "MST") {
		// A value with its zone is an instant, as an epoch is: its date
		// is Xuchang's (transform.ParseDate reads one so too).
		t = t.In(zone.Shanghai)
	}
	return t.Format(time.DateOnly)
}

// lookup follows a dotted path through objects and arrays.
func lookup(doc any, path string) (any, bool) {
	if path == "" {
		return doc, true
	}
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func extraText(v any) string { return scalar(v) }

// markup finds what makes a JSON text HTML: a tag or an entity.
var markup = regexp.MustCompile(`<[a-zA-Z/!][^>]*>|&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)

// markupText is the text of a JSON value written as HTML, as the page
// that shows it would: interfaces behind search pages send names with
// their highlighting (<font color='red'>许昌</font>人力…) and entities
// (&amp;, &nbsp;). Tags go, entities are decoded, the contents of scripts
// and styles are no text. A value without markup is left as it is (a
// name with a bare & or < stays).
func markupText(s string) string {
	if !strings.ContainsAny(s, "<&") || !markup.MatchString(s) {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if !skip {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			skip = string(name) == "script" || string(name) == "style"
		case html.EndTagToken:
			skip = false
		}
	}
}

// refusedPage reports a source refusing a page number: an HTTP status
// saying there is no such page, or a 200 carrying the interface's own
// failure saying the page is past the end (页码超出范围). Any other
// failure of its own (系统繁忙), server errors, challenges and broken
// answers are not refusals: retried and then failing a probe as any page,
// they leave the listing's end unproven.
func refusedPage(err error) bool {
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Response == nil {
		return false
	}
	switch fe.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusGone, http.StatusRequestedRangeNotSatisfiable, http.StatusUnprocessableEntity:
		return true
	case http.StatusOK:
		var end pastEnd
		return errors.As(err, &end)
	}
	return false
}

func number(v any, found bool) (int, bool) {
	if !found {
		return 0, false
	}
	var text string
	switch x := v.(type) {
	case json.Number:
		text = string(x)
	case string:
		text = countText(x)
	default:
		return 0, false
	}
	if n, err := strconv.Atoi(text); err == nil {
		return n, true
	}
	// A count a serializer wrote as a float (12.0, 1.2e1) is the count;
	// one with a fraction, or past what a float holds exactly, is none.
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
}

// countWords are what a site writes around a count in a string total
// ("共45条", "45条记录", "总计 1,234 家"): the count of records, said in
// words. A page count (共5页) is none of them and stays no total.
var countWords = regexp.MustCompile(`^(?:共有|共计|总计|合计|总共|共)?\s*([0-9][0-9,]*)\s*(?:条记录|条数据|条|项|家|个|笔|户)?$`)

// groupedDigits is a count written with thousands separators, each group
// of three: "1,234" is 1234, "1,23" is no count.
var groupedDigits = regexp.MustCompile(`^[0-9]{1,3}(?:,[0-9]{3})+$`)

// countText is a string total as digits when it is a count said in words
// or written with full-width digits or thousands separators, else the
// text trimmed (which then parses as a number or is no total).
func countText(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '，':
			return ','
		case r == '\u3000':
			return ' '
		}
		return r
	}, s))
	m := countWords.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	digits := m[1]
	if strings.Contains(digits, ",") {
		if !groupedDigits.MatchString(digits) {
			return s
		}
		digits = strings.ReplaceAll(digits, ",", "")
	}
	return digits
}

func keysOf(item any) string {
	obj, _ := item.(map[string]any)
	var ks []string
	for k := range obj {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func digest(records [][]string) string {
	// The fields go to the hash through one small buffer: writing each
	// field to the hash converted (copied) it first.
	h := sha256.New()
	b := make([]byte, 0, 4096)
	for _, r := range records {
		for _, f := range r {
			if len(b)+len(f)+1 > cap(b) {
				h.Write(b)
				b = b[:0]
			}
			if len(f)+1 > cap(b) {
				h.Write([]byte(f)) // longer than the buffer
				b = append(b, 0x1f)
				continue
			}
			b = append(append(b, f...), 0x1f)
		}
		if len(b) == cap(b) {
			h.Write(b)
			b = b[:0]
		}
		b = append(b, 0x1e)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:12])
}
