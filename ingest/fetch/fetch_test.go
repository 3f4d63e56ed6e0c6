package fetch_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
)

// quick is a policy for tests: millisecond backoffs, no rate limit.
func quick() fetch.Policy {
	return fetch.Policy{Timeout: 2 * time.Second, Retries: 3, BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
}

func start(t *testing.T) *fixture.Server {
	t.Helper()
	d, err := fixture.ReadDir(filepath.Join("..", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	s := fixture.Start(d, fixture.Options{})
	t.Cleanup(s.Close)
	return s
}

func logger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		faults   []fixture.Fault
		retries  int
		timeout  time.Duration
		wantErr  error
		requests int
		minTime  time.Duration
	}{
		{"500 twice then fine", []fixture.Fault{{Kind: fixture.ServerError, Times: 2}}, 3, 0, nil, 3, 0},
		// retries = 0: resty asks no retry condition; the one attempt
		// must still be classified, fine or not.
		{"no retries, fine", nil, 0, 0, nil, 1, 0},
		{"no retries, 500", []fixture.Fault{{Kind: fixture.ServerError}}, 0, 0, fetch.ErrStatus, 1, 0},
		{"no retries, challenge", []fixture.Fault{{Kind: fixture.Refresh40001}}, 0, 0, fetch.ErrChallenge, 1, 0},
		{"500 for good", []fixture.Fault{{Kind: fixture.ServerError}}, 2, 0, fetch.ErrStatus, 3, 0},
		{"429 honours Retry-After", []fixture.Fault{{Kind: fixture.TooManyRequests, RetryAfter: 300 * time.Millisecond, Times: 1}}, 3, 0, nil, 2, 300 * time.Millisecond},
		{"Retry-After beyond the cap fails at once", []fixture.Fault{{Kind: fixture.TooManyRequests, RetryAfter: time.Hour}}, 3, 0, fetch.ErrStatus, 1, 0},
		{"slow answer times out and is retried", []fixture.Fault{{Kind: fixture.Slow, Delay: time.Second, Times: 1}}, 3, 100 * time.Millisecond, nil, 2, 100 * time.Millisecond},
		{"slow for good", []fixture.Fault{{Kind: fixture.Slow, Delay: time.Second}}, 1, 50 * time.Millisecond, fetch.ErrTransport, 2, 0},
		{"521 challenge is not retried", []fixture.Fault{{Kind: fixture.JSChallenge}}, 3, 0, fetch.ErrChallenge, 1, 0},
		{"412 challenge", []fixture.Fault{{Kind: fixture.Precondition412}}, 3, 0, fetch.ErrChallenge, 1, 0},
		{"40001 with HTTP 200", []fixture.Fault{{Kind: fixture.Refresh40001}}, 3, 0, fetch.ErrChallenge, 1, 0},
		// 200 with an empty body is a passing fault of the server, with
		// no check of the caller's needed to say so.
		{"empty body once, then fine", []fixture.Fault{{Kind: fixture.EmptyBody, Times: 1}}, 3, 0, nil, 2, 0},
		{"empty body for good", []fixture.Fault{{Kind: fixture.EmptyBody}}, 2, 0, fetch.ErrMalformed, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t)
			s.Inject(fixture.Penalties, tt.faults...)
			p := quick()
			p.Retries = tt.retries
			if tt.timeout > 0 {
				p.Timeout = tt.timeout
			}
			c := fetch.New("penalties", p, fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(s.Token)}, nil)
			began := time.Now()
			resp, err := c.Get(context.Background(), s.URL(fixture.Penalties), nil)
			took := time.Since(began)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err == nil && resp.Status != 200 {
				t.Errorf("status %d", resp.Status)
			}
			if got := s.Requests(fixture.Penalties); got != tt.requests {
				t.Errorf("%d requests reached the source, want %d", got, tt.requests)
			}
			if took < tt.minTime {
				t.Errorf("took %s, want at least %s", took, tt.minTime)
			}
			if err != nil && fetch.HintFor(err) == "" {
				t.Errorf("no hint for %v", err)
			}
		})
	}
}

