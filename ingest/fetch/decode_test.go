package fetch_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
)

// Every body of testdata/decode under every label: the text Decode reads
// (the .txt beside the body, in UTF-8), the charset it reads it in, the
// label it saw, whether it calls the label wrong, and the error. A
// decoder that patched bad bytes with U+FFFD, guessed a charset from no
// evidence, or believed a label the bytes contradict fails a row here.
func TestDecode(t *testing.T) {
	const (
		utf8Label    = "text/html; charset=utf-8"
		gbkLabel     = "text/html; charset=GBK"
		gb2312Label  = "text/html; charset=gb2312"
		gb18030Label = "application/json;charset=GB18030"
		noLabel      = "text/html"
		latin1Label  = "application/json;charset=ISO-8859-1" // Tomcat's default
		cp1252Label  = "text/html; charset=windows-1252"
	)
	tests := []struct {
		body, contentType string
		text              string // file of the expected text; "" with err
		enc, label        string
		mislabelled       bool
		err               error
	}{
		// UTF-8 bytes.
		{"utf8.body", utf8Label, "utf8.txt", "UTF-8", "utf-8", false, nil},
		{"utf8.body", noLabel, "utf8.txt", "UTF-8", "", false, nil},
		{"utf8.body", gbkLabel, "utf8.txt", "UTF-8", "gbk", true, nil},
		{"utf8.body", gb18030Label, "utf8.txt", "UTF-8", "gb18030", true, nil},
		// GBK bytes (堃 and 昇 exist only in GBK, not GB2312).
		{"gbk.body", gbkLabel, "gbk.txt", "GB18030", "gbk", false, nil},
		{"gbk.body", gb2312Label, "gbk.txt", "GB18030", "gb2312", false, nil},
		{"gbk.body", gb18030Label, "gbk.txt", "GB18030", "gb18030", false, nil},
		{"gbk.body", utf8Label, "gbk.txt", "GB18030", "utf-8", true, nil},
		{"gbk.body", noLabel, "gbk.txt", "GB18030", "", false, nil},
		// GB18030 bytes with four-byte characters (㐀, 𠀀) GBK lacks:
		// every GB label is read as GB18030, the superset.
		{"gb18030.body", gb18030Label, "gb18030.txt", "GB18030", "gb18030", false, nil},
		{"gb18030.body", gbkLabel, "gb18030.txt", "GB18030", "gbk", false, nil},
		{"gb18030.body", utf8Label, "gb18030.txt", "GB18030", "utf-8", true, nil},
		{"gb18030.body", noLabel, "gb18030.txt", "GB18030", "", false, nil},
		// Every code of GB18030's user-defined areas (AAA1–AFFE,
		// F8A1–FEFE, A140–A7A0), after a name holding one (许昌市\uE000…):
		// read as the private-use characters U+E000–U+E765, as Python's
		// gb18030 codec wrote the .txt (x/text reads them as U+FFFD, and
		// every such page failed as invalid).
		{"gb18030-pua.body", gbkLabel, "gb18030-pua.txt", "GB18030", "gbk", false, nil},
		{"gb18030-pua.body", gb2312Label, "gb18030-pua.txt", "GB18030", "gb2312", false, nil},
		{"gb18030-pua.body", gb18030Label, "gb18030-pua.txt", "GB18030", "gb18030", false, nil},
		{"gb18030-pua.body", utf8Label, "gb18030-pua.txt", "GB18030", "utf-8", true, nil},
		{"gb18030-pua.body", noLabel, "gb18030-pua.txt", "GB18030", "", false, nil},
		{"gb18030-pua.body", latin1Label, "gb18030-pua.txt", "GB18030", "iso-8859-1", true, nil},
		// Cut inside the last character: the cut-off bytes are dropped,
		// never patched. UTF-8 cut so is valid GB18030 as it stands (…銆
		// for …名录。): it must still read as UTF-8.
		{"utf8-cut.body", utf8Label, "utf8-cut.txt", "UTF-8", "utf-8", false, nil},
		{"utf8-cut.body", noLabel, "utf8-cut.txt", "UTF-8", "", false, nil},
		{"utf8-cut.body", gbkLabel, "utf8-cut.txt", "UTF-8", "gbk", true, nil},
		{"gbk-cut.body", gbkLabel, "gbk-cut.txt", "GB18030", "gbk", false, nil},
		{"gbk-cut.body", utf8Label, "gbk-cut.txt", "GB18030", "utf-8", true, nil},
		// Valid in neither charset, whatever the label.
		{"neither.body", utf8Label, "", "", "", false, fetch.ErrCharset},
		{"neither.body", gbkLabel, "", "", "", false, fetch.ErrCharset},
		{"neither.body", gb18030Label, "", "", "", false, fetch.ErrCharset},
		{"neither.body", noLabel, "", "", "", false, fetch.ErrCharset},
		// A single-byte label cannot be checked (every byte is valid in
		// it): bytes beyond ASCII must be UTF-8 or GB18030.
		{"gbk.body", latin1Label, "gbk.txt", "GB18030", "iso-8859-1", true, nil},
		{"gbk.body", cp1252Label, "gbk.txt", "GB18030", "windows-1252", true, nil},
		{"utf8.body", latin1Label, "utf8.txt", "UTF-8", "iso-8859-1", true, nil},
		{"neither.body", latin1Label, "", "", "", false, fetch.ErrCharset},
		{"ascii.body", latin1Label, "ascii.txt", "UTF-8", "iso-8859-1", false, nil},
		// ASCII is what every label says it is.
		{"ascii.body", utf8Label, "ascii.txt", "UTF-8", "utf-8", false, nil},
		{"ascii.body", gbkLabel, "ascii.txt", "GB18030", "gbk", false, nil},
		{"ascii.body", noLabel, "ascii.txt", "UTF-8", "", false, nil},
		// A <meta> label: read when the header names none, or names UTF-8
		// over bytes that are not.
		{"meta-gbk.body", noLabel, "meta-gbk.txt", "GB18030", "gbk", false, nil},
		{"meta-gbk.body", utf8Label, "meta-gbk.txt", "GB18030", "utf-8", true, nil},
		// A byte-order mark decides, and must be true.
		{"bom-utf8.body", gbkLabel, "utf8.txt", "UTF-8", "utf-8", false, nil},
		{"bom-utf8.body", noLabel, "utf8.txt", "UTF-8", "utf-8", false, nil},
		{"bom-gbk.body", gbkLabel, "", "", "", false, fetch.ErrCharset},
	}
	read := func(t *testing.T, name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", "decode", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range tests {
		t.Run(tt.body+" as "+tt.contentType, func(t *testing.T) {
			d, err := fetch.Decode(read(t, tt.body), tt.contentType)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v (decoded %+v)", err, tt.err, d)
				}
				if d != (fetch.Decoded{}) {
					t.Errorf("a failed decode returned text: %+v", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if want := string(read(t, tt.text)); d.Text != want {
				t.Errorf("text %q, want %q", d.Text, want)
			}
			if d.Encoding != tt.enc || d.Label != tt.label || d.Mislabelled != tt.mislabelled {
				t.Errorf("encoding %q label %q mislabelled %v, want %q %q %v", d.Encoding, d.Label, d.Mislabelled, tt.enc, tt.label, tt.mislabelled)
			}
			if note := d.Note(); (note != "") != tt.mislabelled {
				t.Errorf("Note() = %q with mislabelled %v", note, tt.mislabelled)
			}
		})
	}
}

// Bytes invalid in their charset are named, with their offset: the error
// said "labelled gbk, but not valid GB18030 and not UTF-8 either", and
// nothing of where.
func TestDecodeNamesTheBadBytes(t *testing.T) {
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	name := gbk("许昌市") // six bytes
	for _, tt := range []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"0xFF after a name", "text/html; charset=gbk", append(slices.Clone(name), 0xFF, 'a'),
			`labelled "gbk", but not valid GB18030 (invalid bytes 0xFF at offset 6) and not UTF-8 either (invalid byte 0xD0 at offset 0)`},
		{"a lead byte before a space", "text/html; charset=gb2312", append(append(slices.Clone(name), 0x81, ' '), name...),
			`not valid GB18030 (invalid bytes 0x81 0x20 at offset 6)`},
		{"after a user-defined character", "text/html; charset=gbk", append(append(slices.Clone(name), 0xAA, 0xA1, 0xA1, 0x7F), name...),
			`not valid GB18030 (invalid bytes 0xA1 0x7F at offset 8)`},
		{"no label", "text/html", append(append(slices.Clone(name), 0xFE, 0x39, 0xFF, 0x30), name...),
			`labelled "nothing", but not UTF-8 (invalid byte 0xD0 at offset 0) and not GB18030 either (invalid bytes 0xFE 0x39 0xFF 0x30 at offset 6)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fetch.Decode(tt.body, tt.contentType)
			if !errors.Is(err, fetch.ErrCharset) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrCharset saying %q", err, tt.want)
			}
		})
	}
}
