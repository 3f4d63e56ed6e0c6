package transform

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ErrBinary is a file whose bytes are no text in any encoding
// DecodeReader reads.
var ErrBinary = errors.New("binary content, not text")

// sniffSize is how much text after the first non-ASCII byte DecodeReader
// looks at to decide the encoding. GBK text is almost never valid UTF-8
// over a few kilobytes.
const sniffSize = 64 << 10

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// DecodeReader returns a reader of UTF-8 text and the name of the encoding
// it detected: "UTF-8" (a byte-order mark is dropped), "GB18030", which is
// a superset of GBK and GB2312 and so also decodes what Excel saves as
// "ANSI" on a Chinese Windows, or "UTF-16LE" or "UTF-16BE" for text
// that starts with that byte-order mark (what Excel saves as "Unicode
// text", Unicode 文本).
//
// The decision is made on the file's text, not on its first bytes: ASCII
// reads the same in both encodings, so the ASCII prefix (held in memory)
// decides nothing, and the window after the first non-ASCII byte decides.
// Text that is UTF-8 but for a few bytes is UTF-8 (see mostlyUTF8). A
// file taken as UTF-8 is checked to the end: a byte sequence that is not
// UTF-8 (a file that mixes encodings) is a read error naming its line
// and character, so invalid UTF-8 never reaches the store; one taken as
// GB18030 or UTF-16 fails likewise at the first bytes that are not text
// in it.
func DecodeReader(r io.Reader) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(len(utf8BOM))
	if err != nil && err != io.EOF {
		return nil, "", fmt.Errorf("detect encoding: %w", err)
	}
	if bytes.Equal(head, utf8BOM) {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, "", fmt.Errorf("detect encoding: %w", err)
		}
		return &utf8Only{r: br, off: int64(len(utf8BOM))}, "UTF-8", nil
	}
	// No UTF-8 or GB18030 text starts with FF FE or FE FF: FF is a byte
	// of neither, and FE FF is no GB18030 character. The decoder drops
	// the mark.
	switch {
	case bytes.HasPrefix(head, utf16LEBOM):
		return &noReplacement{r: transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), charset: utf16Text}, "UTF-16LE", nil
	case bytes.HasPrefix(head, utf16BEBOM):
		return &noReplacement{r: transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), charset: utf16Text}, "UTF-16BE", nil
	}
	if order, ok := utf16WithoutBOM(br); ok {
		name := map[unicode.Endianness]string{unicode.LittleEndian: "UTF-16LE", unicode.BigEndian: "UTF-16BE"}[order]
		return &noReplacement{r: transform.NewReader(br, unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder()), charset: utf16Text}, name, nil
	}
	// Text in UTF-8 or GB18030 holds no zero byte, and hardly a control
	// character; bytes that are no text (an image, an archive, a
	// program's own format under a .csv name) hold one in ten. A file
	// with zero bytes, not UTF-16, and one in twenty of its first bytes
	// a control is no text. (A NUL typed into a value of a text rejects
	// its record, as any control character does.)
	if b, err := br.Peek(sniffSize); err == nil || err == io.EOF || err == bufio.ErrBufferFull {
		if i := bytes.IndexByte(b, 0); i >= 0 && 20*controlBytes(b) >= len(b) {
			return nil, "", fmt.Errorf("%w: NUL bytes (the first at byte %d) and other control bytes, which no text holds", ErrBinary, i)
		}
	}
	// Hold the ASCII prefix: it reads the same in either encoding.
	var prefix bytes.Buffer
	for {
		b, err := br.Peek(sniffSize)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, "", fmt.Errorf("detect encoding: %w", err)
		}
		if i := bytes.IndexFunc(b, func(c rune) bool { return c >= utf8.RuneSelf }); i >= 0 {
			prefix.Write(b[:i])
			_, _ = br.Discard(i) // never fails: the bytes were peeked
			break
		}
		prefix.Write(b)
		_, _ = br.Discard(len(b))
		if err == io.EOF || len(b) == 0 {
			return &prefix, "UTF-8", nil // ASCII throughout
		}
	}
	window, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", fmt.Errorf("detect encoding: %w", err)
	}
	rest := io.MultiReader(&prefix, br)
	if validUTF8Prefix(window, len(window) < sniffSize) || mostlyUTF8(window) {
		// UTF-8 with a few foreign bytes (a GBK word pasted into UTF-8
		// text) fails where they start: read whole as GBK, every
		// character of it would be garbled.
		return &utf8Only{r: rest}, "UTF-8", nil
	}
	return &noReplacement{r: transform.NewReader(rest, NewGB18030Decoder()), charset: "GBK or GB18030"}, "GB18030", nil
}