func TestMalformedBodyIsRetried(t *testing.T) {
	s := start(t)
	s.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.Truncated, Times: 1})
	c := fetch.New("penalties", quick(), fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(s.Token)}, nil)
	check := func(r *fetch.Response) error {
		if !bytes.HasSuffix(r.Body, []byte("}")) {
			return fmt.Errorf("%w: truncated", fetch.ErrMalformed)
		}
		return nil
	}
	if _, err := c.Get(context.Background(), s.URL(fixture.Penalties), check); err != nil {
		t.Fatal(err)
	}
	if n := s.Requests(fixture.Penalties); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// Credentials must never reach errors or logs, whether sent as a header
// or in the query, and even when the source echoes them back.
func TestCredentialsStaySecret(t *testing.T) {
	s := start(t)
	const wrong = "wrong-but-secret-token-123"
	log, buf := logger()
	c := fetch.New("penalties", quick(), fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(wrong)}, log)
	resp, err := c.Get(context.Background(), s.URL(fixture.Penalties), nil)
	if !errors.Is(err, fetch.ErrAuth) {
		t.Fatalf("error %v, want ErrAuth", err)
	}
	if resp == nil || !bytes.Contains(resp.Body, []byte("[redacted]")) || bytes.Contains(resp.Body, []byte(wrong)) {
		t.Errorf("echoed body not redacted: %s", resp.Body)
	}

	s.Inject(fixture.Dishonest, fixture.Fault{Kind: fixture.ServerError})
	c = fetch.New("dishonest", quick(), fetch.Auth{Query: "appkey", Secret: fetch.NewSecret(s.APIKey)}, log)
	_, err2 := c.Get(context.Background(), s.URL(fixture.Dishonest)+"?limit=5", nil)
	if !errors.Is(err2, fetch.ErrStatus) || !strings.Contains(err2.Error(), "appkey=REDACTED") {
		t.Errorf("error %v, want ErrStatus naming the redacted URL", err2)
	}
	// A transport failure: net/url errors repeat the full URL.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	_, err3 := c.Get(context.Background(), dead.URL+"/x", nil)
	if !errors.Is(err3, fetch.ErrTransport) {
		t.Errorf("error %v, want ErrTransport", err3)
	}
	for _, text := range []string{err.Error(), err2.Error(), err3.Error(), buf.String(), fmt.Sprintf("%v %+v %#v", fetch.NewSecret(wrong), fetch.NewSecret(wrong), fetch.NewSecret(wrong))} {
		if strings.Contains(text, wrong) || strings.Contains(text, s.APIKey) {
			t.Errorf("credential leaked: %s", text)
		}
	}
	if !strings.Contains(buf.String(), "retrying") {
		t.Errorf("retries were not logged: %s", buf.String())
	}
}

func TestRateLimit(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); fmt.Fprint(w, "ok") }))
	defer srv.Close()
	p := quick()
	p.Rate, p.Burst = 20, 1
	c := fetch.New("x", p, fetch.Auth{}, nil)
	began := time.Now()
	for range 5 {
		if _, err := c.Get(context.Background(), srv.URL, nil); err != nil {
			t.Fatal(err)
		}
	}
	// 5 requests at 20/s with a burst of 1: at least 4 intervals of 50 ms.
	if took := time.Since(began); took < 190*time.Millisecond {
		t.Errorf("5 requests took %s; the rate limit allows no fewer than 200ms", took)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	s := start(t)
	s.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.ServerError})
	p := quick()
	p.Retries, p.BackoffMin, p.BackoffMax = 10, time.Second, time.Second
	c := fetch.New("penalties", p, fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(s.Token)}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, s.URL(fixture.Penalties), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the context's", err)
	}
}

