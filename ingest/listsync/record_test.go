package listsync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
)

// The text parse writes for a record is what json.Marshal wrote before
// it: a record hashes as it did, so an unchanged record does not count as
// modified after an upgrade.
func TestAppendJSONStringIsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "许昌市魏都区人力资源服务有限公司", `a "quoted" \ back`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\fff",
		"\x00\x01\x1f\x7f", "\u2028line\u2029para", "bad \xff\xfe utf-8 \xe4\xb8", "（全角）１２３", "emoji 😀",
	} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestParseRecordIsTheMarshalledMap(t *testing.T) {
	list, _ := contract.Lookup("abnormal")
	m, err := list.Map([]string{"企业名称", "统一社会信用代码", "列入日期", "列入原因", "作出决定机关"})
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{list: list}
	for _, fields := range [][]string{
		{"许昌<魏都>&人力资源（分部）有限公司", "91411002MA112356X9", "2025-07-01", "未按规定期限公示\"年度报告\"", "许昌市魏都区市场监督管理局"},
		{"许昌县昇华劳务派遣有限公司", "", "2024-07-02", "通过登记的住所或者经营场所无法联系", "许昌市建安区市场监督管理局"},
	} {
		row, errs := m.Parse(fields)
		if len(errs) > 0 {
			t.Fatalf("%q: %v", fields, errs[0])
		}
		rec := map[string]string{}
		for _, col := range list.StoredColumns() {
			rec[col] = contract.ValueText(row.Get(col))
		}
		want, _ := json.Marshal(rec)
		sum := sha256.Sum256(want)
		p := r.parse(row)
		if p.record != string(want) || p.hash != hex.EncodeToString(sum[:16]) {
			t.Errorf("record %s hash %s, want %s %s", p.record, p.hash, want, hex.EncodeToString(sum[:16]))
		}
		if p.uscc != rec["uscc"] || p.name != rec["name"] || p.nameKey != rec["name_key"] || p.nameKey == "" {
			t.Errorf("uscc %q name %q name_key %q, want %q %q %q", p.uscc, p.name, p.nameKey, rec["uscc"], rec["name"], rec["name_key"])
		}
	}
}

// pageDigest is the digest of the JSON array [header, records], as
// earlier versions stored it: a stored first page still compares equal.
func TestPageDigest(t *testing.T) {
	for _, tt := range []struct {
		header  []string
		records [][]string
	}{
		{nil, nil},
		{[]string{"企业名称", "<code>"}, [][]string{}},
		{[]string{"企业名称", "统一社会信用代码"}, [][]string{{"许昌&人力", "91411002MA112356X9"}, {"a\"b", ""}}},
	} {
		b, _ := json.Marshal([]any{tt.header, tt.records})
		sum := sha256.Sum256(b)
		if got, want := pageDigest(tt.header, tt.records), hex.EncodeToString(sum[:12]); got != want {
			t.Errorf("%q %q: %s, want %s", tt.header, tt.records, got, want)
		}
	}
}
