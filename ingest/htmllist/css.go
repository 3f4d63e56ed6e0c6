package htmllist

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// What a page shows is decided as a browser decides it, for the two
// properties that hide: display (none takes the element and all in it off
// the page, a table cell too, which then holds no column) and visibility
// (hidden and collapse leave the element's place empty; it is inherited,
// so an element inside may show itself again with visible). Each is
// settled by the CSS cascade over an element's own style attribute and
// the rules of the page's own <style> sheets: an !important declaration
// beats a normal one whatever their order and specificity (a sheet's
// tr.yichu{display:none !important} hides a row a later .list tr
// {display:table-row} shows), the style attribute beats a sheet at the
// same importance, and among a sheet's declarations of one importance the
// more specific selector wins, then the later. The hidden attribute is
// the browser's own style sheet (display:none), which any of the page's
// declarations overrides. Sheets the page links to are not fetched.

// cssValue is one declaration of display or visibility.
type cssValue struct {
	// value is, for display, "none" or "shown" (any other value); for
	// visibility, "hidden" (hidden, collapse), "visible" (visible,
	// initial) or "inherit" (inherit, unset, revert: the parent's).
	value     string
	important bool
	set       bool
}

// decls are a declaration block's display and visibility.
type decls struct{ display, visibility cssValue }

// property names the two properties: the index into [2]cssValue forms.
const (
	display = iota
	visibility
)

func (d decls) of(prop int) cssValue {
	if prop == visibility {
		return d.visibility
	}
	return d.display
}

// parseDecls reads a declaration block, a rule's or a style attribute's.
// Of two declarations of one property the later wins, unless only the
// earlier is important; a value a browser would not accept is ignored,
// as a browser ignores it.
func parseDecls(block string) decls {
	var d decls
	block = strings.ToLower(strings.Join(strings.Fields(block), ""))
	for decl := range strings.SplitSeq(block, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		val, important := strings.CutSuffix(val, "!important")
		var p *cssValue
		switch prop {
		case "display":
			p, val = &d.display, displayValue(val)
		case "visibility":
			p, val = &d.visibility, visibilityValue(val)
		default:
			continue
		}
		if val != "" && (!p.set || important || !p.important) {
			*p = cssValue{value: val, important: important, set: true}
		}
	}
	return d
}

// displayValue classifies a display value: "none", "shown" for any
// other keyword (block, table-row, inline, inherit …), "" for what is no
// value (a typo, an expression).
func displayValue(v string) string {
	if v == "none" {
		return "none"
	}
	if v == "" || strings.Trim(v, "abcdefghijklmnopqrstuvwxyz-") != "" {
		return ""
	}
	return "shown"
}

// visibilityValue classifies a visibility value. collapse hides a table
// row as display:none would (its space goes too) and is hidden on any
// other element.
func visibilityValue(v string) string {
	switch v {
	case "hidden", "collapse":
		return "hidden"
	case "visible", "initial":
		return "visible"
	case "inherit", "unset", "revert", "revert-layer":
		return "inherit"
	}
	return ""
}

// sheetMarks are the attributes applySheets leaves on an element: the
// value the page's style sheets give it, for each property, with a
// trailing "!" when the declaration is important.
var sheetMarks = [2]string{"data-creditsync-sheet-display", "data-creditsync-sheet-visibility"}

// cascaded is an element's value of prop: its style attribute's
// important declaration, else the sheets' important one, else its style
// attribute's, else the sheets', else the browser's own sheet's (the
// hidden attribute, display:none); "" when none is declared.
func cascaded(n *html.Node, prop int) string {
	if n == nil || n.Type != html.ElementNode {
		return ""
	}
	var inline, sheet cssValue
	hiddenAttr := false
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			hiddenAttr = true
		case "style":
			inline = parseDecls(a.Val).of(prop)
		case sheetMarks[prop]:
			v, important := strings.CutSuffix(a.Val, "!")
			sheet = cssValue{value: v, important: important, set: true}
		}
	}
	switch {
	case inline.set && inline.important:
		return inline.value
	case sheet.set && sheet.important:
		return sheet.value
	case inline.set:
		return inline.value
	case sheet.set:
		return sheet.value
	case prop == display && hiddenAttr:
		return "none"
	}
	return ""
}

