package fetch

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)`)

// DecodeText returns a page as UTF-8 and the name of the encoding it was
// read in. The charset comes from a byte-order mark, then the
// Content-Type header, then a <meta> in the first 4 KiB, as browsers
// do; failing all three, or when a UTF-8 label sits over bytes that are
// not UTF-8, the text is taken as GBK.
// Every GB family label (GB2312, GBK, GB18030, their aliases) decodes
// with GB18030, the superset: pages labelled GB2312 routinely contain
// 堃, 昇, 喆 or 镕, which only GBK has.
func DecodeText(body []byte, contentType string) (string, string, error) {
	if b, ok := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF")); ok {
		return string(b), "UTF-8", nil
	}
	label := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		label = strings.ToLower(strings.TrimSpace(params["charset"]))
	}
	// A header claiming UTF-8 over bytes that are not is a server
	// default (Go's and many others' sniffing says utf-8 for any HTML);
	// the page's own <meta> knows better.
	if label == "" || (isUTF8(label) && !utf8.Valid(body)) {
		label = ""
		head := body[:min(len(body), 4096)]
		if m := metaCharset.FindSubmatch(head); m != nil {
			label = strings.ToLower(string(m[1]))
		}
	}
	switch l := label; {
	case l == "" || (isUTF8(l) && !utf8.Valid(body)):
		if utf8.Valid(body) {
			return string(body), "UTF-8", nil
		}
		return gb18030(body)
	case isUTF8(l):
		return string(body), "UTF-8", nil
	case isGB(l):
		return gb18030(body)
	default:
		enc, err := htmlindex.Get(l)
		if err != nil {
			// An unknown label is a page's mistake, not ours: fall back
			// to what the bytes look like.
			if utf8.Valid(body) {
				return string(body), "UTF-8", nil
			}
			return gb18030(body)
		}
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return "", "", err
		}
		name, _ := htmlindex.Name(enc)
		return string(out), name, nil
	}
}

func isUTF8(label string) bool { return label == "utf-8" || label == "utf8" }

func isGB(label string) bool {
	switch label {
	case "gbk", "gb2312", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "chinese", "iso-ir-58", "gb_2312", "gb_2312-80", "csiso58gb231280":
		return true
	}
	return false
}

func gb18030(body []byte) (string, string, error) {
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
	if err != nil {
		return "", "", err
	}
	return string(out), "GB18030", nil
}
