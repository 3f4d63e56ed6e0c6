package listsync_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// A base64 credential (+ / =) comes back from a site percent-encoded:
// a CAS login redirect carries the request URL in its service=
// parameter (the key escaped twice), a gateway's error echoes the query
// string (escaped once). It leaked in those spellings into the error,
// the log, raw_pages and sync_runs, where a plain key read [redacted].
// No part of it may appear anywhere, and the evidence is still kept.
func TestEscapedCredentialsNeverShown(t *testing.T) {
	const secret = "SEKRITab+cd/ef=="
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
	}{
		{"login redirect", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/cas/login" {
				// The login page links back with the service it was
				// given, escaped once more.
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<html><body><h1>统一身份认证</h1><a href="/cas/login?service=%s">请登录</a> service=%s</body></html>`,
					url.QueryEscape(r.URL.Query().Get("service")), r.URL.RawQuery)
				return
			}
			http.Redirect(w, r, "/cas/login?service="+url.QueryEscape("http://"+r.Host+r.URL.RequestURI()), http.StatusFound)
		}},
		// An SSO login carries the request URL in base64 (the key in it
		// percent-encoded), in either alphabet, and its page shows it.
		{"SSO redirect, base64 returnUrl", ssoRedirect(base64.StdEncoding)},
		{"SSO redirect, base64url returnUrl", ssoRedirect(base64.URLEncoding)},
		// PHP's json_encode of a text json_encode made: the key's / is
		// written \\\/ and the message, quoted, showed \\/.
		{"double json_encode", func(w http.ResponseWriter, r *http.Request) {
			inner, _ := json.Marshal(map[string]string{"appkey": r.URL.Query().Get("appkey")})
			escaped := strings.ReplaceAll(string(inner), "/", `\/`)
			b, _ := json.Marshal(map[string]any{"status": "40101", "message": escaped, "data": escaped})
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(strings.ReplaceAll(string(b), "/", `\/`)))
		}},
		// A server that decoded the query twice ('+' a space) and
		// upper-cased its message.
		{"query decoded twice, upper-cased", func(w http.ResponseWriter, r *http.Request) {
			key, _ := url.QueryUnescape(r.URL.Query().Get("appkey"))
			b, _ := json.Marshal(map[string]any{"status": "40101", "message": strings.ToUpper("appkey " + key + " not authorized")})
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
		}},
		{"error echoing the query", func(w http.ResponseWriter, r *http.Request) {
			b, _ := json.Marshal(map[string]any{"status": "40101", "message": "签名无效: " + r.URL.RawQuery})
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			env := fmt.Sprintf("SYNC_TEST_BASE64_KEY_%d", i)
			os.Setenv(env, secret)
			site := httptest.NewServer(http.HandlerFunc(tt.handler))
			defer site.Close()
			src := e.source(dishonest)
			src.TokenEnv = env
			src.URL = site.URL + "/api/dishonest/list"
			res, err := e.sync(listsync.Options{}, dishonest)
			if err == nil {
				t.Fatal("the sync passed; want it failed on the site's answer")
			}
			shown := map[string][]string{
				"the error":       {err.Error()},
				"the result":      {fmt.Sprint(result(t, res, dishonest).Err)},
				"the log":         {e.log.String()},
				"raw_pages":       e.strings("SELECT concat(url, '\n', body, '\n', error) FROM raw_pages WHERE source = '" + dishonest + "'"),
				"sync_runs.error": e.strings("SELECT error FROM sync_runs WHERE source = '" + dishonest + "'"),
			}
			if !strings.Contains(strings.Join(shown["raw_pages"], "\n"), "[redacted]") {
				t.Errorf("the site's answer was not kept, redacted, as evidence: %q", shown["raw_pages"])
			}
			for where, texts := range shown {
				for _, text := range texts {
					// The key's first letters are in every spelling of
					// it but one escaping each byte, which no site here
					// writes: any of it left is a leak.
					if strings.Contains(text, "SEKRIT") {
						t.Errorf("%s shows the credential: %s", where, text)
					}
				}
			}
		})
	}
}

// ssoRedirect is a site that sends every request to its SSO login with
// the request URL in base64 (enc), and whose login page shows it.
func ssoRedirect(enc *base64.Encoding) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sso/login" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<html><body><h1>统一身份认证</h1><form action="/sso/login"><input type="hidden" name="returnUrl" value="%s"></form></body></html>`,
				r.URL.Query().Get("returnUrl"))
			return
		}
		back := enc.EncodeToString([]byte("http://" + r.Host + r.URL.RequestURI()))
		http.Redirect(w, r, "/sso/login?returnUrl="+back, http.StatusFound)
	}
}