// undisplayed reports an element that is not laid out at all: display
// none by the cascade, or a <template>. Nothing in it shows, and a table
// cell so hidden takes no column.
func undisplayed(n *html.Node) bool {
	return n != nil && n.Type == html.ElementNode && (n.DataAtom == atom.Template || cascaded(n, display) == "none")
}

// invisible reports an element whose visibility, its own or inherited,
// is hidden. A row so hidden still takes its height on the page but
// shows not a character: a reader sees no record there, so it is read as
// not shown (collapse, on a row, takes the height too).
func invisible(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		switch cascaded(n, visibility) {
		case "hidden":
			return true
		case "visible":
			return false
		}
	}
	return false
}

// shownNot reports an element the page does not show: not laid out,
// itself or inside an element that is not (a hidden tab's table of 已移出
// records, a template <div style="display:none">), or invisible.
func shownNot(n *html.Node) bool {
	for m := n; m != nil; m = m.Parent {
		if undisplayed(m) {
			return true
		}
	}
	return invisible(n)
}

// screenMedia reports whether a <style> element's media attribute lets
// its rules hold on a screen: none, all or screen. A style sheet for print
// (media=print, whose .Noprint{display:none} hides a pager on paper) or
// for narrow screens only (a mobile layout hiding a column) hides nothing
// on the page as read.
func screenMedia(st *goquery.Selection) bool {
	media, ok := st.Attr("media")
	return !ok || onScreen(media)
}

// onScreen reports whether a media query list holds on any screen: one
// of its queries is all or screen without a condition ("screen,
// projection" does; "print" and "screen and (max-width:768px)" do not).
func onScreen(media string) bool {
	media = strings.ToLower(strings.TrimSpace(media))
	if media == "" {
		return true
	}
	for q := range strings.SplitSeq(media, ",") {
		switch strings.Join(strings.Fields(q), " ") {
		case "all", "screen", "only screen", "only all":
			return true
		}
	}
	return false
}

// applySheets marks on every element (sheetMarks, which cascaded reads)
// the display and visibility the page's own style sheets give it: sites
// scatter characters through names in elements of a class their <style>
// sets to display:none as often as in inline styles, and hide rows by
// class. Of the rules matching an element the important declaration
// wins, then the more specific selector, then the later rule
// (.tab-pane{display:none} .tab-pane.active{display:block} shows the
// active pane). Rules inside an at-rule for another medium (@media print
// …), and style sheets for another medium (<style media="print">), are
// left out: they do not hold on the screen.
func applySheets(doc *goquery.Document) {
	// Marks the page itself wrote say nothing.
	var strip func(*html.Node)
	strip = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == sheetMarks[display] || a.Key == sheetMarks[visibility] {
					n.Attr = removeMarks(n.Attr)
					break
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			strip(c)
		}
	}
	for _, n := range doc.Nodes {
		strip(n)
	}
	type best struct {
		cssValue
		spec cascadia.Specificity
	}
	won := map[*html.Node]*[2]best{}
	var order []*html.Node // marked in document order, for a stable result
	doc.Find("style").Each(func(_ int, st *goquery.Selection) {
		if !screenMedia(st) {
			return
		}
		for _, r := range styleRules(st.Text()) {
			for _, sel := range selectors(r.selector) {
				spec := sel.Specificity()
				for _, n := range cascadia.QueryAll(doc.Get(0), sel) {
					w := won[n]
					if w == nil {
						w = new([2]best)
						won[n] = w
						order = append(order, n)
					}
					for prop := range w {
						v := r.decls.of(prop)
						if !v.set {
							continue
						}
						// Rules come in order: at equal importance and
						// specificity, this later one wins.
						if !w[prop].set || v.important && !w[prop].important ||
							v.important == w[prop].important && !spec.Less(w[prop].spec) {
							w[prop] = best{v, spec}
						}
					}
				}
			}
		}
	})
	for _, n := range order {
		for prop, b := range won[n] {
			if !b.set {
				continue
			}
			val := b.value
			if b.important {
				val += "!"
			}
			n.Attr = append(n.Attr, html.Attribute{Key: sheetMarks[prop], Val: val})
		}
	}
}

