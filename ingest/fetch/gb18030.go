package fetch

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/transform"
)

// gbChar is the length of the GB18030 character starting body[i], by the
// charset's grammar alone (whether it is a valid one is x/text's to say):
// one byte below 0x80, four when a lead byte is followed by a digit, two
// after any other lead byte.
func gbChar(body []byte, i int) int {
	c := body[i]
	switch {
	case c < 0x81 || c == 0xFF || i+1 >= len(body):
		return 1
	case body[i+1] >= 0x30 && body[i+1] <= 0x39:
		return min(4, len(body)-i)
	}
	return 2
}

// decodeGB18030 decodes body as GB18030, strictly: every byte must be
// valid, and the user-defined areas read as their private-use characters
// (transform.GB18030UserDefined, the one table of them). The rest is x/text's decoder, checked by a round trip
// (strict). On failure, bad is the offset of the first character that is
// not valid GB18030.
func decodeGB18030(body []byte) (text string, bad int, ok bool) {
	var out strings.Builder
	out.Grow(len(body) * 3 / 2)
	start := 0 // the first byte not decoded yet
	segment := func(end int) bool {
		if start == end {
			return true
		}
		t, ok := strict(simplifiedchinese.GB18030, body[start:end])
		out.WriteString(t)
		return ok
	}
	for i := 0; i < len(body); {
		n := gbChar(body, i)
		if n == 2 {
			if r, ok := transform.GB18030UserDefined(body[i], body[i+1]); ok {
				if !segment(i) {
					return "", firstInvalidGB18030(body, start), false
				}
				out.WriteRune(r)
				start = i + 2
			}
		}
		i += n
	}
	if !segment(len(body)) {
		return "", firstInvalidGB18030(body, start), false
	}
	return out.String(), 0, true
}

// firstInvalidGB18030 is the offset of the first character from offset
// from on that does not decode strictly on its own.
func firstInvalidGB18030(body []byte, from int) int {
	for i := from; i < len(body); {
		n := gbChar(body, i)
		if _, ok := strict(simplifiedchinese.GB18030, body[i:i+n]); !ok {
			return i
		}
		i += n
	}
	return len(body)
}

// invalidGB18030 shows where bytes stop being GB18030, for the message:
// the offset and the bytes of the character there.
func invalidGB18030(body []byte, at int) string {
	if at >= len(body) {
		return fmt.Sprintf("a character cut short at offset %d", at)
	}
	n := gbChar(body, at)
	hex := make([]string, n)
	for k, b := range body[at : at+n] {
		hex[k] = fmt.Sprintf("0x%02X", b)
	}
	return fmt.Sprintf("invalid bytes %s at offset %d", strings.Join(hex, " "), at)
}
