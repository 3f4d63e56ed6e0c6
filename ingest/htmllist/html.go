// Package htmllist reads an external list from the list pages of a website:
// rows found by a CSS selector, their cells named by the table's header
// texts (the contract knows the Chinese column names) or by selectors,
// pages walked by their next link or by a page-number URL template.
// Pages are decoded by their declared charset (GB2312, GBK and GB18030
// all with GB18030) and cell text is NFKC-normalised, so full-width
// names and digits read as their ASCII forms.
//
// Selectors are strict, as in zavod: a page whose row selector matches
// nothing, a row with the wrong number of cells or a cell selector that
// does not match exactly once fails loudly with "expected N, got M". A
// site that changed its layout, or a CAPTCHA page served with 200, must
// never read as an empty list.
package htmllist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Config describes one website listing.
type Config struct {
	Name string
	URL  string // the first page
	// PageTemplate fetches pages by number instead of following links:
	// "https://…/list.html?page={page}". It needs PageCountSelector or
	// EmptyText to know where the listing ends.
	PageTemplate string
	FirstPage    int    // number of the first page for PageTemplate; default 1
	RowSelector  string // one element per record, e.g. "table.list tbody tr"
	// HeaderSelector finds the header cells; their texts are matched to
	// contract columns by Chinese name or alias (主体名称, 统一社会信用代码 …).
	HeaderSelector string
	// Headers names columns the contract does not know by these texts:
	// contract column → header text as on the page.
	Headers map[string]string
	// Cells reads columns by selectors inside each row instead of by
	// header: contract column → selector (e.g. "td:nth-child(2)").
	Cells map[string]string
	// NextSelector finds the link to the next page; no match = last page.
	NextSelector string
	// FirstPageURL, with PageTemplate, is page 1 when it is named
	// differently from the others, as common government CMSs do
	// (index.html, then index_1.html, index_2.html …): the template then
	// serves page 2 on, numbered from FirstPage.
	FirstPageURL string
	// PageCountSelector finds the text stating the number of pages
	// (共37页). When set it must be on every page: a page without it is
	// truncated, and a listing that ends before the count is incomplete.
	PageCountSelector string
	// PageCountPattern reads the page count from that text: a regular
	// expression whose first group is the number. Default 共\s*(\d+)\s*页,
	// falling back to the only number in the text.
	PageCountPattern string
	// RecordCountSelector finds the text stating how many records the
	// whole listing has (共46条记录); when set it must be on every page,
	// and a complete snapshot must hold exactly that many records.
	RecordCountSelector string
	// RecordCountPattern reads that number; default 共\s*(\d+)\s*条,
	// falling back to the only number in the text.
	RecordCountPattern string
	// EmptyText is what the site shows for no records (暂无数据); a row
	// holding it is not a record, and a page showing it ends a
	// PageTemplate listing.
	EmptyText string
	// Skip are the checks of the pager's claims this source switched off
	// (page_count, page_size, current_page, probe), with their reasons.
	Skip fetch.Skips
	// Previous is the number of records the source's last complete
	// snapshot held, 0 if none. A page 1 that is the last, states no page
	// size and holds fewer is asked for page 2 before the listing ends
	// there: a pager that understates the listing to fit one page (共3条
	// 第1/1页 while 4 are listed) agrees with its rows, and nothing else
	// tells whether that page was full.
	Previous int
	// Auth is the credential every page is asked for with, as an API
	// source's: it goes to the configured host only (a redirect or a
	// next link elsewhere fails the page) and is never shown.
	Auth     fetch.Auth
	Policy   fetch.Policy
	MaxPages int // per Fetch; 0 = no cap
	Logger   *slog.Logger
}

// Page is one page read; Records are aligned with Header.
type Page struct {
	Number   int
	URL      string
	Status   int
	Body     []byte // as received, before decoding
	Encoding string
	// Mislabelled says how the page's charset label was wrong ("" when
	// it was right): the bytes were checked and read in Encoding.
	Mislabelled string
	Header      []string
	Records     [][]string
	Unused      []string // header texts the contract and Headers do not map
	Total       int      // pages announced, -1 if not
	// Current is the page number the page claims for itself (页次 3/5),
	// Size the records a page claims to hold (每页10条); -1 if not.
	Current, Size int
	Claimed       int    // records announced for the whole listing, -1 if not
	Next          string // resume token of the following page; "" at the end
	Attempts      int
}

// ErrConfig means the source's configuration cannot work.
var ErrConfig = errors.New("invalid HTML source configuration")

// Client reads one website listing.
type Client struct {
	cfg   Config
	list  *contract.List
	http  *fetch.Client
	cells []string // Cells mode: the columns, in contract order
	// pageCount and recordCount read the announced counts.
	pageCount, recordCount *regexp.Regexp
	log                    *slog.Logger
	// archive serves the answers of a past run instead of the network
	// (Replay); nil for a live fetch.
	archive fetch.Archive
}

