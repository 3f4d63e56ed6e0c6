package listsync_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

const example = "../../creditsync.example.toml"

func TestExampleConfig(t *testing.T) {
	t.Parallel()
	cfg, err := listsync.LoadConfig(example)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Sources) != 9 {
		t.Fatalf("%d sources", len(cfg.Sources))
	}
	enabled, _ := cfg.Enabled(nil)
	if len(enabled) != 4 {
		t.Errorf("%d enabled sources, want the 4 preset ones", len(enabled))
	}
	p := cfg.Sources[0]
	if p.List != "penalties" || p.Kind != listsync.KindAPI || p.Fields["record_id"] != "PENDECNO" || p.AuthHeader != "X-Api-Token" || p.Timeout != 30*time.Second {
		t.Errorf("preset not applied: %+v", p)
	}
	if a := cfg.Sources[1]; a.Rate != 0.5 || a.DateFormats["listed_on"] != "unix_ms" {
		t.Errorf("override or preset lost: rate %v, formats %v", a.Rate, a.DateFormats)
	}
	// The example documents every key the decoder knows.
	text, _ := os.ReadFile(example)
	for _, key := range listsync.Keys() {
		re := regexp.MustCompile(`(?m)^(#\s*)?` + regexp.QuoteMeta(key) + `\s*=|^\[source\.` + regexp.QuoteMeta(key) + `\]`)
		if !re.Match(text) {
			t.Errorf("creditsync.example.toml does not show key %s", key)
		}
	}
	ref := listsync.Reference()
	for _, key := range listsync.Keys() {
		if !strings.Contains(ref, "  "+key+" ") {
			t.Errorf("Reference() lacks %s", key)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	base := "[[source]]\nname = \"p\"\npreset = \"penalties\"\nurl = \"http://127.0.0.1/x\"\ntoken_env = \"X\"\n"
	if _, err := listsync.ParseConfig(base); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if _, err := listsync.ParseConfig("[schedule]\nsync = \"0 1 * * *\"\n" + base); err != nil {
		t.Errorf("other tables of the file must be left alone: %v", err)
	}
	tests := map[string]string{
		"unknown key":          base + "colour = \"red\"\n",
		"unknown preset":       strings.Replace(base, `"penalties"`, `"nonsense"`, 1),
		"no credential source": strings.Replace(base, "token_env = \"X\"\n", "", 1),
		"duplicate name":       base + base,
		"bad name":             strings.Replace(base, `"p"`, `"P Q"`, 1),
		"unknown field column": base + "[source.fields]\nnonsense = \"X\"\n",
		"bad pagination":       base + "pagination = \"offset\"\n",
		"bad mode":             base + "mode = \"sometimes\"\n",
		"incremental no since": base + "mode = \"incremental\"\n",
		"internal list":        base + "list = \"institutions\"\n",
		"bad shrink":           base + "max_shrink = 1.5\n",
		"html without rows":    "[[source]]\nname = \"h\"\nlist = \"public_eval\"\nkind = \"html\"\nurl = \"http://127.0.0.1/\"\nheader_selector = \"th\"\nnext_selector = \"a\"\n",
		"file without path":    "[[source]]\nname = \"f\"\nlist = \"dishonest\"\nkind = \"file\"\n",
		"bad duration":         base + "timeout = \"soon\"\n",
	}
	for name, text := range tests {
		if _, err := listsync.ParseConfig(text); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, listsync.ErrConfig) && name != "bad duration" {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	if _, err := listsync.LoadConfig(filepath.Join(t.TempDir(), "missing.toml")); !errors.Is(err, listsync.ErrConfig) || !strings.Contains(err.Error(), "creditsync.example.toml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestEnabled(t *testing.T) {
	t.Parallel()
	cfg, err := listsync.LoadConfig(example)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Enabled([]string{"county-evaluations"})
	if err != nil || len(got) != 1 || !got[0].Disabled {
		t.Errorf("a disabled source named explicitly: %v %v", got, err)
	}
	if _, err := cfg.Enabled([]string{"nope"}); !errors.Is(err, listsync.ErrConfig) || !strings.Contains(err.Error(), "publicity-penalties") {
		t.Errorf("unknown source: %v", err)
	}
}

// Credentials written in a source's configured URL, under the names
// gateways give them and in a key-like path segment, appear nowhere a
// sync stores or shows the URL: the records' source_ref, their batch's,
// raw_pages, the error of a failed sync (returned and in sync_runs) and
// the log. The address is still readable: its other parameters stay.
func TestCredentialsInTheConfiguredURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const segment = "9f8e7d6c5b4a39281706f5e4d3c2b1a0" // a gateway's key, in its path
	secrets := []string{segment}
	query := "area=411000"
	for _, name := range []string{"accessKey", "access_key", "appSecret", "authToken", "secretKey", "sid", "jwt", "AppKey", "X-Amz-Signature"} {
		v := "cfg-" + strings.ToLower(strings.ReplaceAll(name, "_", "")) + "-7Hq2"
		secrets = append(secrets, v)
		query += "&" + name + "=" + v
	}
	site, err := url.Parse(e.fx.URL(fixture.Penalties))
	if err != nil {
		t.Fatal(err)
	}
	gateway := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: site.Scheme, Host: site.Host})
		r.Out.URL.Path, r.Out.URL.RawPath = strings.Replace(r.In.URL.Path, "/gw/"+segment, "", 1), ""
	}})
	defer gateway.Close()
	e.source(penalties).URL = gateway.URL + "/gw/" + segment + site.Path + "?" + query

	e.mustSync(penalties)
	e.fx.Inject(fixture.Penalties, fixture.Fault{Kind: fixture.ServerError, Page: 2})
	_, syncErr := e.sync(listsync.Options{Full: true}, penalties)
	if syncErr == nil || !strings.Contains(syncErr.Error(), "/gw/REDACTED/") {
		t.Fatalf("a sync whose page 2 fails: %v; want an error naming the redacted URL", syncErr)
	}
	shown := map[string][]string{
		"penalties.source_ref":      e.strings("SELECT DISTINCT source_ref FROM penalties"),
		"import_batches.source_ref": e.strings("SELECT DISTINCT source_ref FROM import_batches WHERE list = 'penalties'"),
		"raw_pages.url":             e.strings("SELECT DISTINCT url FROM raw_pages WHERE source = '" + penalties + "'"),
		"sync_runs.error":           e.strings("SELECT error FROM sync_runs WHERE source = '" + penalties + "' AND error != ''"),
		"the error":                 {syncErr.Error()},
		"the log":                   {e.log.String()},
	}
	for where, texts := range shown {
		if len(texts) == 0 || !strings.Contains(strings.Join(texts, "\n"), "area=411000") {
			t.Errorf("%s: %q, want the address with its other parameters", where, texts)
		}
		for _, text := range texts {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("%s shows the credential %s: %s", where, s, text)
				}
			}
		}
	}
}

// An HTML source's token_env with auth_header (or auth_query) sends its
// credential, as an API source's does: a city site behind a gateway that
// wants a key answered 401 to every page, the key configured and
// silently left out.
func TestHTMLSourceSendsItsCredential(t *testing.T) {
	t.Parallel()
	e := newShapedEnv(t)
	src := e.source(cityAbnormal)
	site, err := url.Parse(src.PageTemplate)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: site.Scheme, Host: site.Host})
	}}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Gateway-Key") != fixture.DefaultToken {
			http.Error(w, `{"code":401,"msg":"缺少访问凭证"}`, http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer gateway.Close()
	src.PageTemplate = gateway.URL + site.Path + "?" + site.RawQuery
	src.TokenEnv, src.AuthHeader = fixture.EnvToken, "X-Gateway-Key"
	if r := result(t, e.mustSync(cityAbnormal), cityAbnormal); r.Rows == 0 || r.Err != nil {
		t.Errorf("%+v; want the listing read through the gateway", r)
	}
}