func TestSecretFrom(t *testing.T) {
	t.Setenv("FETCH_TEST_TOKEN", " s3cret-value \n")
	sec, err := fetch.SecretFrom("FETCH_TEST_TOKEN", "")
	if err != nil || sec.IsZero() || sec.String() != "[redacted]" {
		t.Fatalf("from env: %v %v", sec, err)
	}
	if _, err := fetch.SecretFrom("FETCH_TEST_UNSET_VARIABLE", ""); !errors.Is(err, fetch.ErrSecret) || !strings.Contains(err.Error(), "FETCH_TEST_UNSET_VARIABLE") {
		t.Errorf("unset variable: %v", err)
	}
	path := filepath.Join(t.TempDir(), "token")
	os.WriteFile(path, []byte("file-secret-value\nignored"), 0o600)
	if sec, err := fetch.SecretFrom("", path); err != nil || sec.IsZero() {
		t.Errorf("from file: %v", err)
	}
	if _, err := fetch.SecretFrom("", path+".missing"); !errors.Is(err, fetch.ErrSecret) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLooksLikeChallenge(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`<html><body><script>document.cookie=('_')+('_j');location.href=location.pathname</script></body></html>`, true},
		{`<html><title>安全验证</title><div class="geetest_slider"></div></html>`, true},
		{`{"status":40001,"message":"请刷新后重试！"}`, true},
		{`{"status":"40001","message":""}`, true},
		{`<form><input type="password" name="pwd"></form>`, true},
		{`{"status":1,"message":"成功","data":{"list":[]}}`, false},
		{`<table class="list"><tr><td>许昌</td></tr></table>`, false},
	}
	for _, tt := range tests {
		if _, got := fetch.LooksLikeChallenge([]byte(tt.body)); got != tt.want {
			t.Errorf("LooksLikeChallenge(%.40q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

// Answers that arrive broken are malformed, not network trouble, and a
// failure on a page the site redirected elsewhere says where it went.
// A 403 to a source that sends no credential refused no credential: a
// WAF, a rate limiter or an IP ban turned the client away. It read
// "credentials refused", with a hint about token_env. It says what
// happened; a Retry-After within max_retry_after is waited for and the
// page asked again, a longer one is named. With a credential sent, a 403
// is still a credential refused.
func TestForbiddenWithoutCredentials(t *testing.T) {
	var brief atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/waf":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "forbidden", http.StatusForbidden)
		case "/banned":
			http.Error(w, "forbidden", http.StatusForbidden)
		case "/brief":
			if brief.Add(1) == 1 {
				w.Header().Set("Retry-After", "0.01")
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			fmt.Fprint(w, "<html>ok</html>")
		}
	}))
	defer srv.Close()
	c := fetch.New("city", quick(), fetch.Auth{}, nil)
	for _, tt := range []struct{ path, want string }{
		{"/waf", "come back after 1h0m0s (Retry-After), longer than max_retry_after 2s"},
		{"/banned", "the source sends no credential"},
	} {
		_, err := c.Get(context.Background(), srv.URL+tt.path, nil)
		if !errors.Is(err, fetch.ErrBlocked) || errors.Is(err, fetch.ErrAuth) || !strings.Contains(err.Error(), tt.want) ||
			strings.Contains(err.Error(), "token_env") || !strings.Contains(err.Error(), "HTTP 403") {
			t.Errorf("%s: %v; want ErrBlocked saying %q, no hint about credentials", tt.path, err, tt.want)
		}
	}
	if resp, err := c.Get(context.Background(), srv.URL+"/brief", nil); err != nil || string(resp.Body) != "<html>ok</html>" || resp.Attempts != 2 {
		t.Errorf("a 403 with a short Retry-After: %v; want the page on the second attempt", err)
	}
	withToken := fetch.New("city", quick(), fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret("tok-0123456789")}, nil)
	if _, err := withToken.Get(context.Background(), srv.URL+"/banned", nil); !errors.Is(err, fetch.ErrAuth) {
		t.Errorf("a 403 to a source that sends a credential: %v; want ErrAuth", err)
	}
}