// New checks cfg and returns a client for list.
func New(cfg Config, list *contract.List) (*Client, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: source %s: %s", ErrConfig, cfg.Name, fmt.Sprintf(format, a...))
	}
	if u, err := url.Parse(cfg.URL); err != nil || !u.IsAbs() {
		if cfg.PageTemplate == "" {
			return nil, bad("url %q is not an absolute URL", fetch.RedactURL(cfg.URL, cfg.Auth))
		}
	}
	if cfg.RowSelector == "" {
		return nil, bad("row_selector is required")
	}
	if len(cfg.Cells) == 0 && cfg.HeaderSelector == "" {
		return nil, bad("name the columns with header_selector or cells")
	}
	if cfg.PageTemplate != "" && !strings.Contains(cfg.PageTemplate, "{page}") {
		return nil, bad("page_template %q has no {page}", cfg.PageTemplate)
	}
	if cfg.PageTemplate != "" && cfg.PageCountSelector == "" && cfg.EmptyText == "" {
		return nil, bad("page_template needs page_count_selector or empty_text to know where the listing ends")
	}
	if cfg.PageTemplate == "" && cfg.NextSelector == "" {
		return nil, bad("set next_selector or page_template")
	}
	if cfg.FirstPage == 0 {
		cfg.FirstPage = 1
	}
	if cfg.FirstPageURL != "" && cfg.PageTemplate == "" {
		return nil, bad("first_page_url goes with page_template")
	}
	for _, sel := range []string{cfg.RowSelector, cfg.HeaderSelector, cfg.NextSelector, cfg.PageCountSelector, cfg.RecordCountSelector} {
		if err := checkSelector(sel); err != nil {
			return nil, bad("selector %q: %v", sel, err)
		}
	}
	c := &Client{cfg: cfg, list: list, log: cfg.Logger}
	var err error
	if c.pageCount, err = countPattern(cfg.PageCountPattern, `共\s*`+number+`\s*页`); err != nil {
		return nil, bad("page_count_pattern: %v", err)
	}
	if c.recordCount, err = countPattern(cfg.RecordCountPattern, `共\s*`+number+`\s*条`); err != nil {
		return nil, bad("record_count_pattern: %v", err)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for key, sel := range cfg.Cells {
		if _, ok := list.Column(key); !ok {
			return nil, bad("cells: list %s has no column %s", list.Name, key)
		}
		if err := checkSelector(sel); err != nil {
			return nil, bad("cells.%s %q: %v", key, sel, err)
		}
	}
	for key := range cfg.Headers {
		if _, ok := list.Column(key); !ok {
			return nil, bad("headers: list %s has no column %s", list.Name, key)
		}
	}
	if len(cfg.Cells) > 0 {
		for _, col := range list.Columns {
			if _, ok := cfg.Cells[col.Key]; ok {
				c.cells = append(c.cells, col.Key)
			}
		}
		if _, err := list.Map(c.cells); err != nil {
			return nil, bad("cells: %v", err)
		}
	}
	c.http = fetch.New(cfg.Name, cfg.Policy, cfg.Auth, c.log)
	return c, nil
}

// countPattern compiles a count pattern, which must capture the number
// in its first group.
func countPattern(pattern, def string) (*regexp.Regexp, error) {
	if pattern == "" {
		pattern = def
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if re.NumSubexp() < 1 {
		return nil, fmt.Errorf("%q has no group capturing the number", pattern)
	}
	return re, nil
}

// count reads an announced number from text: the pattern's group, or
// else the only number the text holds ("共37页" styled differently).
func count(re *regexp.Regexp, text string) (int, bool) {
	text = transform.NormalizeText(text)
	if m := re.FindStringSubmatch(text); m != nil {
		n, err := atoi(strings.TrimSpace(m[1]))
		return n, err == nil
	}
	if all := numbers.FindAllString(text, -1); len(all) == 1 {
		n, err := atoi(all[0])
		return n, err == nil
	}
	return 0, false
}

// checkSelector parses a selector up front: goquery treats an invalid
// one as matching nothing, which would surface later as a puzzling
// "got 0".
func checkSelector(sel string) error {
	if sel == "" {
		return nil
	}
	_, err := cascadia.ParseGroup(sel)
	return err
}

// Requests is the number of HTTP requests sent, retries included.
func (c *Client) Requests() int64 { return c.http.Requests() }

type position struct {
	Page  int    `json:"page"`            // 1-based number of the next page
	URL   string `json:"url,omitempty"`   // next-link mode
	Param int    `json:"param,omitempty"` // template mode
	Pages int    `json:"pages,omitempty"` // page count announced so far
	Last  string `json:"last,omitempty"`  // hash of the page before
	First string `json:"first,omitempty"` // hash of page 1
	Prev  string `json:"prev,omitempty"`  // next-link mode: the URL of the page before
	Size  int    `json:"size,omitempty"`  // records of a full page, claimed or seen on a page before the last
	Probe bool   `json:"probe,omitempty"` // a page past the claimed end, fetched because the last was full
	// Stated are the claims the pages before stated (stated's bits):
	// every page of a listing prints the same pager.
	Stated int `json:"stated,omitempty"`
	// Notices are the words of a passing failure (fetch.TransientNotice)
	// the listing's own pages show — a footer's 网站维护：信息中心 — which
	// on a page past the end say nothing of the site's state.
	Notices []string `json:"notices,omitempty"`
}

// noticesOf returns known with the passing-failure words text shows
// added, and those of them known does not hold.
func noticesOf(known []string, text string) (all, fresh []string) {
	all = slices.Clone(known)
	for _, w := range fetch.TransientNotice.FindAllString(text, -1) {
		if !slices.Contains(all, w) {
			all = append(all, w)
			fresh = append(fresh, w)
		}
	}
	return all, fresh
}

// pagerClaims are the claims a page may state, each a bit of
// position.Stated.
var pagerClaims = []struct {
	name string
	of   func(Page) int // -1 when the page does not state it
}{
	{"the page count", func(p Page) int { return p.Total }},
	{"the record count", func(p Page) int { return p.Claimed }},
	{"the current page", func(p Page) int { return p.Current }},
}

// stated are the claims page states, as bits.
func stated(page Page) (bits int) {
	for i, c := range pagerClaims {
		if c.of(page) >= 0 {
			bits |= 1 << i
		}
	}
	return bits
}

// missingClaims names the claims in want a page does not state.
func missingClaims(want int, page Page) []string {
	var out []string
	for i, c := range pagerClaims {
		if want&(1<<i) != 0 && c.of(page) < 0 {
			out = append(out, c.name)
		}
	}
	return out
}

// Fetch reads the listing from the resume token from ("" = the first
// page) and calls fn with every page, as ingest/api's Fetch does.
func (c *Client) Fetch(ctx context.Context, from string, fn func(Page) error) error {
	return fetch.Paginate(ctx, c.cfg.Name, c.cfg.MaxPages, position{Page: 1, URL: c.cfg.URL, Param: c.cfg.FirstPage}, from, c.page,
		func(p *Page, next string) { p.Next = next }, fn)
}

// Replay reads a listing as a past run received it — archived, its
// answers by page number, the pages that run handed on (raw_pages) —
// through the code Fetch runs, so that a replay ends the listing where
// the run did (a page 1 served again past the end, the last page again)
// and refuses what the run would have refused.
func (c *Client) Replay(ctx context.Context, archived fetch.Archive, fn func(Page) error) error {
	r := *c
	r.archive = archived
	return r.Fetch(ctx, "", fn)
}

// get asks for the page at pos, from the site or, replaying, from the
// archive.
func (c *Client) get(ctx context.Context, pos position, u string) (*fetch.Response, error) {
	if c.archive == nil {
		return c.http.Get(ctx, u, whole)
	}
	return c.archive.Get(c.http, pos.Page, whole)
}

// whole refuses a page cut short in transfer, to have it asked for
// again: a body whose end the connection's close marks (no
// Content-Length) reads whole however early it was cut. Cut inside a
// row, the parser closes the row and the table, and the row short of
// cells read as a layout change; cut between rows, the missing pager
// tells (the pages before it stated it).
func whole(r *fetch.Response) error {
	if cutShort(r.Body) {
		return fetch.Retryable(fmt.Errorf("%w: the page was cut short: it ends inside a table (a <table> is never closed, and the page has no </html>)", fetch.ErrIncomplete))
	}
	return nil
}

// cutShort reports a document that ends inside a table: a <table> is
// never closed, and no </html> follows it. A page the server sent whole
// ends with its </html>, which no cut leaves; pages written by hand that
// leave a table open mostly close the document.
func cutShort(body []byte) bool {
	z := html.NewTokenizer(bytes.NewReader(body))
	open, closed := 0, false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return open > 0 && !closed
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "table" {
				open++
				closed = false
			}
		case html.EndTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "table":
				open = max(open-1, 0)
			case "html":
				closed = true
			}
		}
	}
}

