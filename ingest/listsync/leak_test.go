package listsync_test

import (
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
