package transform

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// sniffSize is how much text after the first non-ASCII byte DecodeReader
// looks at to decide the encoding. GBK text is almost never valid UTF-8
// over a few kilobytes.
const sniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeReader returns a reader of UTF-8 text and the name of the encoding
// it detected: "UTF-8" (a byte-order mark is dropped) or "GB18030", which is
// a superset of GBK and GB2312 and so also decodes what Excel saves as
// "ANSI" on a Chinese Windows.
//
// The decision is made on the file's text, not on its first bytes: ASCII
// reads the same in both encodings, so the ASCII prefix (held in memory)
// decides nothing, and the window after the first non-ASCII byte decides.
// A file taken as UTF-8 is checked to the end: a byte sequence that is not
// UTF-8 further on (a file that mixes encodings) is a read error naming
// its offset, so invalid UTF-8 never reaches the store.
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
	if validUTF8Prefix(window, len(window) < sniffSize) {
		return &utf8Only{r: rest}, "UTF-8", nil
	}
	return transform.NewReader(rest, simplifiedchinese.GB18030.NewDecoder()), "GB18030", nil
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

// utf8Only passes a stream through unchanged and fails at the first byte
// sequence that is not UTF-8.
type utf8Only struct {
	r     io.Reader
	carry []byte // an incomplete character at the end of the last read
	off   int64  // stream offset of carry[0]
}

func (u *utf8Only) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	data := append(u.carry, p[:n]...)
	end := len(data)
	if err == nil {
		// Hold back a character the next read completes.
		for k := 1; k <= utf8.UTFMax-1 && k <= len(data); k++ {
			if utf8.RuneStart(data[len(data)-k]) {
				if !utf8.FullRune(data[len(data)-k:]) {
					end = len(data) - k
				}
				break
			}
		}
	}
	if !utf8.Valid(data[:end]) || (err == io.EOF && end < len(data)) {
		at := u.off + int64(firstInvalid(data))
		return 0, fmt.Errorf("byte %d is not UTF-8, though the text before it is: the file mixes encodings; save it in one (UTF-8 or GBK) and import it again", at)
	}
	u.off += int64(end)
	u.carry = append(u.carry[:0], data[end:]...)
	return n, err
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