// PageNumber implements fetch.Position.
func (p position) PageNumber() int { return p.Page }

// Digest implements fetch.Position: the hash of the page before.
func (p position) Digest() string { return p.Last }

var numbers = regexp.MustCompile(number)

func (c *Client) page(ctx context.Context, pos position) (Page, position, bool, error) {
	u := pos.URL
	switch {
	case c.cfg.FirstPageURL != "" && pos.Page == 1:
		u = c.cfg.FirstPageURL
	case c.cfg.FirstPageURL != "":
		u = strings.ReplaceAll(c.cfg.PageTemplate, "{page}", strconv.Itoa(c.cfg.FirstPage+pos.Page-2))
	case c.cfg.PageTemplate != "":
		u = strings.ReplaceAll(c.cfg.PageTemplate, "{page}", strconv.Itoa(pos.Param))
	}
	resp, err := c.get(ctx, pos, u)
	var fe *fetch.Error
	if pos.Probe && errors.As(err, &fe) && fe.Status == http.StatusNotFound {
		return Page{Number: pos.Page, URL: fe.URL, Status: fe.Status, Total: -1, Claimed: -1, Current: -1, Size: -1}, pos, true, nil
	}
	if err != nil {
		return Page{}, pos, false, err
	}
	fail := func(sentinel error, format string, a ...any) (Page, position, bool, error) {
		return Page{}, pos, false, &fetch.Error{Source: c.cfg.Name, URL: resp.URL, Page: pos.Page, Status: resp.Status, Attempts: resp.Attempts,
			Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...)), Hint: fetch.HintFor(sentinel), Response: resp}
	}
	page, doc, empty, err := c.parse(pos.Page, resp.Body, resp.Header.Get("Content-Type"))
	if pos.Probe && (empty || errors.Is(err, errNoRows) || errors.Is(err, errEmptyNoPager)) {
		// Nothing past the claimed end: the full last page was the last,
		// whether or not the empty page prints the pager.
		// (A page without the listing's header — a home page a probe
		// was redirected to, a maintenance notice — says nothing of
		// where the listing ends, and fails the snapshot; so does the
		// listing's page saying, beside its empty table, that the site
		// is busy: 系统繁忙，请稍后再试 is no end.)
		if _, fresh := noticesOf(pos.Notices, c.shownText(resp.Body, resp.Header.Get("Content-Type"))); len(fresh) > 0 {
			return fail(fetch.ErrIncomplete, "page %d, past the last full page, shows no rows and says %q, which the listing's pages did not: the site failed there, so where the listing ends is unknown", pos.Page, strings.Join(fresh, "、"))
		}
		return Page{Number: pos.Page, URL: resp.URL, Status: resp.Status, Body: resp.Body, Total: -1, Claimed: -1, Current: -1, Size: -1}, pos, true, nil
	}
	if err != nil {
		return Page{}, pos, false, &fetch.Error{Source: c.cfg.Name, URL: resp.URL, Page: pos.Page, Status: resp.Status, Attempts: resp.Attempts,
			Err: err, Hint: fetch.HintFor(err), Response: resp}
	}
	page.URL, page.Status, page.Attempts = resp.URL, resp.Status, resp.Attempts
	rows := len(page.Records)
	hash := c.digest(page)
	if pos.Probe && rows > 0 && (hash == pos.Last || hash == pos.First) {
		// A site that clamps the page number serves its last page again,
		// or, past the end, its first (MyBatis-Plus with overflow on, many
		// CMSs).
		return Page{Number: pos.Page, URL: resp.URL, Status: resp.Status, Body: resp.Body, Total: -1, Claimed: -1, Current: -1, Size: -1}, pos, true, nil
	}
	// The pager is printed after the rows: a page cut short in transfer
	// (a connection closed mid-page reads as a whole shorter body) loses
	// it with its last rows, and would otherwise pass for a short last
	// page.
	if missing := missingClaims(pos.Stated, page); len(missing) > 0 {
		return fail(fetch.ErrIncomplete, "page %d does not state %s, as the pages before it did: it was cut short, or is not a page of the listing", pos.Page, strings.Join(missing, " or "))
	}
	bits := stated(page)
	if err := c.agree(page, &pos, rows); err != nil {
		return fail(fetch.ErrClaims, "%v", err)
	}
	if rows > 0 && hash == pos.Last {
		if pos.Pages == 0 {
			// No page count: a site that clamps the page number, or a
			// 下一页 still linking on the last page, serves the last page
			// again. The listing ends there; without a stated record count
			// it removes nothing (docs/sync.md §4), with one the count
			// settles whether it was whole.
			return Page{Number: pos.Page, URL: resp.URL, Status: resp.Status, Body: resp.Body, Total: -1, Claimed: -1, Current: -1, Size: -1}, pos, true, nil
		}
		return fail(fetch.ErrIncomplete, "page %d repeats page %d", pos.Page, pos.Page-1)
	}
	// A page the pager counts holds records: an empty one among them (the
	// last too) is a page the site failed to fill, not the listing's end.
	if empty && pos.Pages > 1 && pos.Page <= pos.Pages {
		return fail(fetch.ErrIncomplete, "page %d of %d is empty", pos.Page, pos.Pages)
	}
	next := position{Page: pos.Page + 1, Param: pos.Param + 1, Pages: pos.Pages, Last: hash, Size: pos.Size, Stated: pos.Stated | bits, First: pos.First}
	next.Notices, _ = noticesOf(pos.Notices, visibleText(doc.Selection))
	if pos.Page == 1 {
		next.First = hash
	}
	// A full last page may not be the last: claims that understate the
	// listing by a page agree with each other and with the rows. One
	// more page settles it, as the API client does. A lone page 1 whose
	// size nothing states may be full too, when it holds fewer records
	// than the last complete snapshot did.
	full := c.cfg.Skip.On(fetch.CheckProbe) &&
		(pos.Size > 0 && rows >= pos.Size || pos.Size == 0 && pos.Page == 1 && rows > 0 && rows < c.cfg.Previous)

	if c.cfg.PageTemplate != "" {
		switch {
		case pos.Pages > 0:
			if pos.Page >= pos.Pages {
				next.Probe = full
				return page, next, !full, nil
			}
			if empty {
				return fail(fetch.ErrIncomplete, "page %d of %d is empty", pos.Page, pos.Pages)
			}
		case empty:
			return page, next, true, nil
		}
		// No page count: the next page may lie past the end, and a 404,
		// a page without the table or the last page again says so, as
		// after a full last page.
		next.Probe = pos.Pages == 0 || next.Probe
		return page, next, false, nil
	}
	link, ok := doc.Find(c.cfg.NextSelector).First().Attr("href")
	link = strings.TrimSpace(link)
	base, _ := url.Parse(u)
	ref, err := url.Parse(link)
	if err != nil {
		return fail(fetch.ErrLayout, "next link %q: %v", c.http.RedactURL(link), err)
	}
	target := base.ResolveReference(ref)
	target.Fragment, target.RawFragment = "", ""
	// A 下一页 that leads back to this page (href="#", or the page's own
	// address, as pagers clamped at their end write it) links nowhere
	// further: the last page's disabled link.
	if !ok || link == "" || strings.HasPrefix(link, "javascript:") || sameURL(target, base) {
		if pos.Pages > 0 && pos.Page < pos.Pages {
			return fail(fetch.ErrIncomplete, "no next link on page %d of %d", pos.Page, pos.Pages)
		}
		if full && pos.URL != "" && pos.Prev != "" {
			if u, ok := successor(pos.Prev, u); ok {
				next.URL, next.Prev, next.Probe = u, u, true
				return page, next, false, nil
			}
		}
		return page, next, true, nil
	}
	if pos.Pages > 0 && pos.Page >= pos.Pages {
		return fail(fetch.ErrClaims, "page %d links to a next page, but the pages claim %d pages", pos.Page, pos.Pages)
	}
	if empty {
		if pos.Pages == 0 {
			return page, next, true, nil // a 下一页 still linking past the end
		}
		return fail(fetch.ErrIncomplete, "page %d is empty but links to a next page", pos.Page)
	}
	if first, err := url.Parse(c.firstURL()); err == nil && c.cfg.Auth.Sends() && !fetch.CredentialsMayFollow(first, target) {
		// The next page would be asked for with the credentials, as a
		// redirect would be (fetch.ErrRedirect).
		return fail(fetch.ErrRedirect, "page %d links its next page to %s (%s); not followed: the source's credentials are sent to %s only, and a list served by another host is not the configured source's",
			pos.Page, target.Host, c.http.RedactURL(target.String()), first.Hostname())
	}
	next.URL = target.String()
	next.Prev = u
	return page, next, false, nil
}