// removeMarks drops sheetMarks from attrs.
func removeMarks(attrs []html.Attribute) []html.Attribute {
	out := attrs[:0]
	for _, a := range attrs {
		if a.Key != sheetMarks[display] && a.Key != sheetMarks[visibility] {
			out = append(out, a)
		}
	}
	return out
}

// selectors parses a rule's selector list. A browser drops a rule whose
// list it cannot parse; cascadia cannot match some a browser can (a:hover,
// td::before), which then only hold nothing, so the list is read one
// selector at a time when it does not parse whole.
func selectors(list string) cascadia.SelectorGroup {
	if g, err := cascadia.ParseGroup(list); err == nil {
		return g
	}
	var out cascadia.SelectorGroup
	for sel := range strings.SplitSeq(list, ",") {
		if g, err := cascadia.ParseGroup(strings.TrimSpace(sel)); err == nil {
			out = append(out, g...)
		}
	}
	return out
}

// styleRule is a style sheet's rule that declares display or visibility.
type styleRule struct {
	selector string
	decls    decls
}

// styleRules returns a style sheet's top-level rules, and those of its
// @media blocks for every screen, that declare display or visibility, in
// order.
func styleRules(css string) []styleRule {
	for {
		i := strings.Index(css, "/*")
		if i < 0 {
			break
		}
		j := strings.Index(css[i+2:], "*/")
		if j < 0 {
			css = css[:i]
			break
		}
		css = css[:i] + " " + css[i+2+j+2:]
	}
	var out []styleRule
	for len(css) > 0 {
		open := strings.IndexByte(css, '{')
		if open < 0 {
			break
		}
		prelude := css[:open]
		if k := strings.LastIndexByte(prelude, ';'); k >= 0 {
			prelude = prelude[k+1:] // after a statement at-rule (@import …;)
		}
		prelude = strings.TrimSpace(prelude)
		// The block's end, nested blocks (an at-rule's) included.
		depth, end := 0, len(css)
		for k := open; k < len(css); k++ {
			if css[k] == '{' {
				depth++
			} else if css[k] == '}' {
				if depth--; depth == 0 {
					end = k
					break
				}
			}
		}
		block := css[open+1 : end]
		css = css[min(end+1, len(css)):]
		if media, ok := strings.CutPrefix(prelude, "@media"); ok && onScreen(media) {
			// Rules for every screen hold on the page as read.
			out = append(out, styleRules(block)...)
			continue
		}
		if strings.HasPrefix(prelude, "@") || strings.ContainsRune(block, '{') || prelude == "" {
			continue
		}
		if d := parseDecls(block); d.display.set || d.visibility.set {
			out = append(out, styleRule{prelude, d})
		}
	}
	return out
}

// visibleText is the text of s as a browser shows it: without scripts,
// styles and templates, and without elements the page hides — sites
// scatter hidden characters through names (许<span style="display:none">X</span>昌)
// to spoil copying, and keep hidden templates of their rows and pagers.
func visibleText(s *goquery.Selection) string {
	var b strings.Builder
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, visible bool) {
		switch n.Type {
		case html.TextNode:
			if visible {
				b.WriteString(n.Data)
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Head:
				// Not on the page: <noscript> shows only to browsers
				// without scripts, <head> (its <title>) not at all.
				return
			}
			if undisplayed(n) {
				return
			}
			switch cascaded(n, visibility) {
			case "hidden":
				visible = false
			case "visible":
				visible = true
			}
			if n.DataAtom == atom.Select {
				// A drop-down shows its chosen option only: 每页显示
				// [10 ▾] 条, not 每页显示102050条.
				if o := chosenOption(n); o != nil {
					walk(o, visible)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, visible)
		}
	}
	for _, n := range s.Nodes {
		walk(n, !invisible(n.Parent))
	}
	return b.String()
}
