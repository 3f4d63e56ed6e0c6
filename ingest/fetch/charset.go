package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrCharset: the bytes of a page are valid neither in the charset they
// are labelled with nor in the one alternative this package accepts.
// Decoding them anyway would store replacement characters (U+FFFD) in
// keys and names, and every record would look new.
var ErrCharset = errors.New("the bytes are not valid in their charset")

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)`)

// Decoded is a page's text and how it was read.
type Decoded struct {
	Text     string
	Encoding string // UTF-8, GB18030, or an htmlindex name
	// Label is the charset the page declared (header, else <meta>), ""
	// when none. Mislabelled says the bytes were not valid in it and
	// were read in Encoding instead.
	Label       string
	Mislabelled bool
}

// Note describes a wrong label for the run's report, "" when the label
// was right.
func (d Decoded) Note() string {
	if !d.Mislabelled {
		return ""
	}
	return fmt.Sprintf("labelled %s, but its bytes are %s", d.Label, d.Encoding)
}

// Decode returns a page as UTF-8, checking its bytes against the charset
// they are read in: they must be valid there, never patched with U+FFFD.
//
// The charset declared is a UTF-8 byte-order mark, else the Content-Type
// header's, else a <meta> in the first 4 KiB (read when the header names
// none, or names UTF-8 over bytes that are not). Two mistakes of real
// sites are recognised, both with a check of the bytes, not a guess:
//
//   - a UTF-8 label (or none) over bytes that are not UTF-8 but are valid
//     GB18030: old provincial gateways label everything utf-8;
//   - a GB label over bytes that are valid UTF-8 with characters beyond
//     ASCII: GBK text is practically never valid UTF-8, while UTF-8 text
//     often decodes "cleanly" as GB18030 into nonsense.
//
// A single-byte charset's label (ISO-8859-1, which Java servlet containers
// send by default) is not believed over bytes beyond ASCII: every byte is
// valid in it, so it cannot be checked, and such bytes are read as UTF-8
// or GB18030, or fail. Anything else that is invalid in its charset fails
// with ErrCharset.
// Every GB family label (GB2312, GBK, GB18030, their aliases) decodes with
// GB18030, the superset: pages labelled GB2312 routinely contain 堃, 昇,
// 喆 or 镕, which only GBK has.
// The user-defined areas read as the private-use characters GB18030 maps
// them to (decodeGB18030), as browsers and Java do. An error names the
// offset and the bytes where they stop being valid.
func Decode(body []byte, contentType string) (Decoded, error) {
	// A body cut short may end inside a character. The cut-off bytes are
	// dropped, not patched: what is left is checked like any page, and the
	// truncation itself is for the page's own checks to find (a missing
	// page count, JSON that does not parse). Whether the body is UTF-8
	// is asked up to three times below: it is worked out once.
	valid := utf8.Valid(body)
	if !valid {
		if n := partialTail(body); n > 0 {
			body = body[:len(body)-n]
			valid = utf8.Valid(body)
		}
	}
	if b, ok := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF")); ok {
		if !utf8.Valid(b) {
			return Decoded{}, fmt.Errorf("%w: a UTF-8 byte-order mark over bytes that are not UTF-8 (%s)", ErrCharset, firstInvalidUTF8(b))
		}
		return Decoded{Text: string(b), Encoding: "UTF-8", Label: "utf-8"}, nil
	}
	label := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		label = strings.ToLower(strings.TrimSpace(params["charset"]))
	}
	declared := label
	if label == "" || (isUTF8(label) && !valid) {
		head := body[:min(len(body), 4096)]
		if m := metaCharset.FindSubmatch(head); m != nil {
			label = strings.ToLower(string(m[1]))
		}
		if declared == "" {
			declared = label
		}
	}
	d := Decoded{Label: declared}
	var enc encoding.Encoding
	switch {
	case label == "" || isUTF8(label):
		enc = nil
	case isGB(label):
		enc = simplifiedchinese.GB18030
	default:
		if e, err := htmlindex.Get(label); err == nil {
			enc = e
		}
		if _, single := enc.(*charmap.Charmap); single {
			// A single-byte charset (ISO-8859-1, the default label of
			// Java servlet containers, windows-1252, KOI8 …) reads every
			// byte as some character: its label cannot be checked, and a
			// Chinese list's bytes beyond ASCII are Chinese text under a
			// default label. They must be UTF-8 or GB18030, as with no
			// label.
			enc = nil
		}
		// An unknown label names nothing to check against: the bytes
		// must then be UTF-8 or GB18030.
	}
	if enc == nil {
		if valid {
			d.Text, d.Encoding = string(body), "UTF-8"
			d.Mislabelled = declared != "" && !isUTF8(declared) && !isASCII(body)
			return d, nil
		}
		text, bad, ok := decodeGB18030(body)
		if !ok {
			return Decoded{}, fmt.Errorf("%w: labelled %q, but not UTF-8 (%s) and not GB18030 either (%s)", ErrCharset, labelOrNone(declared), firstInvalidUTF8(body), invalidGB18030(body, bad))
		}
		d.Text, d.Encoding, d.Mislabelled = text, "GB18030", declared != ""
		return d, nil
	}
	name := "GB18030"
	if enc != simplifiedchinese.GB18030 {
		name, _ = htmlindex.Name(enc)
	}
	if valid && !isASCII(body) {
		// See above: valid UTF-8 beyond ASCII is UTF-8, whatever the label.
		d.Text, d.Encoding, d.Mislabelled = string(body), "UTF-8", true
		return d, nil
	}
	if enc == simplifiedchinese.GB18030 {
		text, bad, ok := decodeGB18030(body)
		if !ok {
			return Decoded{}, fmt.Errorf("%w: labelled %q, but not valid GB18030 (%s) and not UTF-8 either (%s)", ErrCharset, declared, invalidGB18030(body, bad), firstInvalidUTF8(body))
		}
		d.Text, d.Encoding = text, name
		d.Mislabelled = isUTF8(declared)
		return d, nil
	}
	text, ok := strict(enc, body)
	if !ok {
		return Decoded{}, fmt.Errorf("%w: labelled %q, but not valid %s and not UTF-8 either (%s)", ErrCharset, declared, name, firstInvalidUTF8(body))
	}
	d.Text, d.Encoding = text, name
	d.Mislabelled = isUTF8(declared) // a UTF-8 header over a page whose <meta> was right
	return d, nil
}

// DecodeText is Decode for callers that need only the text and the
// encoding's name.
func DecodeText(body []byte, contentType string) (string, string, error) {
	d, err := Decode(body, contentType)
	return d.Text, d.Encoding, err
}

// partialTail is how many bytes at the end of body begin a character
// that the body does not finish, in UTF-8 or in GB18030, when the rest is
// valid in that charset; 0 otherwise.
func partialTail(body []byte) int {
	if utf8.Valid(body) {
		return 0
	}
	// UTF-8 first, when what precedes the cut is UTF-8 beyond ASCII (see
	// Decode: such bytes are UTF-8). UTF-8 cut inside a character is
	// often valid GB18030 as it stands, and would read as nonsense.
	for n := 1; n <= 3 && n < len(body); n++ {
		head, tail := body[:len(body)-n], body[len(body)-n:]
		if !utf8.FullRune(tail) && tail[0] >= 0xC2 && utf8.Valid(head) && !isASCII(head) {
			return n
		}
	}
	if _, _, ok := decodeGB18030(body); ok {
		return 0
	}
	for n := 1; n <= 3 && n < len(body); n++ {
		head, tail := body[:len(body)-n], body[len(body)-n:]
		if utf8.Valid(head) && !utf8.FullRune(tail) && tail[0] >= 0xC2 {
			return n
		}
		if tail[0] >= 0x81 && tail[0] <= 0xFE {
			if _, _, ok := decodeGB18030(head); ok {
				return n
			}
		}
	}
	return 0
}

// strict decodes body and reports whether every byte was valid: the
// decoders of x/text write U+FFFD for invalid bytes instead of failing,
// so the text must encode back to exactly the bytes it came from.
func strict(enc encoding.Encoding, body []byte) (string, bool) {
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", false
	}
	back, err := enc.NewEncoder().Bytes(out)
	if err != nil || !bytes.Equal(back, body) {
		return "", false
	}
	return string(out), true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// firstInvalidUTF8 shows where bytes stop being UTF-8, for the message.
func firstInvalidUTF8(b []byte) string {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Sprintf("invalid byte 0x%02X at offset %d", b[i], i)
		}
		i += size
	}
	return "valid"
}

func labelOrNone(l string) string {
	if l == "" {
		return "nothing"
	}
	return l
}

func isUTF8(label string) bool { return label == "utf-8" || label == "utf8" }

func isGB(label string) bool {
	switch label {
	case "gbk", "gb2312", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "chinese", "iso-ir-58", "gb_2312", "gb_2312-80", "csiso58gb231280":
		return true
	}
	return false
}