// firstURL is the listing's configured first page, the host its
// credentials belong to.
func (c *Client) firstURL() string {
	switch {
	case c.cfg.FirstPageURL != "":
		return c.cfg.FirstPageURL
	case c.cfg.URL != "":
		return c.cfg.URL
	}
	return c.cfg.PageTemplate
}

// shownText is the text a page shows a reader, decoded; "" when it does
// not decode or parse (the page failed otherwise).
func (c *Client) shownText(body []byte, contentType string) string {
	dec, err := fetch.Decode(body, contentType)
	if err != nil {
		return ""
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(dec.Text))
	if err != nil {
		return ""
	}
	applySheets(doc)
	return visibleText(doc.Selection)
}

// sameURL reports two addresses of one page, fragments aside.
func sameURL(a, b *url.URL) bool {
	x, y := *a, *b
	x.Fragment, x.RawFragment, y.Fragment, y.RawFragment = "", "", "", ""
	return x.String() == y.String()
}

// parse decodes a page and reads its records and announced counts. It
// reports whether the page shows the site's empty text; errors wrap the
// fetch sentinels.
// errNoRows is a page in the listing's layout whose table holds no rows:
// a listing whose pages say nothing when empty, past its end. It is a
// layout error on any page but a probe past the end.
var errNoRows = fmt.Errorf("%w (the listing's header is there, without rows)", fetch.ErrLayout)

