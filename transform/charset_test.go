package transform

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
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
		// Excel's "Unicode text" (Unicode 文本): UTF-16 with its mark.
		{"UTF-16LE", func(*testing.T) []byte { return utf16Bytes(sampleCSV, false) }, sampleCSV, "UTF-16LE"},
		{"UTF-16BE", func(*testing.T) []byte { return utf16Bytes(sampleCSV, true) }, sampleCSV, "UTF-16BE"},
		{"UTF-16 beyond the BMP", func(*testing.T) []byte { return utf16Bytes("名称,𠀀𪚥\n", false) }, "名称,𠀀𪚥\n", "UTF-16LE"},
		// Some systems' "Unicode" exports write no mark; 统一 puts a zero
		// byte on the other side too (一 is U+4E00).
		{"UTF-16LE without its mark", func(*testing.T) []byte { return utf16Bytes(sampleCSV, false)[2:] }, sampleCSV, "UTF-16LE"},
		{"UTF-16BE without its mark", func(*testing.T) []byte { return utf16Bytes(sampleCSV, true)[2:] }, sampleCSV, "UTF-16BE"},
		// An all-Chinese table, tab-separated: its only ASCII the tab and
		// the line end.
		{"UTF-16LE without its mark, tabs its only ASCII", func(*testing.T) []byte { return utf16Bytes("机构名称\t统一代码\n", false)[2:] }, "机构名称\t统一代码\n", "UTF-16LE"},
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
// must not be passed through as such, nor read as something else.
func TestDecodeReaderTruncatedUTF8(t *testing.T) {
	in := []byte("许昌")
	r, enc, err := DecodeReader(bytes.NewReader(in[:len(in)-1]))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := io.ReadAll(r); err == nil {
		t.Errorf("read %q as %s without error", out, enc)
	}
}

// utf16Bytes is s in UTF-16 with its byte-order mark.
func utf16Bytes(s string, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// Text that is not what a file's encoding says fails to read where it
// starts, naming it; nothing garbled or replaced is passed on. Above all,
// UTF-8 with a GBK word in it is not read whole as GBK (every character
// garbled), even when the GBK is in the window that decides.
func TestDecodeReaderRefusesWhatIsNotText(t *testing.T) {
	line := "91411023174430174N,许昌堃昇人力资源有限公司（建安）,未按规定公示年度报告\n"
	utf8Head := strings.Repeat(line, 20)
	surrogate := utf16Bytes(line, false)
	surrogate = append(surrogate[:40:40], append([]byte{0x00, 0xD8}, surrogate[40:]...)...)
	tests := []struct {
		name, enc, want string
		in              []byte
	}{
		{"UTF-8 with a GBK word", "UTF-8", fmt.Sprintf("line 21, character 1 (byte %d of the file) is not UTF-8", len(utf8Head)),
			append(append([]byte(utf8Head), gbk(t, "许昌")...), line...)},
		{"UTF-8 with one GBK character first", "UTF-8", "line 1, character 20 (byte 19 of the file) is not UTF-8",
			append(append([]byte("91411023174430174N,"), gbk(t, "许")...), utf8Head...)},
		// The lines counted however they end, and across the reads.
		{"UTF-8 in CRLF lines with a GBK word", "UTF-8", "line 201, character 20 (",
			append(append([]byte(strings.ReplaceAll(strings.Repeat(utf8Head, 10), "\n", "\r\n")+"91411023174430174N,"), gbk(t, "许昌")...), line...)},
		{"UTF-8 in CR lines with a GBK word", "UTF-8", "line 201, character 20 (",
			append(append([]byte(strings.ReplaceAll(strings.Repeat(utf8Head, 10), "\n", "\r")+"91411023174430174N,"), gbk(t, "许昌")...), line...)},
		{"GBK with bytes that are not GBK", "GB18030", "line 1, character 41 is not GBK or GB18030",
			append(append(gbk(t, strings.Repeat("许", 40)), 0x81, 0x20), gbk(t, utf8Head)...)},
		{"GBK with bytes that are not GBK on line 3", "GB18030", "line 3, character 3 is not GBK or GB18030",
			append(append(gbk(t, "许昌\r\n许昌\n许昌"), 0x81, 0x20), gbk(t, utf8Head)...)},
		{"UTF-16 with a lone surrogate", "UTF-16LE", "line 1, character 20 is not UTF-16", surrogate},
		{"UTF-16 with an odd byte at the end", "UTF-16LE", "is not UTF-16", append(utf16Bytes(line, false), 'x')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, enc, err := DecodeReader(bytes.NewReader(tt.in))
			if err != nil || enc != tt.enc {
				t.Fatalf("DecodeReader: %q, %v; want %s", enc, err, tt.enc)
			}
			out, err := io.ReadAll(r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("read %d bytes, error %v; want %q", len(out), err, tt.want)
			}
			// What was read before the failure (the import then stores
			// nothing) holds no replacement character.
			if bytes.Contains(out, []byte("\uFFFD")) {
				t.Errorf("passed on replaced text: %q", out)
			}
		})
	}
}

