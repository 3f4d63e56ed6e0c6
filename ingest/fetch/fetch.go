// Package fetch gets pages from external credit sources the way those
// sources need to be treated: politely (a rate limit, retries with capped
// exponential backoff and jitter, Retry-After honoured) and suspiciously
// (an anti-bot challenge, a CAPTCHA or a login page is a failed fetch,
// never an empty list). Credentials are sent but never shown: every URL,
// error, log line and body this package hands out is redacted.
//
// ingest/api (JSON) and ingest/htmllist (list pages) build on it.
package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"
)

// Sentinel errors, wrapped in *Error. Callers decide with errors.Is; every
// one of them means the fetch failed and must not be read as "no records".
var (
	// ErrChallenge: the source answered with an anti-bot challenge, a
	// CAPTCHA or a login page instead of data.
	ErrChallenge = errors.New("anti-bot challenge or CAPTCHA instead of data")
	// ErrAuth: the source refused the credentials.
	ErrAuth = errors.New("credentials refused")
	// ErrBlocked: the site refused a request that carried no credential
	// (HTTP 403): the site, or a firewall in front of it, blocks this
	// client. No credential was refused.
	ErrBlocked = errors.New("refused by the site")
	// ErrStatus: an HTTP status that retrying did not cure.
	ErrStatus = errors.New("unexpected HTTP status")
	// ErrTransport: no usable response (timeouts, refused connections)
	// after every retry.
	ErrTransport = errors.New("no response")
	// ErrMalformed: a response that cannot be parsed (truncated JSON).
	// Checks return it to have the request retried.
	ErrMalformed = errors.New("malformed response")
	// ErrLayout: the response parses but not as configured: the source
	// changed its shape, and nothing read from it can be trusted.
	ErrLayout = errors.New("the source's layout changed")
	// ErrIncomplete: pagination broke off (an empty page before the
	// announced total, a repeated page); the snapshot is partial.
	ErrIncomplete = errors.New("incomplete listing")
	// ErrClaims: what a source claims about its listing (record count,
	// page count, page size, page number) disagrees with itself or with
	// the pages served; the snapshot cannot be proven complete.
	ErrClaims = errors.New("the source's claims about its listing disagree")
	// ErrPageCap: the page cap was reached before the end of the list.
	ErrPageCap = errors.New("page cap reached")
)