func TestBrokenAnswersSayWhatBroke(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			fmt.Fprint(w, "<html>not compressed</html>")
		case "/short":
			w.Header().Set("Content-Length", "1000")
			fmt.Fprint(w, "<html>cut")
		case "/gzip-past-its-length", "/gzip-short-of-its-length":
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			fmt.Fprint(zw, `<html><body><table class="list"><tr><td>许昌甲人力资源有限公司</td></tr></table></body></html>`)
			zw.Close()
			length := z.Len() - 10 // the announced bytes are sent, the stream's end is not
			if r.URL.Path == "/gzip-short-of-its-length" {
				length = z.Len() + 10 // the stream is sent, and the connection closed short
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(length))
			w.Write(z.Bytes()[:min(length, z.Len())])
		case "/chunked-cut", "/gzip-chunked-cut":
			// A body sent in chunks, the connection closed after the
			// first: no length was announced.
			body := []byte("<html><body><table class=\"list\"><tr><td>许昌甲人力资源有限公司</td></tr>")
			head := "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
			if r.URL.Path == "/gzip-chunked-cut" {
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(body)
				zw.Close()
				body = z.Bytes()[:z.Len()/2]
				head += "Content-Encoding: gzip\r\n"
			}
			conn, buf, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(buf, "%s\r\n%x\r\n%s\r\n", head, len(body), body)
			buf.Flush()
			conn.Close()
		case "/list":
			http.Redirect(w, r, "/login?from=list", http.StatusFound)
		case "/login":
			fmt.Fprint(w, "<html><form>用户名</form></html>")
		}
	}))
	defer srv.Close()
	p := quick()
	p.Retries = 1
	c := fetch.New("site", p, fetch.Auth{}, nil)
	// A gzip stream longer than the Content-Length announced ends short
	// at that length: it said "the answer ended before the length it
	// announced", the reason of a body short of its length.
	for _, tt := range []struct{ path, want string }{
		{"/gzip", "Content-Encoding"},
		{"/short", "the answer ended before the length it announced (Content-Length)"},
		{"/gzip-past-its-length", "the compressed stream runs past the"},
		{"/gzip-short-of-its-length", "the answer ended before the length it announced (Content-Length)"},
		// A chunked body cut short announced no length: it read as
		// "ended before the length it announced (Content-Length)".
		{"/chunked-cut", "sent in chunks (Transfer-Encoding: chunked) and the connection closed before the last one"},
		{"/gzip-chunked-cut", "sent in chunks (Transfer-Encoding: chunked) and the connection closed before the last one"},
	} {
		_, err := c.Get(context.Background(), srv.URL+tt.path, nil)
		if !errors.Is(err, fetch.ErrMalformed) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "did not answer in time") {
			t.Errorf("%s: %v; want ErrMalformed saying %q", tt.path, err, tt.want)
		}
	}
	notList := func(r *fetch.Response) error { return fmt.Errorf("%w: no table", fetch.ErrLayout) }
	_, err := c.Get(context.Background(), srv.URL+"/list", notList)
	if !errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), "redirected the request to "+srv.URL+"/login?from=list") {
		t.Errorf("a page redirected to sign in: %v", err)
	}
}