// GBK text makes valid UTF-8 characters only by chance: a long GBK text
// of the lists' vocabulary is never taken for mostly UTF-8, and the same
// text in UTF-8 with a GBK word in it always is.
func TestMostlyUTF8(t *testing.T) {
	var text strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&text, "许昌%s第%d人力资源服务（分部）有限公司,%s,禹州市市场监督管理局\n",
			[]string{"魏都区", "建安区", "禹州市", "长葛市", "鄢陵县", "襄城县"}[i%6], i, []string{"未按规定期限公示年度报告", "通过登记的住所无法联系", "公示信息隐瞒真实情况、弄虚作假"}[i%3])
	}
	for _, n := range []int{100, 1000, sniffSize} {
		window := gbk(t, text.String())[:n]
		if mostlyUTF8(window) {
			t.Errorf("%d bytes of GBK taken for mostly UTF-8", n)
		}
		mixed := append(append([]byte(text.String()[:n]), gbk(t, "许昌堃昇")...), text.String()[:n]...)
		if !mostlyUTF8(mixed) {
			t.Errorf("%d bytes of UTF-8 around a GBK word not taken for mostly UTF-8", n)
		}
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
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d, character 1 (byte %d of the file) is not UTF-8", strings.Count(utf8Head, "\n")+1, len(utf8Head))) {
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

// Whatever the bytes, a file reads either as valid UTF-8 text or not at
// all: no invalid UTF-8 and no character the decoder made up (U+FFFD
// where the file has none) is passed on whole.
func FuzzDecodeReader(f *testing.F) {
	f.Add([]byte(sampleCSV))
	f.Add(append([]byte{0xFF, 0xFE}, 'a', 0, 0x00, 0xD8))
	f.Add(append([]byte(sampleCSV), 0xC4, 0xE3))
	f.Add([]byte{0x81, 0x30, 0x81, 0x30, 0x84, 0x31, 0xA4, 0x37})
	f.Fuzz(func(t *testing.T, in []byte) {
		r, enc, err := DecodeReader(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("DecodeReader on bytes: %v", err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			return
		}
		if !utf8.Valid(out) {
			t.Errorf("%s: read as invalid UTF-8: %q", enc, out)
		}
		if enc != "UTF-8" && bytes.Contains(out, []byte("\uFFFD")) {
			t.Errorf("%s: replacement characters passed on: %q", enc, out)
		}
	})
}

// Bytes that are no text — zero bytes on both sides alike, control bytes
// throughout — are ErrBinary, not UTF-16 with a character "not UTF-16"
// in it; a NUL typed into a value of a text is left to the record's
// rules (a control character), the file read.
func TestDecodeReaderBinary(t *testing.T) {
	noise := make([]byte, 8192)
	for i := range noise {
		noise[i] = byte(i*7 + i*i/3)
	}
	sequence := make([]byte, 1024)
	for i := range sequence {
		sequence[i] = byte(i)
	}
	for _, tt := range []struct {
		name   string
		in     []byte
		binary bool
	}{
		{"noise", noise, true},
		{"every byte in turn", sequence, true},
		{"NUL bytes before text", []byte("\x00\x00\x00\x00abc,def\n"), true},
		{"a NUL in a value", []byte("统一社会信用代码,机构名称\n91411002700000052N,名称\x00机构\n"), false},
		{"UTF-16 without its mark", utf16Bytes(sampleCSV, false)[2:], false},
	} {
		_, _, err := DecodeReader(bytes.NewReader(tt.in))
		if got := errors.Is(err, ErrBinary); got != tt.binary {
			t.Errorf("%s: %v, want binary %v", tt.name, err, tt.binary)
		}
	}
}

// A GBK file (an export of the bureau's GBK system) holding a character
// of GB18030's user-defined areas — a rare character added to the
// system's font, in a name — was refused as invalid (x/text decodes those
// codes as U+FFFD). They read as the private-use characters GB18030 maps
// them to; testdata/gb18030-pua.body holds every code of the three areas,
// and gb18030-pua.txt is that text as Python's gb18030 codec decodes it.
// Read through a reader of a few bytes at a time, so that codes straddle
// the decoder's buffers.
func TestDecodeReaderUserDefinedCharacters(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "gb18030-pua.body"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "gb18030-pua.txt"))
	if err != nil {
		t.Fatal(err)
	}
	csvBody := append(gbk(t, "机构名称,统一社会信用代码\n许昌"), body...)
	csvBody = append(csvBody, gbk(t, "人力资源有限公司,91411000MA44U8XX0X\n")...)
	r, enc, err := DecodeReader(iotest.OneByteReader(bytes.NewReader(csvBody)))
	if err != nil || enc != "GB18030" {
		t.Fatalf("DecodeReader = %q, %v", enc, err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if w := "机构名称,统一社会信用代码\n许昌" + string(want) + "人力资源有限公司,91411000MA44U8XX0X\n"; string(got) != w {
		t.Errorf("decoded text differs from Python's gb18030 (%d bytes, want %d)", len(got), len(w))
	}
	// An invalid code beside them is still refused.
	bad := append(gbk(t, "许昌"), 0xAA, 0xA1, 0x81, 0x7F)
	r, _, err = DecodeReader(bytes.NewReader(bad))
	if err == nil {
		_, err = io.ReadAll(r)
	}
	if err == nil {
		t.Error("an invalid GB18030 code beside a user-defined one was read")
	}
}