// Error is a failed fetch with what a person needs to act on it.
type Error struct {
	Source   string
	URL      string // redacted
	Page     int    // 0 when not known
	Status   int    // HTTP status, 0 when no response arrived
	Attempts int
	Err      error
	Hint     string
	// Response is the last response received, if any, kept as evidence
	// (raw_pages); it is never printed.
	Response *Response
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Page > 0 {
		fmt.Fprintf(&b, " page %d", e.Page)
	}
	if e.URL != "" {
		b.WriteString(" (" + e.URL + ")")
	}
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.Status)
	}
	b.WriteString(e.Err.Error())
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.Response != nil && e.Response.Redirected != "" {
		fmt.Fprintf(&b, "; the site redirected the request to %s, which is not the list (a sign-in or maintenance page?)", e.Response.Redirected)
	}
	if e.Hint != "" {
		b.WriteString("\nhint: " + e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// hints for the sentinel errors, in the order HintFor tries them.
var hints = []struct {
	err  error
	hint string
}{
	{ErrChallenge, "the source is blocking automated access; do not retry in a loop. Use the credit information sharing platform's API or a file export (creditsync import) instead"},
	{ErrRedirect, "nothing was sent to the other host; if the source really moved, check that the new address is the same publisher's and configure it as the source's url"},
	{ErrAuth, "check the credential named in the source's token_env or token_file (its value is never printed)"},
	{ErrBlocked, "the source sends no credential, so the site or a firewall in front of it (a WAF, a rate limiter, an IP ban, a geo-fence) turned this client away: open the page from this host to see why, lower the source's rate if it is a rate limit, or ask the site; a Retry-After within max_retry_after is waited for. The source stays as it was and the next sync tries again"},
	{ErrLayout, "the source changed its page or field layout; fix the source's selectors or field mapping (raw pages are in raw_pages)"},
	{ErrClaims, "nothing was loaded or removed and the previous data stands; the next sync fetches a fresh snapshot. If the site keeps contradicting itself, check it by hand; a check may be waived only in the source's config, with a reason"},
	{ErrIncomplete, "the listing broke off; the next sync resumes from the last complete page"},
	{ErrPageCap, "raise max_pages for the source; the next sync resumes after the pages already fetched"},
	{ErrCharset, "the page's bytes are not valid in its charset (raw_pages keeps them); nothing of the snapshot was stored. If the site changed its encoding, it says so nowhere the sync can trust: check a page by hand"},
	{errUnsupported, "the site sends its answers compressed in an encoding creditsync does not decode, though it asks for gzip (Accept-Encoding): a setting of the server, or of a proxy or CDN in front of it. Asking again would not help, so it was not; nothing was stored and the source stays as it was. Ask the site to serve gzip, deflate or uncompressed answers"},
	{errEmptyBody, "the site answered with nothing, however often it was asked: a fault of its server, not a change of the list; the source stays as it was and the next sync tries again (raise retries for this source if it recurs)"},
	{ErrMalformed, "the source sent something that is not what it usually sends; the raw page is kept in raw_pages"},
	{errTimedOut, "the source did not answer in time; check the network, or raise timeout/retries for this source"},
	{errRefused, "nothing accepted the connection at that address: the site is down, or its address changed (check the source's url); the source stays as it was and the next sync tries again"},
	{ErrTransport, "the source could not be reached; check the network and the source's url; the source stays as it was and the next sync tries again"},
	{ErrStatus, "the source kept failing; it stays as it was (marked stale) and the next sync tries again; raise retries or max_retry_after if it is only slow to recover"},
}

// HintFor returns the standard hint for an error wrapping a sentinel.
func HintFor(err error) string {
	for _, h := range hints {
		if errors.Is(err, h.err) {
			return h.hint
		}
	}
	return ""
}

// Auth says how a source wants its credential.
type Auth struct {
	Header string // header name, e.g. X-Api-Token or Authorization
	Query  string // query parameter name, for sources that want it in the URL
	Prefix string // written before the value, e.g. "Bearer "
	Secret Secret
}

// Sends reports whether requests carry a credential, in a header or
// the query.
func (a Auth) Sends() bool { return !a.Secret.IsZero() && (a.Header != "" || a.Query != "") }

// Policy is how hard and how fast to ask a source.
type Policy struct {
	Timeout       time.Duration // per attempt
	Retries       int           // attempts after the first; negative = none
	BackoffMin    time.Duration // first backoff
	BackoffMax    time.Duration // backoff cap
	MaxRetryAfter time.Duration // a longer Retry-After fails the fetch instead of stalling it
	Rate          float64       // requests per second; 0 = unlimited
	Burst         int
	UserAgent     string
	MaxBody       int // bytes
}

// DefaultPolicy suits government sites: slow, and quick to block.
func DefaultPolicy() Policy {
	return Policy{
		Timeout:       30 * time.Second,
		Retries:       4,
		BackoffMin:    time.Second,
		BackoffMax:    time.Minute,
		MaxRetryAfter: 5 * time.Minute,
		Rate:          1,
		Burst:         1,
		UserAgent:     "creditsync (Xuchang HRSS credit grading)",
		MaxBody:       32 << 20,
	}
}

func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	if p.Timeout <= 0 {
		p.Timeout = d.Timeout
	}
	if p.BackoffMin <= 0 {
		p.BackoffMin = d.BackoffMin
	}
	if p.BackoffMax < p.BackoffMin {
		p.BackoffMax = max(d.BackoffMax, p.BackoffMin)
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	if p.Burst <= 0 {
		p.Burst = 1
	}
	if p.UserAgent == "" {
		p.UserAgent = d.UserAgent
	}
	if p.MaxBody <= 0 {
		p.MaxBody = d.MaxBody
	}
	return p
}

// Client fetches pages of one source.
type Client struct {
	name     string
	policy   Policy
	auth     Auth
	red      redactor
	http     *resty.Client
	log      *slog.Logger
	requests atomic.Int64
}

// New returns a client for the source called name. log may be nil.
func New(name string, p Policy, auth Auth, log *slog.Logger) *Client {
	p = p.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if p.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(p.Rate), p.Burst)
	}
	c := &Client{name: name, policy: p, auth: auth, red: newRedactor(auth), log: log}
	h := resty.New().
		SetLogger(quiet{}).
		SetTimeout(p.Timeout).
		SetRetryCount(max(p.Retries, 0)).
		SetRetryWaitTime(p.BackoffMin).
		// Retry-After is honoured up to max_retry_after (retryWait fails
		// the fetch beyond it); resty caps every wait at this maximum.
		SetRetryMaxWaitTime(max(p.BackoffMax, p.MaxRetryAfter)).
		SetRetryAfter(c.retryWait).
		OnBeforeRequest(func(_ *resty.Client, r *resty.Request) error {
			if err := lim.Wait(r.Context()); err != nil {
				return err
			}
			c.requests.Add(1)
			return nil
		}).
		SetResponseBodyLimit(p.MaxBody).
		SetHeader("User-Agent", p.UserAgent).
		// A listing is read to prove what the site publishes now: a CDN
		// or proxy cache must ask the origin before serving a stored
		// copy (RFC 9111 §5.2.1.4; Pragma for HTTP/1.0 caches). A page 1
		// served from a cache beside current pages 2…N skips a record
		// and keeps one delisted, and the snapshot still adds up.
		SetHeader("Cache-Control", "no-cache").
		SetHeader("Pragma", "no-cache").
		SetRedirectPolicy(resty.RedirectPolicyFunc(c.checkRedirect))
	h.SetTransport(inflating{h.GetClient().Transport})
	c.http = h
	return c
}