// ErrUnreadClaim is a page that does not state a count its configuration
// says every page states (page_count_selector, record_count_selector):
// the selector matches nothing, or its text does not read as the count.
// It is a fetch.ErrIncomplete — a page cut short loses its pager — but
// on page 1 of a source that has never synced it is the configuration
// that does not fit the pages (listsync.ErrNotAsConfigured).
var ErrUnreadClaim = errors.New("a count the configuration names was not read")

// unreadClaim is an error that is ErrUnreadClaim, and what it wraps.
type unreadClaim struct{ error }

func (e unreadClaim) Unwrap() error      { return e.error }
func (unreadClaim) Is(target error) bool { return target == ErrUnreadClaim }

// claimText is the text a configured claim is read from: the text the
// page shows, or, for a <script> the selector names itself, the script's
// own text. TRS-style sites print their pager by script only
// (<script>createPageHTML(3, 0, "index", "html");</script>): the page
// count is there or nowhere. Only an explicitly configured pager
// selector reads a script so; records, and the claims read by default,
// never do.
func claimText(s *goquery.Selection) string {
	if n := s.Get(0); n != nil && n.Type == html.ElementNode && n.DataAtom == atom.Script {
		return s.Text()
	}
	return visibleText(s)
}

// errEmptyNoPager is a page that says the list is empty (暂无数据) and
// shows no pager: sites print the pager only over records. Past a full
// last page it ends the listing; any other page without the pager the
// pages before it showed was cut short or changed.
var errEmptyNoPager = fmt.Errorf("%w (the page says it is empty and shows no pager)", fetch.ErrIncomplete)

// listingLayout reports whether doc shows the listing's layout: its
// header (HeaderSelector), else the pager's record or page count. A page
// without either is some other page (a home page, a notice).
func (c *Client) listingLayout(doc *goquery.Document) bool {
	if c.cfg.HeaderSelector != "" {
		return doc.Find(c.cfg.HeaderSelector).Length() > 0
	}
	for _, sel := range []string{c.cfg.RecordCountSelector, c.cfg.PageCountSelector} {
		if sel != "" && doc.Find(sel).Length() > 0 {
			return true
		}
	}
	return false
}

func (c *Client) parse(number int, body []byte, contentType string) (Page, *goquery.Document, bool, error) {
	fail := func(sentinel error, format string, a ...any) (Page, *goquery.Document, bool, error) {
		return Page{}, nil, false, fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, a...))
	}
	dec, err := fetch.Decode(body, contentType)
	if err != nil {
		return Page{}, nil, false, err
	}
	text := dec.Text
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return fail(fetch.ErrMalformed, "parse HTML: %v", err)
	}
	applySheets(doc)
	page := Page{Number: number, Body: body, Encoding: dec.Encoding, Mislabelled: dec.Note(), Total: -1, Claimed: -1, Current: -1, Size: -1}
	var rows []*goquery.Selection
	empty := false
	hiddenRows := 0
	doc.Find(c.cfg.RowSelector).Each(func(_ int, s *goquery.Selection) {
		if len(s.Nodes) > 0 && shownNot(s.Nodes[0]) {
			// A row the page does not show (a script's template, its
			// 暂无数据 row among them; a table in a hidden tab) is
			// neither a record nor the page's word that the list is
			// empty.
			hiddenRows++
			return
		}
		if c.cfg.EmptyText != "" && emptyRow(s, c.cfg.EmptyText) {
			empty = true
			return
		}
		rows = append(rows, s)
	})
	if c.cfg.EmptyText != "" && !empty && len(rows) == 0 && strings.Contains(visibleText(doc.Selection), c.cfg.EmptyText) {
		empty = true
	}
	if len(rows) == 0 && !empty {
		// Decoded text, not bytes: a GBK CAPTCHA page's 验证码 matches
		// no UTF-8 marker.
		if reason, ok := fetch.LooksLikeChallenge([]byte(text)); ok {
			return fail(fetch.ErrChallenge, "%s instead of the list", reason)
		}
		if hiddenRows > 0 {
			return fail(fetch.ErrLayout, "the %d rows matching %q are all hidden: a page that fills its table by script shows only its template rows; sync the API the page calls instead", hiddenRows, c.cfg.RowSelector)
		}
		if c.listingLayout(doc) {
			return fail(errNoRows, "expected at least 1 element matching %q, got 0", c.cfg.RowSelector)
		}
		return fail(fetch.ErrLayout, "expected at least 1 element matching %q, got 0", c.cfg.RowSelector)
	}
	// A selector's element the page hides (a hidden tab's total) is not
	// what it states.
	shown := func(sel *goquery.Selection) *goquery.Selection {
		return sel.FilterFunction(func(_ int, s *goquery.Selection) bool { return !shownNot(s.Get(0)) })
	}
	// claim reads a count the configuration says every page states.
	claim := func(what, selector string, re *regexp.Regexp) (int, error) {
		sel := shown(doc.Find(selector))
		if sel.Length() == 0 {
			if empty {
				return 0, fmt.Errorf("%w: expected %s at %q, got 0 elements: a truncated or changed page", errEmptyNoPager, what, selector)
			}
			return 0, unreadClaim{fmt.Errorf("%w: expected %s at %q, got 0 elements: a truncated or changed page", fetch.ErrIncomplete, what, selector)}
		}
		text := claimText(sel.First())
		n, ok := count(re, text)
		if !ok {
			why := "the site words it differently (set the pattern), or the page changed"
			if text == "" && sel.First().Find("script").Length() > 0 {
				why = "the element's text is in a <script>, which is read only when the selector names the script itself (div.page script)"
			}
			return 0, unreadClaim{fmt.Errorf("%w: %s at %q reads %q, which %s does not match and which holds no single number: %s", fetch.ErrIncomplete, what, selector, collapseSpace(text), re, why)}
		}
		return n, nil
	}
	if c.cfg.PageCountSelector != "" {
		if page.Total, err = claim("the page count", c.cfg.PageCountSelector, c.pageCount); err != nil {
			return Page{}, nil, false, err
		}
	}
	if c.cfg.RecordCountSelector != "" {
		if page.Claimed, err = claim("the record count", c.cfg.RecordCountSelector, c.recordCount); err != nil {
			return Page{}, nil, false, err
		}
	}
	if err := c.read(&page, doc, rows); err != nil {
		return fail(fetch.ErrLayout, "%v", err)
	}
	if !empty && len(rows) > 0 && len(page.Records) == 0 {
		// Every row is a note (read skips them): records rendered
		// another way now, not a list that emptied.
		return fail(fetch.ErrLayout, "the %d rows matching %q hold no record, only notes (a row without cells, with one cell spanning the table, or the header again): the layout changed, or the page says the list is empty in words empty_text does not name", len(rows), c.cfg.RowSelector)
	}
	if err := c.readClaims(&page, doc); err != nil {
		return Page{}, nil, false, err
	}
	return page, doc, empty, nil
}