// A source's credentials go to its own host only. net/http drops
// Authorization on a redirect to another host but copies X-Api-Token,
// and a site's Location may repeat the query credential: such a redirect
// fails the page, naming both hosts, before anything reaches the other
// host. Within the host (a moved path) redirects are followed, with the
// credential; a source without credentials follows them as before.
func TestRedirectKeepsCredentialsOnTheirHost(t *testing.T) {
	const secret = "APPKEY-S3CRET-999"
	var elsewhere atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"code":200,"data":{"total":0,"list":[]}}`)
	}))
	other.Listener.Close()
	other.Listener = ln
	other.Start()
	defer other.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/sxmd/list": // moved to another host, query and all
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
		case "/old/list": // moved within the host
			http.Redirect(w, r, "/api/v2/list?"+r.URL.RawQuery, http.StatusMovedPermanently)
		case "/api/v2/list":
			if r.Header.Get("X-Api-Token") != secret && r.URL.Query().Get("appkey") != secret {
				w.WriteHeader(http.StatusUnauthorized)
			}
			fmt.Fprint(w, `{"code":200,"data":{"total":0,"list":[]}}`)
		}
	}))
	defer site.Close()
	siteHost, otherHost := strings.TrimPrefix(site.URL, "http://"), strings.TrimPrefix(other.URL, "http://")
	tests := []struct {
		name      string
		auth      fetch.Auth
		path      string
		wantErr   error
		elsewhere int32
	}{
		{"header credential, another host", fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(secret)}, "/api/sxmd/list?pageNum=1", fetch.ErrRedirect, 0},
		{"query credential, another host", fetch.Auth{Query: "appkey", Secret: fetch.NewSecret(secret)}, "/api/sxmd/list?pageNum=1", fetch.ErrRedirect, 0},
		{"header credential, same host", fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(secret)}, "/old/list?pageNum=1", nil, 0},
		{"query credential, same host", fetch.Auth{Query: "appkey", Secret: fetch.NewSecret(secret)}, "/old/list?pageNum=1", nil, 0},
		{"no credential, another host", fetch.Auth{}, "/api/sxmd/list?pageNum=1", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elsewhere.Store(0)
			p := quick()
			c := fetch.New("hn-penalties", p, tt.auth, nil)
			_, err := c.Get(context.Background(), site.URL+tt.path, nil)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got := elsewhere.Load(); got != tt.elsewhere {
				t.Errorf("%d requests reached the other host, want %d", got, tt.elsewhere)
			}
			if err == nil {
				return
			}
			if msg := err.Error(); !strings.Contains(msg, siteHost) || !strings.Contains(msg, otherHost) || strings.Contains(msg, secret) {
				t.Errorf("error %q: want both hosts named (%s, %s) and no credential", msg, siteHost, otherHost)
			}
			if fetch.HintFor(err) == "" {
				t.Errorf("no hint for %v", err)
			}
		})
	}
}

// Content-Encoding: deflate is decoded in both forms sites send it: raw
// deflate (IIS, PHP's gzdeflate) and zlib (RFC 9110). Undecoded, its
// bytes failed as a page in the wrong charset. A body that is not the
// deflate it says is malformed compression, and so retried.
func TestDeflateBodies(t *testing.T) {
	page := []byte(`{"code":200,"msg":"操作成功","data":{"total":40,"list":[` +
		strings.Repeat(`{"entName":"许昌启航劳务派遣有限公司","creditCode":"91411000047317523C","rdrq":"2024-03-05"},`, 39) +
		`{"entName":"禹州聚贤人才服务中心","creditCode":"52411081MJDBNYML33","rdrq":"2024-07-01"}]}}`)
	compress := func(zlibbed bool) []byte {
		var b bytes.Buffer
		var w io.WriteCloser
		if zlibbed {
			w = zlib.NewWriter(&b)
		} else {
			w, _ = flate.NewWriter(&b, flate.DefaultCompression)
		}
		w.Write(page)
		w.Close()
		return b.Bytes()
	}
	raw, zlibbed := compress(false), compress(true)
	tests := []struct {
		name string
		body []byte
		want error // nil: the page arrives as sent
	}{
		{"raw deflate", raw, nil},
		{"zlib", zlibbed, nil},
		{"not compressed", page, fetch.ErrMalformed},
		{"raw deflate cut short", raw[:len(raw)/2], fetch.ErrMalformed},
		{"zlib with a wrong checksum", append(bytes.Clone(zlibbed[:len(zlibbed)-1]), zlibbed[len(zlibbed)-1]^0xff), fetch.ErrMalformed},
		{"zlib followed by more", append(bytes.Clone(zlibbed), page...), fetch.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				w.Header().Set("Content-Encoding", "deflate")
				w.Write(tt.body)
			}))
			defer srv.Close()
			p := quick()
			p.Retries = 1
			c := fetch.New("platform-penalties", p, fetch.Auth{}, nil)
			resp, err := c.Get(context.Background(), srv.URL+"/api/sxmd/list?pageNum=1", nil)
			if tt.want == nil {
				if err != nil || !bytes.Equal(resp.Body, page) {
					t.Fatalf("%v; body %.60q, want the page", err, resp.Body)
				}
				if _, err := fetch.Decode(resp.Body, resp.Header.Get("Content-Type")); err != nil {
					t.Errorf("decoded page: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "Content-Encoding") || errors.Is(err, fetch.ErrCharset) {
				t.Errorf("%v; want malformed compression", err)
			}
			if n.Load() != 2 {
				t.Errorf("%d requests, want 2: malformed answers are retried", n.Load())
			}
		})
	}
}

// Every Content-Encoding label a site may send: x-gzip is gzip (RFC 9110
// §8.4.1.3; Apache serves pre-compressed files so) and identity is none,
// whatever their case and spacing. An encoding not decoded (br, zstd,
// compress, codings stacked) fails at once saying which, not as bytes
// invalid in their charset or broken JSON, as x-gzip did; an error
// status in one is still that status, retried. The page is GBK, as the
// city's are, so that undecoded bytes would fail as a charset.
func TestContentEncodings(t *testing.T) {
	const contentType = "application/json;charset=GBK"
	page, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(`{"code":200,"data":{"total":1,"list":[{"cf_xdr_mc":"建安区乙人力资源服务有限公司","cf_nr":"罚款5000元"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	var zl bytes.Buffer
	zlw := zlib.NewWriter(&zl)
	zlw.Write(page)
	zlw.Close()
	tests := []struct {
		label    string
		status   int
		body     []byte
		want     error // nil: the page arrives as sent
		requests int32
	}{
		{"gzip", 200, gz.Bytes(), nil, 1},
		{"x-gzip", 200, gz.Bytes(), nil, 1},
		{"X-GZIP", 200, gz.Bytes(), nil, 1},
		{" x-gzip ", 200, gz.Bytes(), nil, 1},
		{"deflate", 200, zl.Bytes(), nil, 1},
		{"identity", 200, page, nil, 1},
		{"Identity, x-gzip", 200, gz.Bytes(), nil, 1},
		{"br", 200, gz.Bytes(), fetch.ErrMalformed, 1},
		{"zstd", 200, gz.Bytes(), fetch.ErrMalformed, 1},
		{"x-compress", 200, gz.Bytes(), fetch.ErrMalformed, 1},
		{"compress", 200, gz.Bytes(), fetch.ErrMalformed, 1},
		{"x-deflate", 200, zl.Bytes(), fetch.ErrMalformed, 1},
		{"gzip, gzip", 200, gz.Bytes(), fetch.ErrMalformed, 1},
		{"br", 503, gz.Bytes(), fetch.ErrStatus, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q %d", tt.label, tt.status), func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", contentType)
				w.Header().Set("Content-Encoding", tt.label)
				w.WriteHeader(tt.status)
				w.Write(tt.body)
			}))
			defer srv.Close()
			p := quick()
			p.Retries = 1
			c := fetch.New("platform-penalties", p, fetch.Auth{}, nil)
			resp, err := c.Get(context.Background(), srv.URL+"/api/sxmd/list?pageNum=1", nil)
			if n.Load() != tt.requests {
				t.Errorf("%d requests, want %d", n.Load(), tt.requests)
			}
			if tt.want == nil {
				if err != nil || !bytes.Equal(resp.Body, page) {
					t.Fatalf("%v; body %.60q, want the page", err, resp.Body)
				}
				if _, err := fetch.Decode(resp.Body, resp.Header.Get("Content-Type")); err != nil {
					t.Errorf("decoded page: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || errors.Is(err, fetch.ErrCharset) {
				t.Fatalf("%v; want %v", err, tt.want)
			}
			if tt.want == fetch.ErrStatus {
				return
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("encoded as %q (Content-Encoding), which is not supported", tt.label)) ||
				!strings.Contains(msg, "hint: the site sends its answers compressed in an encoding creditsync does not decode") {
				t.Errorf("%v; want the encoding named as not supported, and its hint", err)
			}
		})
	}
}