// Requests is the number of HTTP requests sent so far, retries included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Redact removes the source's credentials from text meant for people.
func (c *Client) Redact(s string) string { return c.red.text(s) }

// RedactURL removes credentials from a URL meant for people or storage.
func (c *Client) RedactURL(u string) string { return c.red.url(u) }

// Response is a page as received, credentials redacted.
type Response struct {
	URL string // redacted
	// Redirected is where the site sent the request instead, redacted;
	// "" when it answered at URL. A list page that redirects elsewhere is
	// usually a sign-in or maintenance page.
	Redirected string
	Status     int
	Header     http.Header
	Body       []byte
	Attempts   int
}

// Check inspects a 2xx response. An error wrapping ErrMalformed, or
// marked with Retryable, has the request retried (a truncated body or a
// "system busy" envelope is usually transient); any other error fails
// the fetch at once.
type Check func(*Response) error

type retryable struct{ error }

func (r retryable) Unwrap() error { return r.error }

// Retryable marks a Check error as worth another attempt.
func Retryable(err error) error { return retryable{err} }

func isRetryable(err error) bool {
	var r retryable
	return errors.Is(err, ErrMalformed) || errors.As(err, &r)
}

// Request is what to send: a GET of URL, or a POST of Form (as
// application/x-www-form-urlencoded) or JSON.
type Request struct {
	Method string // GET (default) or POST
	URL    string
	Form   map[string]string
	JSON   any
}

// Get fetches rawURL with the source's credentials, retrying what is
// worth retrying. On failure it returns an *Error and, when one arrived,
// the last response, so the caller can keep it as evidence.
func (c *Client) Get(ctx context.Context, rawURL string, check Check) (*Response, error) {
	return c.Do(ctx, Request{URL: rawURL}, check)
}

// outcome is how one attempt ended: failure is nil on success; retry
// says whether another attempt may help.
type outcome struct {
	resp    *Response
	failure error
	retry   bool
}

// errWaitTooLong stops resty's retries when a source asks to wait longer
// than max_retry_after.
type errWaitTooLong struct{ wait time.Duration }

func (e errWaitTooLong) Error() string { return "Retry-After " + e.wait.String() }