// read turns the rows the page shows into records, strictly. Notes
// (noteRow) and the header repeated are not records; a cell spanning
// rows (rowspan) is read in each of them.
func (c *Client) read(page *Page, doc *goquery.Document, rows []*goquery.Selection) error {
	if len(c.cells) > 0 {
		page.Header = c.cells
		for i, row := range rows {
			rec := make([]string, len(c.cells))
			for ci, key := range c.cells {
				sel := row.Find(c.cfg.Cells[key])
				if sel.Length() != 1 {
					return fmt.Errorf("row %d: expected 1 element matching %q (%s), got %d", i+1, c.cfg.Cells[key], key, sel.Length())
				}
				rec[ci] = cellText(sel)
			}
			page.Records = append(page.Records, rec)
		}
		return nil
	}
	layout := c.headerLayout(doc.Find(c.cfg.HeaderSelector))
	if len(layout.names) == 0 {
		return fmt.Errorf("expected header cells matching %q, got 0", c.cfg.HeaderSelector)
	}
	shown := layout.leaves // as the page writes it
	header := make([]string, 0, len(layout.names))
	for i, h := range layout.names {
		for key, text := range c.cfg.Headers {
			if t := transform.NormalizeText(text); t == transform.NormalizeText(h) || t == transform.NormalizeText(shown[i]) {
				h = key
			}
		}
		header = append(header, h)
	}
	m, err := c.list.Map(header)
	if err != nil {
		return fmt.Errorf("the header %q does not fit list %s: %v", header, c.list.Name, err)
	}
	page.Header, page.Unused = header, m.Extra()
	// spans carries the cells of earlier rows that span this one
	// (rowspan), by column: a site listing several decisions about one
	// institution writes its name once, over their rows.
	spans := make([]spanned, len(header))
	var group *html.Node // the row group of the row before
	for i, row := range rows {
		if layout.rows[row.Get(0)] {
			continue // a row of the header, which the row selector matches too
		}
		if g := row.Get(0).Parent; g != group {
			// A cell spans the rows of its own row group only (a
			// <tbody>, the <thead>), as a browser clips it.
			clear(spans)
			group = g
		}
		cells := laidOut(row)
		if noteRow(row, cells, len(header)) {
			continue
		}
		rec := make([]string, 0, len(header))
		fill := func() {
			for len(rec) < len(header) && spans[len(rec)].rows > 0 {
				spans[len(rec)].rows--
				rec = append(rec, spans[len(rec)].text)
			}
		}
		cells.Each(func(_ int, s *goquery.Selection) {
			fill()
			if len(rec) < len(header) {
				text := cellText(s)
				if v, ok := s.Attr("rowspan"); ok {
					switch n, err := strconv.Atoi(strings.TrimSpace(v)); {
					case err != nil:
					case n == 0:
						// rowspan="0": to the end of its row group (HTML).
						spans[len(rec)] = spanned{text: text, rows: len(rows)}
					case n > 1:
						spans[len(rec)] = spanned{text: text, rows: min(n, len(rows)) - 1}
					}
				}
				rec = append(rec, text)
			} else {
				rec = append(rec, "") // one too many: counted below
			}
		})
		fill()
		if len(rec) != len(header) {
			return fmt.Errorf("row %d: expected %d cells as in the header, got %d", i+1, len(header), cells.Length())
		}
		if slices.Equal(rec, shown) {
			continue // the header again, as long tables repeat it
		}
		if !slices.ContainsFunc(rec, func(v string) bool { return strings.TrimSpace(v) != "" }) {
			continue // a filler row of blank cells (&nbsp;) padding the last page
		}
		page.Records = append(page.Records, rec)
	}
	return nil
}

// spanned is a cell spanning rows after its own.
type spanned struct {
	text string
	rows int // rows below it still to fill
}