// A request that got no answer says why, and the hint fits: a refused
// connection names the address that refused it (the site is down or
// moved; a longer timeout would not help), a slow source the timeout.
func TestNoAnswerSaysWhy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	}))
	defer slow.Close()
	tests := []struct {
		name, url        string
		text, hint       string
		notText, notHint string
	}{
		{"refused", "http://" + closed + "/xyxx/jyyc/list.jsp?pageNo=1", "connection refused by " + closed, "nothing accepted the connection", "timeout", "in time"},
		{"timed out", slow.URL + "/xyxx/jyyc/list.jsp?pageNo=1", "no answer within the timeout (50ms)", "did not answer in time", "refused", "nothing accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := quick()
			p.Retries, p.Timeout = 1, 50*time.Millisecond
			_, err := fetch.New("xc-abnormal", p, fetch.Auth{}, nil).Get(context.Background(), tt.url, nil)
			if !errors.Is(err, fetch.ErrTransport) {
				t.Fatalf("error %v, want ErrTransport", err)
			}
			msg, hint := err.Error(), fetch.HintFor(err)
			if !strings.Contains(msg, tt.text) || strings.Contains(msg, tt.notText) {
				t.Errorf("error %q: want it to say %q", msg, tt.text)
			}
			if !strings.Contains(hint, tt.hint) || strings.Contains(hint, tt.notHint) {
				t.Errorf("hint %q: want %q, not %q", hint, tt.hint, tt.notHint)
			}
		})
	}
}