// utf16WithoutBOM reports whether the text br starts with is UTF-16
// written without its byte-order mark, and in which byte order: some
// systems' "Unicode" exports write none. Text in UTF-8 or GB18030 holds
// no zero byte; UTF-16 puts one beside every ASCII character (the
// commas, the digits of codes and dates), on the same side of each
// pair. So the first bytes are UTF-16 when they hold zero bytes, more
// of them on one side: little-endian if at odd offsets, big-endian if
// at even ones. A file with zero bytes in no such order is left to the
// decoders, which refuse it.
func utf16WithoutBOM(br *bufio.Reader) (unicode.Endianness, bool) {
	b, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return unicode.LittleEndian, false
	}
	b = b[:len(b)&^1]
	var odd, even int
	for i, c := range b {
		if c == 0 {
			if i%2 == 1 {
				odd++
			} else {
				even++
			}
		}
	}
	// UTF-8 and GBK text holds no zero byte at all. In UTF-16 every ASCII
	// character (commas, tabs, digits, line ends) puts one on its side,
	// and a Chinese character one on the other side only when its code
	// ends in 00 (一 is U+4E00), one in 256: the side with more zero
	// bytes is the order, even in an all-Chinese table whose only ASCII
	// is its tabs and line ends. (Text that is neither fails in the
	// decoder.)
	// In bytes that are no text, zero bytes fall on both sides alike, a
	// few in a thousand; in UTF-16 text one character in fifty at least
	// is ASCII (a tab, a line end), ten in a table of Chinese.
	units := len(b) / 2
	switch {
	case odd+even >= 2 && odd > even && 50*odd >= units:
		return unicode.LittleEndian, true
	case odd+even >= 2 && even > odd && 50*even >= units:
		return unicode.BigEndian, true
	}
	return unicode.LittleEndian, false
}

// controlBytes counts the bytes of b that are C0 control characters
// other than tab, line feed and carriage return.
func controlBytes(b []byte) int {
	n := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			n++
		}
	}
	return n
}

// mostlyUTF8 reports whether b is UTF-8 but for a few bytes: it holds
// more characters of several bytes that are valid UTF-8 than bytes that
// are not. GBK text makes a valid UTF-8 character only by chance, far
// less often than a byte that is not UTF-8 (TestMostlyUTF8 checks a long
// text of the lists' words); UTF-8 text with some GBK in it stays mostly
// valid.
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			invalid++
		case size > 1:
			valid++
		}
		i += size
	}
	return valid > invalid
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a multi-byte
// character cut off at the end of the sniffed window unless b is the whole
// stream.
func validUTF8Prefix(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut < utf8.UTFMax && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// lines follows the line breaks of a text passed on in pieces — LF,
// CRLF or a lone CR (Excel for Mac) — so that a read error can name the
// line and the character of it where the bad bytes are: a byte offset
// means nothing to the clerk who opens the file. Counting costs a few
// scans of each piece, no loop over its characters.
type lines struct {
	breaks int  // line breaks passed
	col    int  // characters passed of the line being read
	cr     bool // the last piece passed ended in CR
}

// pass counts the line breaks and characters of b, UTF-8 text.
func (l *lines) pass(b []byte) {
	if len(b) == 0 {
		return
	}
	l.breaks += bytes.Count(b, []byte{'\r'}) + bytes.Count(b, []byte{'\n'}) - bytes.Count(b, []byte("\r\n"))
	if l.cr && b[0] == '\n' {
		l.breaks-- // the CR before it, in the last piece, counted
	}
	if i := bytes.LastIndexAny(b, "\r\n"); i >= 0 {
		l.col = utf8.RuneCount(b[i+1:])
	} else {
		l.col += utf8.RuneCount(b)
	}
	l.cr = b[len(b)-1] == '\r'
}

// at says where the text passed, and then before, ends: "line 3,
// character 7", the place of the character after it.
func (l lines) at(before []byte) string {
	l.pass(before)
	return fmt.Sprintf("line %d, character %d", l.breaks+1, l.col+1)
}

// utf8Only passes a stream through unchanged and fails at the first byte
// sequence that is not UTF-8.
type utf8Only struct {
	r     io.Reader
	carry []byte // an incomplete character at the end of the last read
	off   int64  // stream offset of carry[0]
	lines lines  // of the text before carry
}

func (u *utf8Only) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	data := append(u.carry, p[:n]...)
	end := len(data)
	if err == nil {
		end = wholeRunes(data) // the next read completes the rest
	}
	if !utf8.Valid(data[:end]) || (err == io.EOF && end < len(data)) {
		i := firstInvalid(data)
		return 0, fmt.Errorf("%s (byte %d of the file) is not UTF-8, though the text before it is: the file mixes encodings (text pasted in from a file in another); save it in one (UTF-8 or GBK) and import it again", u.lines.at(data[:i]), u.off+int64(i))
	}
	u.lines.pass(data[:end])
	u.off += int64(end)
	u.carry = append(u.carry[:0], data[end:]...)
	return n, err
}

// noReplacement passes decoded text through and fails where the decoder
// had to put U+FFFD in for bytes that are not text in its charset (for
// UTF-16, a lone surrogate or an odd byte at the end). Such text is not
// what the file says, and is not stored.
type noReplacement struct {
	r       io.Reader
	charset string
	carry   []byte // an incomplete character at the end of the last read
	lines   lines  // of the text passed before carry
}

const utf16Text = "UTF-16 (a lone surrogate, or a byte missing at the end)"

func (u *noReplacement) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	data := append(u.carry, p[:n]...)
	end := wholeRunes(data)
	if i := bytes.IndexRune(data[:end], utf8.RuneError); i >= 0 {
		return 0, fmt.Errorf("%s is not %s, though the text before it is: save the file again in one encoding (UTF-8 or GBK) and import it", u.lines.at(data[:i]), u.charset)
	}
	u.lines.pass(data[:end])
	u.carry = append(u.carry[:0], data[end:]...)
	return n, err
}

// wholeRunes is how much of b ends at a character's end: all of it but
// a character begun in its last bytes and not finished there.
func wholeRunes(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		if utf8.RuneStart(b[len(b)-k]) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return len(b) - k
			}
			break
		}
	}
	return len(b)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