// Do sends rq with the source's credentials. Retries are resty's: its
// retry condition classifies every attempt (below), its RetryAfter
// callback (New) honours the source's Retry-After up to max_retry_after
// and otherwise backs off, and the rate limit waits before each attempt.
func (c *Client) Do(ctx context.Context, rq Request, check Check) (*Response, error) {
	target := rq.URL
	if !c.auth.Secret.IsZero() && c.auth.Query != "" {
		target = withQuery(rq.URL, c.auth.Query, c.auth.Secret.value)
	}
	shown := c.red.url(target)
	method := rq.Method
	if method == "" {
		method = http.MethodGet
	}
	req := c.http.R().SetContext(ctx)
	if !c.auth.Secret.IsZero() && c.auth.Header != "" {
		req.SetHeader(c.auth.Header, c.auth.Prefix+c.auth.Secret.value)
	}
	switch {
	case rq.JSON != nil:
		req.SetHeader("Content-Type", "application/json;charset=UTF-8").SetBody(rq.JSON)
	case rq.Form != nil:
		req.SetFormData(rq.Form)
	}
	var last outcome
	classified := false
	req.AddRetryCondition(func(r *resty.Response, err error) bool {
		last, classified = c.classify(ctx, target, r, err, check), true
		if last.failure != nil && last.retry && r != nil && r.Request.Attempt <= c.policy.Retries {
			c.log.Warn("retrying", "source", c.name, "url", shown, "attempt", r.Request.Attempt, "reason", c.red.text(last.failure.Error()))
		}
		return last.failure != nil && last.retry
	})
	r, err := req.Execute(method, target)
	attempts := max(req.Attempt, 1)
	if ctx.Err() != nil {
		return nil, c.cancelled(ctx, ctx.Err())
	}
	if !classified {
		// resty asks its retry conditions only when retries are allowed:
		// with retries = 0 the one attempt is classified here.
		last = c.classify(ctx, target, r, err, check)
	}
	failure := last.failure
	var tooLong errWaitTooLong
	switch {
	case errors.As(err, &tooLong) && errors.Is(last.failure, ErrBlocked):
		failure = fmt.Errorf("%w, longer than max_retry_after %s: not asked again", last.failure, c.policy.MaxRetryAfter)
	case errors.As(err, &tooLong):
		failure = fmt.Errorf("%w: the source asks to wait %s before retrying, longer than max_retry_after %s", ErrStatus, tooLong.wait, c.policy.MaxRetryAfter)
	case failure == nil && err != nil:
		failure = c.classify(ctx, target, nil, err, check).failure
	}
	if last.resp != nil {
		last.resp.Attempts = attempts
	}
	if failure == nil {
		return last.resp, nil
	}
	e := &Error{Source: c.name, URL: shown, Attempts: attempts, Err: failure, Hint: HintFor(failure), Response: last.resp}
	if last.resp != nil {
		e.Status = last.resp.Status
	}
	return last.resp, e
}

// cancelled reports an interrupted fetch plainly: the caller stopped
// it, so there is nothing to hint about and nothing to log loudly.
func (c *Client) cancelled(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		err = cause
	}
	return fmt.Errorf("%s: %w", c.name, err)
}

