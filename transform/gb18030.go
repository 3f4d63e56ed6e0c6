package transform

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// GB18030UserDefined is the private-use character GB18030 maps a
// two-byte code of its user-defined areas to, as the standard's table,
// WHATWG's gb18030 index (browsers), Java, ICU and Python read it:
// AAA1–AFFE to U+E000–U+E233, F8A1–FEFE to U+E234–U+E4C5, A140–A7A0 to
// U+E4C6–U+E765, row after row (94 codes a row, 96 in the last area,
// whose trail bytes skip 0x7F). Government systems put the rare
// characters they add to their fonts there (生僻字 in names). x/text
// decodes these codes as U+FFFD, so a page or a file holding one was
// refused as invalid.
func GB18030UserDefined(lead, trail byte) (rune, bool) {
	switch {
	case lead >= 0xAA && lead <= 0xAF && trail >= 0xA1 && trail <= 0xFE:
		return 0xE000 + rune(lead-0xAA)*94 + rune(trail-0xA1), true
	case lead >= 0xF8 && lead <= 0xFE && trail >= 0xA1 && trail <= 0xFE:
		return 0xE234 + rune(lead-0xF8)*94 + rune(trail-0xA1), true
	case lead >= 0xA1 && lead <= 0xA7 && trail >= 0x40 && trail <= 0xA0 && trail != 0x7F:
		col := rune(trail - 0x40)
		if trail > 0x7F {
			col--
		}
		return 0xE4C6 + rune(lead-0xA1)*96 + col, true
	}
	return 0, false
}

// NewGB18030Decoder decodes GB18030 (and so GBK and GB2312) as x/text's
// decoder does, except the user-defined areas, which read as their
// private-use characters (GB18030UserDefined) instead of U+FFFD.
func NewGB18030Decoder() transform.Transformer {
	return &gb18030Decoder{inner: simplifiedchinese.GB18030.NewDecoder()}
}

type gb18030Decoder struct{ inner transform.Transformer }

func (d *gb18030Decoder) Reset() { d.inner.Reset() }

// gbLen is the length of the GB18030 character starting b[i], by the
// charset's grammar (whether it is valid is x/text's to say): one byte
// below 0x81 (and 0xFF), four when a lead byte is followed by a digit,
// two after any other lead byte; complete is false when b ends first.
func gbLen(b []byte, i int) (n int, complete bool) {
	switch c := b[i]; {
	case c < 0x81 || c == 0xFF:
		return 1, true
	case i+1 >= len(b):
		return 2, false
	case b[i+1] >= '0' && b[i+1] <= '9':
		return 4, i+4 <= len(b)
	}
	return 2, true
}

func (d *gb18030Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		// The next user-defined code, on the characters' boundaries.
		at := -1
		for j := nSrc; j < len(src); {
			n, complete := gbLen(src, j)
			if !complete {
				break
			}
			if n == 2 {
				if _, ok := GB18030UserDefined(src[j], src[j+1]); ok {
					at = j
					break
				}
			}
			j += n
		}
		if at < 0 {
			d0, s0, err := d.inner.Transform(dst[nDst:], src[nSrc:], atEOF)
			return nDst + d0, nSrc + s0, err
		}
		if at > nSrc {
			// Whole characters up to the code: the segment is complete.
			d0, s0, err := d.inner.Transform(dst[nDst:], src[nSrc:at], true)
			nDst, nSrc = nDst+d0, nSrc+s0
			if err != nil {
				return nDst, nSrc, err
			}
		}
		r, _ := GB18030UserDefined(src[at], src[at+1])
		if len(dst)-nDst < utf8.RuneLen(r) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += 2
	}
	return nDst, nSrc, nil
}
