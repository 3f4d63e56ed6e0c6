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

// sniffSize is how much of a stream DecodeReader looks at to decide its
// encoding. GBK text is almost never valid UTF-8 over a few kilobytes.
const sniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeReader returns a reader of UTF-8 text and the name of the encoding
// it detected: "UTF-8" (a byte-order mark is dropped) or "GB18030", which is
// a superset of GBK and GB2312 and so also decodes what Excel saves as
// "ANSI" on a Chinese Windows.
func DecodeReader(r io.Reader) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", fmt.Errorf("detect encoding: %w", err)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, "", fmt.Errorf("detect encoding: %w", err)
		}
		return br, "UTF-8", nil
	}
	if validUTF8Prefix(head, len(head) < sniffSize) {
		return br, "UTF-8", nil
	}
	return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), "GB18030", nil
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