// classify says how one attempt ended and whether another may help.
func (c *Client) classify(ctx context.Context, rawURL string, r *resty.Response, err error, check Check) outcome {
	if err != nil {
		if ctx.Err() != nil {
			return outcome{failure: ctx.Err()}
		}
		if errors.Is(err, errRedirectLoop) {
			return outcome{failure: fmt.Errorf("%w: endless redirects, as challenge walls do", ErrChallenge)}
		}
		var off offHost
		if errors.As(err, &off) {
			return outcome{failure: c.redirectFailure(off)}
		}
		if errors.Is(err, resty.ErrResponseBodyTooLarge) {
			return outcome{failure: fmt.Errorf("%w: body larger than %d bytes", ErrMalformed, c.policy.MaxBody)}
		}
		var tooLong errWaitTooLong
		if errors.As(err, &tooLong) {
			return outcome{failure: err}
		}
		// An answer that arrived broken is no network trouble: a body
		// shorter than its Content-Length, or not the compression its
		// Content-Encoding names.
		var corrupt flate.CorruptInputError
		var encoding errEncoding
		var unsupported errUnsupportedEncoding
		switch {
		case errors.As(err, &unsupported):
			// Not retried: the site encodes every answer so.
			return outcome{failure: fmt.Errorf("%w: %w", ErrMalformed, unsupported)}
		case errors.As(err, &encoding), errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
			return outcome{failure: fmt.Errorf("%w: the answer is not the compressed data its Content-Encoding header says (%s)", ErrMalformed, c.red.text(err.Error())), retry: true}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return outcome{failure: fmt.Errorf("%w: %s", ErrMalformed, cutShort(r)), retry: true}
		}
		c.log.Debug("request failed", "source", c.name, "url", c.red.url(rawURL), "error", c.red.text(err.Error()))
		return outcome{failure: c.transportFailure(err), retry: true}
	}
	resp := &Response{URL: c.red.url(rawURL), Status: r.StatusCode(), Header: r.Header(), Body: c.red.bytes(r.Body())}
	if raw := r.RawResponse; raw != nil && raw.Request != nil && raw.Request.URL != nil {
		if final := raw.Request.URL.String(); final != rawURL {
			resp.Redirected = c.red.url(final)
		}
	}
	c.log.Debug("fetched", "source", c.name, "url", resp.URL, "status", resp.Status, "bytes", len(resp.Body), "took", r.Time())
	return c.judge(resp, check)
}

// cutShort says how a body that ended early was cut, by how the answer
// said its end would be marked: a body sent in chunks (Transfer-Encoding:
// chunked, no length announced) whose connection closed before the last
// chunk, or one short of its Content-Length. Every such body read as
// ending "before the length it announced (Content-Length)", chunked ones
// too, which announce none.
func cutShort(r *resty.Response) string {
	if r != nil && r.RawResponse != nil && slices.Contains(r.RawResponse.TransferEncoding, "chunked") {
		return "the answer was sent in chunks (Transfer-Encoding: chunked) and the connection closed before the last one"
	}
	return "the answer ended before the length it announced (Content-Length)"
}

// judge says how an answer that arrived ends: by its status, a challenge
// in its body, and check.
func (c *Client) judge(resp *Response, check Check) outcome {
	fail := func(err error, retry bool) outcome { return outcome{resp: resp, failure: err, retry: retry} }
	switch s := resp.Status; {
	case s == 521 || s == 412:
		reason, _ := LooksLikeChallenge(resp.Body)
		if reason == "" {
			reason = "HTTP " + strconv.Itoa(s) + " challenge"
		}
		return fail(fmt.Errorf("%w: %s", ErrChallenge, reason), false)
	case s == http.StatusTooManyRequests:
		return fail(fmt.Errorf("%w: too many requests", ErrStatus), true)
	case s >= 500:
		return fail(fmt.Errorf("%w: server error", ErrStatus), true)
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		if reason, ok := LooksLikeChallenge(resp.Body); ok {
			return fail(fmt.Errorf("%w: %s", ErrChallenge, reason), false)
		}
		if s == http.StatusForbidden && !c.auth.Sends() {
			// No credential was sent, so none was refused: it read as
			// "credentials refused", with a hint about a token the
			// source does not have. A block that says when to come back
			// (a WAF's or rate limiter's Retry-After) is waited for,
			// within max_retry_after, and asked again.
			wait := retryAfter(resp.Header, time.Now())
			why := "the source sends no credential, so the site or a firewall in front of it turned this client away"
			if wait > 0 {
				why += fmt.Sprintf("; it says to come back after %s (Retry-After)", wait)
			}
			return fail(fmt.Errorf("%w: %s", ErrBlocked, why), wait > 0)
		}
		return fail(ErrAuth, false)
	case s == http.StatusRequestTimeout:
		return fail(fmt.Errorf("%w: request timeout", ErrStatus), true)
	case s < 200 || s >= 300:
		return fail(fmt.Errorf("%w: %s", ErrStatus, http.StatusText(s)), false)
	}
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		// Nothing where a page or a document should be is a passing
		// fault of the server (an overloaded gateway answers so), not a
		// page: parsed, it read as a layout change ("expected at least 1
		// element matching …, got 0"), or past a full last page as the
		// listing's end. No listing answers an empty body for good.
		return fail(fmt.Errorf("%w: the site answered %d with an %w", ErrMalformed, resp.Status, errEmptyBody), true)
	}
	if reason, ok := jsonChallenge(resp.Body); ok {
		return fail(fmt.Errorf("%w: %s", ErrChallenge, reason), false)
	}
	if check != nil {
		if err := check(resp); err != nil {
			return fail(err, isRetryable(err))
		}
	}
	return outcome{resp: resp}
}

