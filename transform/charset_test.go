package transform

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// sampleCSV has characters that GBK has and GB2312 lacks (堃 昇), the case
// that breaks a GB2312 decoder on government pages and bureau spreadsheets.
const sampleCSV = "统一社会信用代码,机构名称,许可日期\n" +
	"91411023174430174N,许昌堃昇人力资源有限公司（建安）,2023年7月31日\n"

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode GBK: %v", err)
	}
	return b
}

func decodeAll(t *testing.T, in []byte) (string, string) {
	t.Helper()
	r, enc, err := DecodeReader(bytes.NewReader(in))
	if err != nil {
		t.Fatalf("DecodeReader: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read decoded: %v", err)
	}
	return string(out), enc
}

func TestDecodeReader(t *testing.T) {
	tests := []struct {
		name    string
		in      func(t *testing.T) []byte
		want    string
		wantEnc string
	}{
		{"UTF-8 without BOM", func(*testing.T) []byte { return []byte(sampleCSV) }, sampleCSV, "UTF-8"},
		{"UTF-8 with BOM", func(*testing.T) []byte { return append([]byte{0xEF, 0xBB, 0xBF}, sampleCSV...) }, sampleCSV, "UTF-8"},
		{"GBK", func(t *testing.T) []byte { return gbk(t, sampleCSV) }, sampleCSV, "GB18030"},
		{"ASCII", func(*testing.T) []byte { return []byte("uscc,name\n") }, "uscc,name\n", "UTF-8"},
		{"empty", func(*testing.T) []byte { return nil }, "", "UTF-8"},
		{"BOM only", func(*testing.T) []byte { return []byte{0xEF, 0xBB, 0xBF} }, "", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc := decodeAll(t, tt.in(t))
			if enc != tt.wantEnc {
				t.Errorf("encoding = %q, want %q", enc, tt.wantEnc)
			}
			if got != tt.want {
				t.Errorf("decoded %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeReaderGBKCSV(t *testing.T) {
	r, enc, err := DecodeReader(bytes.NewReader(gbk(t, sampleCSV)))
	if err != nil || enc != "GB18030" {
		t.Fatalf("DecodeReader = %q, %v", enc, err)
	}
	records, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	if len(records) != 2 || records[1][1] != "许昌堃昇人力资源有限公司（建安）" || records[0][2] != "许可日期" {
		t.Errorf("records = %q", records)
	}
}

// A multi-byte character cut by the sniffing window must not make a UTF-8
// file look like GBK, and a GBK file must be detected even when its first
// non-ASCII byte comes late.
func TestDecodeReaderLongInput(t *testing.T) {
	for pad := sniffSize - 3; pad <= sniffSize; pad++ {
		text := strings.Repeat("a", pad) + "堃昇\n"
		got, enc := decodeAll(t, []byte(text))
		if enc != "UTF-8" || got != text {
			t.Errorf("pad %d: encoding %q, text intact %v", pad, enc, got == text)
		}
	}
	text := strings.Repeat("a", sniffSize-10) + "许昌堃昇" + strings.Repeat("b", 1000)
	got, enc := decodeAll(t, gbk(t, text))
	if enc != "GB18030" || got != text {
		t.Errorf("late GBK: encoding %q, text intact %v", enc, got == text)
	}
}

// A stream that ends inside a multi-byte character is not valid UTF-8 and
// must not be passed through as such.
func TestDecodeReaderTruncatedUTF8(t *testing.T) {
	in := []byte("许昌")
	_, enc := decodeAll(t, in[:len(in)-1])
	if enc != "GB18030" {
		t.Errorf("encoding = %q, want GB18030 for a stream that is not valid UTF-8", enc)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestDecodeReaderError(t *testing.T) {
	if _, _, err := DecodeReader(failingReader{}); err == nil {
		t.Error("DecodeReader on a failing reader returned no error")
	}
}

// The encoding is decided on the whole file: a GBK file whose first
// 64 KiB and more are ASCII is still decoded as GBK, and a file that turns
// from UTF-8 to GBK after the sniffing window fails to read, at the byte
// where it stops being UTF-8, instead of passing invalid UTF-8 on.
func TestDecodeReaderWholeFile(t *testing.T) {
	asciiHead := strings.Repeat("91411023174430174N,2023-07-31\n", 3*sniffSize/30)
	chinese := "许昌堃昇人力资源有限公司（建安）\n"

	got, enc := decodeAll(t, gbk(t, asciiHead+chinese))
	if enc != "GB18030" || got != asciiHead+chinese {
		t.Errorf("GBK after a %d-byte ASCII head: encoding %q, text intact %v", len(asciiHead), enc, got == asciiHead+chinese)
	}
	got, enc = decodeAll(t, []byte(asciiHead+chinese))
	if enc != "UTF-8" || got != asciiHead+chinese {
		t.Errorf("UTF-8 after a long ASCII head: encoding %q, text intact %v", enc, got == asciiHead+chinese)
	}

	utf8Head := strings.Repeat(chinese, 2*sniffSize/len(chinese))
	mixed := append([]byte(utf8Head), gbk(t, chinese)...)
	r, enc, err := DecodeReader(bytes.NewReader(mixed))
	if err != nil || enc != "UTF-8" {
		t.Fatalf("mixed file: %q, %v", enc, err)
	}
	out, err := io.ReadAll(r)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("byte %d is not UTF-8", len(utf8Head))) {
		t.Errorf("mixed file read %d bytes with error %v; want a failure at byte %d", len(out), err, len(utf8Head))
	}
	if !utf8.Valid(out) {
		t.Error("invalid UTF-8 passed through before the failure")
	}

	// A UTF-8 stream cut inside a character after the window is refused too.
	cut := []byte(utf8Head + "许")
	_, err = io.ReadAll(mustDecode(t, cut[:len(cut)-1]))
	if err == nil {
		t.Error("a UTF-8 file ending inside a character read without error")
	}
}

func mustDecode(t *testing.T, in []byte) io.Reader {
	t.Helper()
	r, _, err := DecodeReader(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