// A source URL's credentials are redacted wherever a URL is shown or
// stored, under whatever name a gateway gives them (split into words:
// accessKey, access_key, appSecret, X-Amz-Signature) and in a long
// opaque path segment; everything else stays as written: paging and
// query parameters, names in the path, a page template's {page}.
func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://u:pw0@127.0.0.1:19301/api/SECRETPATHSEG0123456789abcdef/abn?region=411000&accessKey=S1&authToken=S2&appSecret=S3&secretKey=S4&access_key=S5&sid=S6&jwt=S7&Token=S8",
			"http://u@127.0.0.1:19301/api/REDACTED/abn?region=411000&accessKey=REDACTED&authToken=REDACTED&appSecret=REDACTED&secretKey=REDACTED&access_key=REDACTED&sid=REDACTED&jwt=REDACTED&Token=REDACTED"},
		{"https://api.example.gov.cn/v1/list?X-Amz-Credential=a%2Fb&X-Amz-Signature=f00&ak=A&sk=B&APIKey=C&apikey=D&sign2=E&JSESSIONID=F&ticket=G&pwd=H&passcode=I",
			"https://api.example.gov.cn/v1/list?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&ak=REDACTED&sk=REDACTED&APIKey=REDACTED&apikey=REDACTED&sign2=REDACTED&JSESSIONID=REDACTED&ticket=REDACTED&pwd=REDACTED&passcode=REDACTED"},
		{"http://127.0.0.1/html/abn?page={page}", "http://127.0.0.1/html/abn?page={page}"},
		{"http://127.0.0.1/html/abn?page={page}&key=SECRETHTMLKEY", "http://127.0.0.1/html/abn?page={page}&key=REDACTED"},
		{"http://127.0.0.1/ycml/list_{page}.html?key=K#top", "http://127.0.0.1/ycml/list_{page}.html?key=REDACTED#top"},
		{"https://h.gov.cn/xxgk/administrative-penalties/index_2.html?pageNo=2&pageSize=50&pageNum=3&size=10&keyword=%E8%AE%B8%E6%98%8C&authority=x&region=411000&cursor=c2",
			"https://h.gov.cn/xxgk/administrative-penalties/index_2.html?pageNo=2&pageSize=50&pageNum=3&size=10&keyword=%E8%AE%B8%E6%98%8C&authority=x&region=411000&cursor=c2"},
		{"https://h.gov.cn/hook/123e4567-e89b-12d3-a456-426614174000/send", "https://h.gov.cn/hook/REDACTED/send"},
		{"https://h.gov.cn/api/d41d8cd98f00b204e9800998ecf8427e/list", "https://h.gov.cn/api/REDACTED/list"},
		{"https://h.gov.cn/channels/202401011234567890.html", "https://h.gov.cn/channels/202401011234567890.html"},
	} {
		if got := fetch.RedactURL(tt.in, fetch.Auth{}); got != tt.want {
			t.Errorf("RedactURL(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// A page kept before a spelling of the credential was known to the
// redactor is redacted again when a replay reads it: the replay shows
// what today's redactor shows.
func TestArchivedPageRedactedAgain(t *testing.T) {
	const key = "SEKRITab+cd/ef=="
	c := fetch.New("penalties", quick(), fetch.Auth{Query: "appkey", Secret: fetch.NewSecret(key)}, nil)
	kept := &fetch.Response{URL: "http://site/list", Status: 401, Body: []byte(`{"msg":"appkey ` + key + ` 无效"}`)}
	resp, err := c.Archived(kept, nil)
	if err == nil {
		t.Fatal("a 401 kept judged fine")
	}
	if strings.Contains(string(resp.Body), "SEKRIT") || strings.Contains(err.Error(), "SEKRIT") {
		t.Errorf("the kept body still shows the key: %s; %v", resp.Body, err)
	}
	if !strings.Contains(string(kept.Body), key) {
		t.Errorf("the kept page itself changed: %s", kept.Body)
	}
}
