package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// viaDecoder is what decode made of a text before parseDocument: the
// first value by encoding/json's Decoder with UseNumber, and whether the
// text was accepted (nothing but ']' or '}' after it).
func viaDecoder(text string) (any, bool) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, false
	}
	if d.More() {
		return nil, false
	}
	return doc, true
}

var jsonCases = []string{
	`{}`, `[]`, ` {"a":1} `, `{"a":1}}`, `{"a":1}]`, `{"a":1} x`, `{"a":1}{}`, `[1,2,3]`, `[1,]`, `{"a":1,}`,
	`{"code":200,"total":3,"data":[{"PENDECNO":"许昌罚〔2024〕1号","UNISCID":"91411000MA0001","n":-0.5e+3,"b":true,"z":null,"f":false}]}`,
	`{"a":"\"\\\/\b\f\n\r\t\u00e9\u4e2d\u0000"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\x"}`, `{"a":"tab	in"}`,
	`{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":.5}`, `{"a":-0}`, `{"a":0.0e-0}`, `{"a":1E+2}`, `{"a":123abc}`,
	`{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":[1 2]}`, `{"a":{"b":{"c":[[[]]]}}}`,
	`{"a":1,"a":2}`, `[` + strings.Repeat(`[`, 300) + strings.Repeat(`]`, 300) + `]`, `"text"`, `12`, `null`, ``, `   `,
	`{"a":"` + "\u2028\u2029" + `"}`, `{"a":"<&>"}`, `{"a":"x"`, `{"a":`, `[1,2`, "{\"a\":1}\n\n", `{"":""}`,
}

func TestParseDocumentReadsAsEncodingJSON(t *testing.T) {
	for _, text := range jsonCases {
		checkParseDocument(t, text)
	}
}

func FuzzParseDocument(f *testing.F) {
	for _, text := range jsonCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if utf8.ValidString(text) { // decode hands parseDocument only valid text
			checkParseDocument(t, text)
		}
	})
}

// checkParseDocument: whatever parseDocument reads, encoding/json reads
// the same way; what it declines goes to encoding/json anyway.
func checkParseDocument(t *testing.T, text string) {
	t.Helper()
	got, ok := parseDocument(text)
	want, wantOK := viaDecoder(text)
	if ok && (!wantOK || !reflect.DeepEqual(got, want)) {
		t.Errorf("%q: parseDocument read %#v, encoding/json %#v (accepted: %v)", text, got, want, wantOK)
	}
	if !ok && wantOK && (strings.HasPrefix(strings.TrimLeft(text, " \t\r\n"), "{") || strings.HasPrefix(strings.TrimLeft(text, " \t\r\n"), "[")) &&
		!strings.Contains(text, `\u`) && !strings.Contains(text, strings.Repeat("[", maxDepth)) {
		// Not wrong, only slow: the common shape should take the fast path.
		t.Errorf("%q: parseDocument declined a document encoding/json reads", text)
	}
}