// Archived judges an answer kept from an earlier fetch (raw_pages) as Do
// judges one that arrives — its status, a challenge, check — without the
// network and without retrying: what 'creditsync sync --replay' reads a
// past run's pages through, so that it decides as the run did.
func (c *Client) Archived(resp *Response, check Check) (*Response, error) {
	// Redacted again: a page kept before a spelling of the credential
	// was known to the redactor is shown as today's redactor shows it.
	kept := *resp
	kept.Body = c.red.bytes(resp.Body)
	resp = &kept
	last := c.judge(resp, check)
	if last.failure == nil {
		return resp, nil
	}
	return resp, &Error{Source: c.name, URL: resp.URL, Status: resp.Status, Attempts: 1, Err: last.failure, Hint: HintFor(last.failure), Response: resp}
}

// ErrNotArchived: a replay asked for a page the run did not keep.
var ErrNotArchived = errors.New("the run did not keep this page")

// Archive is a past run's answers by page number, as it kept them, for
// a replay (Client.Archived judges them).
type Archive map[int]*Response

// Get is the answer the run received for page, judged by c as a fetch
// judges one (check included); a page the run did not keep is an error
// wrapping ErrNotArchived: the listing, read as configured today, goes
// on past where the run stopped.
func (a Archive) Get(c *Client, page int, check Check) (*Response, error) {
	resp, ok := a[page]
	if !ok {
		return nil, &Error{Source: c.name, Page: page, Err: fmt.Errorf("%w: page %d; the run stopped before it (it failed, or was interrupted), or the source's configuration changed since", ErrNotArchived, page)}
	}
	return c.Archived(resp, check)
}

// Why a request got no answer, where the hint differs: a source that
// is slow wants a longer timeout, one that refuses connections is down
// or moved, and waiting longer would not help.
var (
	errTimedOut = errors.New("no answer within the timeout")
	errRefused  = errors.New("connection refused")
)

// errEmptyBody is an answer with a success status and nothing in its
// body; it wraps into ErrMalformed, for its own hint.
var errEmptyBody = errors.New("empty body")

// transportFailure describes a request that got no answer, without the
// URL, which net/url errors repeat in full (query credentials included).
func (c *Client) transportFailure(err error) error {
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return fmt.Errorf("%w: %w (%s)", ErrTransport, errTimedOut, c.policy.Timeout)
	case errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &op) && op.Addr != nil:
		return fmt.Errorf("%w: %w by %s", ErrTransport, errRefused, op.Addr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: %w", ErrTransport, errRefused)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%w: %s", ErrTransport, c.red.text(err.Error()))
}

// retryWait is resty's RetryAfter callback: the wait the source asked
// for (Retry-After), failing the fetch when it is longer than
// max_retry_after, and otherwise capped exponential backoff.
func (c *Client) retryWait(_ *resty.Client, r *resty.Response) (time.Duration, error) {
	if w := retryAfter(r.Header(), time.Now()); w > 0 {
		if w > c.policy.MaxRetryAfter {
			return 0, errWaitTooLong{w}
		}
		return w, nil
	}
	return c.backoff(r.Request.Attempt), nil
}

// backoff is capped exponential backoff with "equal jitter": half fixed,
// half random, so retries of many clients spread out but never come
// back sooner than half the step.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.policy.BackoffMin << min(attempt-1, 30)
	if d <= 0 || d > c.policy.BackoffMax {
		d = c.policy.BackoffMax
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter reads Retry-After as seconds (fractions accepted) or an
// HTTP date; 0 when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func withQuery(raw, name, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// quiet keeps resty from logging on its own: its messages carry full
// URLs, query credentials included.
type quiet struct{}

func (quiet) Errorf(string, ...any) {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Debugf(string, ...any) {}
