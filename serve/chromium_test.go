package serve

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
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
