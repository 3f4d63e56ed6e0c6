package reporttest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// activeElements run code or fetch something when a page loads; a report
// or page must contain none of them, whatever names its data holds.
var activeElements = map[string]bool{
	"script": true, "img": true, "iframe": true, "object": true, "embed": true, "link": true,
	"base": true, "video": true, "audio": true, "source": true, "frame": true, "image": true, "use": true, "foreignobject": true,
}

// urlAttrs may point elsewhere.
var urlAttrs = map[string]bool{
	"src": true, "href": true, "action": true, "formaction": true, "poster": true, "data": true,
	"background": true, "srcset": true, "xlink:href": true, "ping": true, "manifest": true,
}

// externalCSS is a stylesheet reaching for something outside the page.
var externalCSS = regexp.MustCompile(`(?i)url\s*\(|@import`)

// CheckHTML parses a page as a browser would and lists what makes it
// unsafe or not self-contained: active elements, event handler
// attributes, links with a scheme or host other than a page of the same
// site, and CSS that imports or fetches. Escaped text is text: a name
// like "<img src=…>" shown as words is fine.
func CheckHTML(doc []byte) []string {
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	var problems []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := strings.ToLower(n.Data)
			if activeElements[name] {
				problems = append(problems, "element <"+name+">")
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				if strings.HasPrefix(key, "on") {
					problems = append(problems, fmt.Sprintf("<%s %s=…> event handler", name, key))
				}
				if urlAttrs[key] && !localURL(a.Val) {
					problems = append(problems, fmt.Sprintf("<%s %s=%q> leaves the page", name, key, a.Val))
				}
				if key == "style" && externalCSS.MatchString(a.Val) {
					problems = append(problems, fmt.Sprintf("<%s style=%q> fetches", name, a.Val))
				}
			}
			if name == "style" && n.FirstChild != nil && externalCSS.MatchString(n.FirstChild.Data) {
				problems = append(problems, "<style> imports or fetches")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return problems
}

// localURL accepts a fragment or a path on the same site, nothing with a
// scheme (http:, javascript:, data: …) or a host (//host).
func localURL(v string) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "#") {
		return true
	}
	if strings.HasPrefix(v, "//") || strings.HasPrefix(v, `/\`) {
		return false
	}
	if i := strings.IndexAny(v, ":/?#"); i >= 0 && v[i] == ':' {
		return false
	}
	return true
}

// TextNodes returns the text of every text node, so a test can check that
// a hostile name arrived as text.
func TextNodes(doc []byte) []string {
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			out = append(out, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}
