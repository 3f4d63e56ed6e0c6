package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// findChromium returns Debian's chromium, which `make test` installs
// (scripts/install-chromium.sh). Without it the test fails: a dashboard
// nobody loaded in a browser is not tested.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH; run make setup chromium (scripts/install-chromium.sh installs Debian's)")
	return ""
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// TestDashboardInChromium loads a county dashboard in a real browser,
// signed in through the login link, and checks that the charts are in the
// DOM the browser built: the month columns of stacked bars and the lines
// of the C+D share.
func TestDashboardInChromium(t *testing.T) {
	bin := findChromium(t)
	ts := httptest.NewServer(newServer(t, testConfig()).Handler())
	defer ts.Close()
	profile, err := os.MkdirTemp("", "creditsync-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: chromium's helpers may still write there when it
	// returns, and a failed cleanup would fail the test.
	defer os.RemoveAll(profile)

	target := ts.URL + "/login?" + url.Values{"token": {weiduToken}, "next": {"/counties/411002?from=2025-09&to=2026-07"}}.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+profile,
		"--dump-dom", target)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, tail(stderr.String(), 2000))
	}
	root, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var h1 string
	var walk func(n *html.Node, inSVG bool)
	walk = func(n *html.Node, inSVG bool) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "svg":
				counts["svg"]++
				inSVG = true
			case inSVG && n.Data == "rect" && strings.Contains(attr(n, "class"), "bar"):
				counts["bar"]++
				counts[attr(n, "class")]++
			case inSVG && n.Data == "polyline":
				counts["polyline"]++
			case n.Data == "h1" && n.FirstChild != nil:
				h1 = n.FirstChild.Data
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inSVG)
		}
	}
	walk(root, false)
	if !strings.Contains(h1, "魏都区") {
		t.Fatalf("chromium shows %q, not the 魏都区 dashboard (sign-in failed?)\n%.1500s", h1, dom)
	}
	// 11 months of 魏都区 with A and B in each, C from March to May.
	if counts["svg"] < 2 || counts["bar"] < 22 || counts["bar seg-C"] != 3 || counts["polyline"] < 2 {
		t.Errorf("charts in the DOM: %v; want 2 SVGs, at least 22 bar segments (3 of them C) and 2 lines", counts)
	}
	if bytes.Contains(dom, []byte("<script>alert")) || !bytes.Contains(dom, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Errorf("the hostile name %s is not text in the browser's DOM", reporttest.ScriptName)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// measureScript finds, in the page as the browser laid it out, the
// smallest text a reader sees: every element with text of its own, its
// computed font size times the scale the SVG it is in is drawn at. It
// writes the result into the page, for --dump-dom to carry out.
const measureScript = `<script>
(function () {
  var min = 1e9, what = '', n = 0;
  var els = document.querySelectorAll('body *');
  for (var i = 0; i < els.length; i++) {
    var el = els[i], own = '';
    for (var c = el.firstChild; c; c = c.nextSibling) { if (c.nodeType === 3) own += c.nodeValue; }
    own = own.trim();
    if (!own || el.tagName === 'SCRIPT') continue;
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue; // not drawn: an SVG <title> tooltip
    var cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    var size = parseFloat(cs.fontSize);
    if (el instanceof SVGElement && el.getScreenCTM) { var m = el.getScreenCTM(); size *= Math.sqrt(m.a * m.a + m.b * m.b); }
    n++;
    if (size < min) { min = size; what = el.tagName.toLowerCase() + ' "' + own.slice(0, 30) + '"'; }
  }
  var pre = document.createElement('pre');
  pre.id = 'measure';
  pre.textContent = JSON.stringify({min: Math.round(min * 100) / 100, what: what, texts: n, width: window.innerWidth});
  document.body.appendChild(pre);
})();
</script>`

// TestChartTextIsLegible loads the county dashboard and the city overview
// over 12, 24 and 48 months in a real browser 1400 px wide, takes a
// screenshot of each (kept in $CREDITSYNC_SCREENSHOTS when set, for a
// person to look at), and measures the text as drawn: none may be below
// 11 px, the charts' small multiples included.
func TestChartTextIsLegible(t *testing.T) {
	bin := findChromium(t)
	h := newServer(t, testConfig()).Handler()
	shots := os.Getenv("CREDITSYNC_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	// The pages are served again with the measuring script: the server's
	// own pages forbid every script (Content-Security-Policy).
	pages := map[string]string{}
	copies := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, pages[r.URL.Path])
	}))
	defer copies.Close()
	cases := []struct {
		name, path, token string
	}{
		{"county-12", "/counties/411002?from=2025-08&to=2026-07", weiduToken},
		{"county-24", "/counties/411002?from=2024-08&to=2026-07", weiduToken},
		{"county-48", "/counties/411002?from=2022-08&to=2026-07", weiduToken},
		{"city-12", "/city?from=2025-08&to=2026-07", cityToken},
		{"city-24", "/city?from=2024-08&to=2026-07", cityToken},
		{"city-48", "/city?from=2022-08&to=2026-07", cityToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := get(t, h, c.path, c.token)
			if r.status != 200 {
				t.Fatalf("%s: %d", c.path, r.status)
			}
			pages["/"+c.name] = strings.Replace(r.body, "</body>", measureScript+"</body>", 1)
			profile, err := os.MkdirTemp("", "creditsync-chromium-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(profile)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			chromium := func(args ...string) []byte {
				args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
					"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
					"--window-size=1400,1200", "--force-device-scale-factor=1"}, args...)
				cmd := exec.CommandContext(ctx, bin, append(args, copies.URL+"/"+c.name)...)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("chromium %v: %v\n%s", args, err, tail(stderr.String(), 2000))
				}
				return out
			}
			shot := filepath.Join(shots, c.name+".png")
			chromium("--screenshot=" + shot)
			if f, err := os.Open(shot); err != nil {
				t.Errorf("no screenshot: %v", err)
			} else {
				cfg, err := png.DecodeConfig(f)
				f.Close()
				if err != nil || cfg.Width != 1400 {
					t.Errorf("screenshot %s: %+v %v, want 1400 px wide", shot, cfg, err)
				}
			}
			dom := chromium("--virtual-time-budget=3000", "--dump-dom")
			var m struct {
				Min   float64 `json:"min"`
				What  string  `json:"what"`
				Texts int     `json:"texts"`
				Width int     `json:"width"`
			}
			_, after, ok := bytes.Cut(dom, []byte(`<pre id="measure">`))
			raw, _, _ := bytes.Cut(after, []byte("</pre>"))
			if !ok || json.Unmarshal([]byte(html.UnescapeString(string(raw))), &m) != nil {
				t.Fatalf("no measurement in the page:\n%s", tail(string(dom), 1500))
			}
			if m.Width != 1400 || m.Texts < 50 {
				t.Fatalf("measured %+v: want a 1400 px window and the page's texts", m)
			}
			if m.Min < 11 {
				t.Errorf("smallest text %.2f px (%s), want at least 11 px; screenshot %s", m.Min, m.What, shot)
			}
			t.Logf("%s: smallest text %.2f px (%s) of %d; screenshot %s", c.name, m.Min, m.What, m.Texts, shot)
		})
	}
}