// tableHeader is a table's header as a browser lays it out: one name per
// column.
type tableHeader struct {
	// names are the columns' names: the cells of a header of one row;
	// of a grouped header of several (列入信息 spanning 列入原因, 列入日期
	// and 作出决定机关 below it), each column's leaf heading, or its group
	// and leaf where the list needs both to name it (contract.List.
	// GroupedHeader, as an import reads a workbook's).
	names []string
	// leaves are the headings each column shows in the header's last row.
	leaves []string
	rows   map[*html.Node]bool // the rows of header cells, its copies further down too
}

// maxSpan is the widest colspan browsers honour (the HTML standard's
// 1000); a larger one is read as it.
const maxSpan = 1000

// headerLayout reads the header cells the selector matched. A header of
// several rows is laid out on a grid, each cell covering the columns and
// rows its colspan and rowspan say (a name merged down over both rows of
// a grouped header, a group heading across its columns). When the
// selector also matched copies of the header further down (long tables
// repeat it), the first is read.
func (c *Client) headerLayout(heads *goquery.Selection) tableHeader {
	// A heading the page does not display holds no column (laidOut).
	heads = heads.FilterFunction(func(_ int, s *goquery.Selection) bool { return !undisplayed(s.Get(0)) })
	var order []*html.Node // the rows the cells are in
	cells := map[*html.Node][]*goquery.Selection{}
	texts := map[*html.Node][]string{}
	heads.Each(func(_ int, s *goquery.Selection) {
		row := parentNode(s)
		if _, ok := cells[row]; !ok {
			order = append(order, row)
		}
		cells[row] = append(cells[row], s)
		texts[row] = append(texts[row], cellText(s))
	})
	// Every row of header cells is no record, the copies too.
	h := tableHeader{rows: map[*html.Node]bool{}}
	for _, row := range order {
		h.rows[row] = true
	}
	// The header ends where a copy of its first row begins.
	for i := 1; i < len(order); i++ {
		if slices.Equal(texts[order[i]], texts[order[0]]) {
			order = order[:i]
			break
		}
	}
	if len(order) == 1 {
		h.names, h.leaves = texts[order[0]], texts[order[0]]
		return h
	}
	type slot struct {
		text string
		cell *html.Node
	}
	grid := make([][]slot, len(order))
	put := func(r, col int, s slot) {
		for len(grid[r]) <= col {
			grid[r] = append(grid[r], slot{})
		}
		grid[r][col] = s
	}
	for r, row := range order {
		col := 0
		for i, cell := range cells[row] {
			for col < len(grid[r]) && grid[r][col].cell != nil {
				col++ // taken by a cell spanning down from a row above
			}
			cs := span(cell, "colspan", 1)
			rs := span(cell, "rowspan", 1)
			if v, ok := cell.Attr("rowspan"); ok && strings.TrimSpace(v) == "0" {
				rs = len(order) // to the end of the header
			}
			for dr := 0; dr < rs && r+dr < len(order); dr++ {
				for dc := range cs {
					put(r+dr, col+dc, slot{texts[row][i], cell.Get(0)})
				}
			}
			col += cs
		}
	}
	width := 0
	for _, g := range grid {
		width = max(width, len(g))
	}
	last := len(order) - 1
	for col := range width {
		at := func(r int) string {
			if col < len(grid[r]) {
				return grid[r][col].text
			}
			return ""
		}
		name := at(0)
		for r := 1; r <= last; r++ {
			name = c.list.GroupedHeader([]string{name}, []string{at(r)})[0]
		}
		h.names = append(h.names, name)
		h.leaves = append(h.leaves, at(last))
	}
	return h
}

// span reads a cell's colspan or rowspan, def when it has none or an
// unreadable one.
func span(cell *goquery.Selection, attr string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(cell.AttrOr(attr, "")))
	if err != nil || n < 1 {
		return def
	}
	return min(n, maxSpan)
}

// nodeSpan is span's reading of a cell's colspan or rowspan, 1 by
// default, without the error strconv makes of a missing attribute.
func nodeSpan(n *html.Node, attr string) int {
	for _, a := range n.Attr {
		if a.Key == attr {
			if v, err := strconv.Atoi(strings.TrimSpace(a.Val)); err == nil && v >= 1 {
				return min(v, maxSpan)
			}
			break
		}
	}
	return 1
}

// parentNode is the element s is in, nil for the document's root (a
// selector may match <html> itself).
func parentNode(s *goquery.Selection) *html.Node {
	if p := s.Parent(); p.Length() > 0 {
		return p.Get(0)
	}
	return nil
}

// chosenOption is the option a <select> shows: the one marked selected,
// else the first.
func chosenOption(sel *html.Node) *html.Node {
	var first, chosen *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		for c := n.FirstChild; c != nil && chosen == nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom != atom.Option {
				find(c) // an <optgroup>
				continue
			}
			if first == nil {
				first = c
			}
			for _, a := range c.Attr {
				if a.Key == "selected" {
					chosen = c
				}
			}
		}
	}
	find(sel)
	if chosen != nil {
		return chosen
	}
	return first
}

// noteRow reports a row that cannot be a record of a table of width
// columns: one without cells (a spacer), one whose only cell spans them
// all — the pager (共46条 1/5页), a total, 以下无数据 — which many list
// pages print as the table's last row, under the row selector, or one
// whose cells together span them all and whose text is a pager and
// nothing else (<td colspan=3>共5条记录</td><td colspan=4>当前第1/1页</td>).
// A record is never that: it names someone (pagerOnly). cells are the
// row's cells as laid out (laidOut): one the page does not display is no
// part of the row. The claims a note row prints are read from the page's
// text like any other.
func noteRow(row, cells *goquery.Selection, width int) bool {
	switch cells.Length() {
	case 0:
		return true
	case 1:
		span, err := strconv.Atoi(strings.TrimSpace(cells.AttrOr("colspan", "")))
		return width > 1 && err == nil && span >= width
	}
	if width <= 1 {
		return false
	}
	columns := 0
	for _, n := range cells.Nodes {
		columns += nodeSpan(n, "colspan")
	}
	if columns < width {
		return false
	}
	text := visibleText(row)
	// Every claim names one of these (共5条, 共1页, 总数, 当前1/1): a
	// record's row without any is no pager, and needs no more reading.
	return strings.ContainsAny(text, "条页数当") && pagerOnly(text)
}

// cellElements matches a row's cells.
var cellElements = cascadia.MustCompile("td, th")

// laidOut are a row's cells as a browser lays them out: a cell the page
// does not display (<td style="display:none">, td.hid{display:none}: an
// id column hidden in the data rows, with or without a hidden <th> over
// it) holds no column, in the header or in a row. A cell whose
// visibility is hidden still holds its column, empty.
func laidOut(row *goquery.Selection) *goquery.Selection {
	cells := row.ChildrenMatcher(cellElements)
	var shown []*html.Node
	for i, n := range cells.Nodes {
		if undisplayed(n) {
			if shown == nil {
				shown = slices.Clone(cells.Nodes[:i])
			}
			continue
		}
		if shown != nil {
			shown = append(shown, n)
		}
	}
	if shown == nil {
		return cells // every cell shows, as in almost every row
	}
	return cells.FilterNodes(shown...)
}

// pagerWords are what a pager prints beside its claims: links to the
// other pages (首页 上一页 1 2 3 下一页 尾页), a jump box's words
// (跳转到第 [ ] 页 GO), separators.
var pagerWords = regexp.MustCompile(`(?i)首页|上一?页|下一?页|前一页|后一页|尾页|末页|最后一?页|跳转|跳至|转到|转至|到|确定|go|当前|第|页次|页|条|记录|共|每页|显示|总|[\d\s:：/|,.·•«»‹›<>…\[\]()-]`)

// pagerOnly reports text that is a pager and nothing else: it states a
// claim of the listing (共5条, 共1页, 第1/1页, 每页10条), and what is left
// without the claims is pager words. A record's text always holds more —
// a name, a reason (许昌共创页岩有限公司 holds 共 and 页, and no claim).
func pagerOnly(text string) bool {
	text = transform.NormalizeText(text)
	claims := false
	for _, res := range [][]*regexp.Regexp{recordClaims, pageClaims, currentOfClaims, sizeClaims} {
		for _, re := range res {
			if re.MatchString(text) {
				claims = true
				text = re.ReplaceAllString(text, " ")
			}
		}
	}
	return claims && pagerWords.ReplaceAllString(text, "") == ""
}

// emptyRow reports the row in which a page says its list is empty: the
// empty text in a row that cannot be a record, its text in one cell at
// most (<td colspan=7>暂无数据</td>). A record whose 备注 reads 暂无数据
// fills its other cells: it is a record, not the end of the list.
func emptyRow(row *goquery.Selection, emptyText string) bool {
	if !strings.Contains(visibleText(row), emptyText) {
		return false
	}
	filled := 0
	row.ChildrenFiltered("td, th").Each(func(_ int, cell *goquery.Selection) {
		if strings.TrimSpace(visibleText(cell)) != "" {
			filled++
		}
	})
	return filled <= 1
}

// titled matches the elements that carry a title.
var titled = cascadia.MustCompile("[title]")

// cellText is the text as a reader sees it, as written (the contract
// folds what it keys and matches on, as for a file's cell: a name keeps
// its full-width brackets), white space collapsed (the ideographic space
// too, and the line breaks of the page's markup) and invisible format
// characters dropped. A value the page cut short with an ellipsis
// (许昌某某人力资源服务…) is read whole from the title the cell or an
// element in it carries, when that title starts with what the cell
// shows: what a reader sees when pointing at it.
func cellText(s *goquery.Selection) string {
	text := collapseSpace(transform.WrittenText(visibleText(s)))
	shown := strings.TrimSpace(strings.TrimRight(text, ".…⋯"))
	if len(shown) == len(text) || shown == "" {
		return text
	}
	full := ""
	s.FindMatcher(titled).AddSelection(s.FilterMatcher(titled)).EachWithBreak(func(_ int, e *goquery.Selection) bool {
		title := collapseSpace(transform.WrittenText(e.AttrOr("title", "")))
		if len(title) > len(shown) && strings.HasPrefix(title, shown) {
			full = title
			return false
		}
		return true
	})
	if full == "" {
		return text
	}
	return full
}

// collapseSpace is strings.Join(strings.Fields(t), " "), without the
// copies when t has no white space but single spaces between words, as
// almost every cell.
func collapseSpace(t string) string {
	prevSpace := true // at the start, a space would be leading
	for _, r := range t {
		switch {
		case r == ' ' && !prevSpace:
			prevSpace = true
		case unicode.IsSpace(r):
			return strings.Join(strings.Fields(t), " ")
		default:
			prevSpace = false
		}
	}
	if prevSpace && t != "" {
		return strings.Join(strings.Fields(t), " ") // a trailing space
	}
	return t
}

// digest identifies a page's records to notice a repeated page. Columns
// outside the contract are left out: a row number counted by the page
// (序号) differs on a repeated page whose records do not.
func (c *Client) digest(page Page) string {
	skip := map[int]bool{}
	for i, h := range page.Header {
		if slices.Contains(page.Unused, h) {
			skip[i] = true
		}
	}
	h := sha256.New()
	for _, r := range page.Records {
		for i, f := range r {
			if !skip[i] {
				h.Write([]byte(f))
				h.Write([]byte{0x1f})
			}
		}
		h.Write([]byte{0x1e})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
