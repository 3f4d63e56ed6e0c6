package contract

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/transform"
)

func mustMap(t *testing.T, list string, header ...string) *Mapping {
	t.Helper()
	l, err := Lookup(list)
	if err != nil {
		t.Fatal(err)
	}
	m, err := l.Map(header)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapHeaders(t *testing.T) {
	tests := []struct {
		name    string
		list    string
		header  []string
		wantErr string
		extra   []string
	}{
		{"english", "annual_reports", []string{"uscc", "year", "submitted_on"}, "", nil},
		{"chinese any order", "annual_reports", []string{"提交日期", "统一社会信用代码", "报告年度"}, "", nil},
		{"full-width and spaces", "annual_reports", []string{" 统一社会信用代码 ", "ＹＥＡＲ", "Submitted_On"}, "", nil},
		{"unknown kept", "annual_reports", []string{"uscc", "year", "submitted_on", "备注"}, "", []string{"备注"}},
		{"missing required", "annual_reports", []string{"uscc", "year"}, "submitted_on (提交日期)", nil},
		{"duplicate", "annual_reports", []string{"uscc", "统一社会信用代码", "year", "submitted_on"}, "both mean uscc", nil},
		{"json keys of the publicity system", "penalties", []string{"PENDECNO", "PENDECISSDATE", "PENAUTH_CN", "PENCONTENT", "企业名称"}, "", nil},
		// Forms mark required columns and the format wanted.
		{"notes in brackets and asterisks", "annual_reports", []string{"*统一社会信用代码", "报告年度（必填）", "提交日期(年月日)"}, "", nil},
		{"a note in 【】 and a line break", "annual_reports", []string{"统一社会\n信用代码【必填】", "报告年度*", "提交日期"}, "", nil},
		{"a note does not hide a duplicate", "annual_reports", []string{"统一社会信用代码", "统一社会信用代码（选填）", "year", "submitted_on"}, "both mean uscc", nil},
		// Where the list itself spells a name with a bracket, the bracket
		// tells columns apart: 作出决定机关(移出) is not the authority.
		{"a qualifier is no note", "abnormal", []string{"统一社会信用代码", "企业名称", "列入日期", "作出决定机关(移出)"}, "", []string{"作出决定机关(移出)"}},
		{"the qualified spelling", "abnormal", []string{"统一社会信用代码", "企业名称", "列入日期", "作出决定机关（列入）", "作出决定机关（移出）"}, "", []string{"作出决定机关（移出）"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := Lookup(tt.list)
			m, err := l.Map(tt.header)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Map error = %v, want ErrHeader mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Extra(); strings.Join(got, ",") != strings.Join(tt.extra, ",") {
				t.Errorf("Extra = %v, want %v", got, tt.extra)
			}
		})
	}
}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseValues(t *testing.T) {
	m := mustMap(t, "inspections", "record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "measure")
	tests := []struct {
		name   string
		fields []string
		want   map[string]any
		reason string
		column string
	}{
		{"english", []string{"R1", "914403001922038216", "violation", "serious", "2023-07-31", "", "false", "责令限期整改"},
			map[string]any{"kind": "violation", "severity": "serious", "handled_on": date("2023-07-31"), "rectified_on": nil, "refused": false}, "", ""},
		{"chinese spellings", []string{"R2", " ９１４４０３００１９２２０３８２１６ ", "违法违规", "重大", "2023年7月31日", "2023/8/1", "是", ""},
			map[string]any{"uscc": "914403001922038216", "kind": "violation", "severity": "major", "rectified_on": date("2023-08-01"), "refused": true}, "", ""},
		{"lower-case USCC", []string{"R3", "91440300708461136t", "fund_fraud", "", "20230731", "", "1", ""},
			map[string]any{"uscc": "91440300708461136T", "severity": ""}, "", ""},
		{"bad check char", []string{"R4", "914403001922038217", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonUSCC, "uscc"},
		{"unknown kind", []string{"R5", "914403001922038216", "theft", "", "2023-07-31", "", "", ""}, nil, ReasonEnum, "kind"},
		{"violation without severity", []string{"R6", "914403001922038216", "violation", "", "2023-07-31", "", "", ""}, nil, ReasonMissing, "severity"},
		{"bad boolean", []string{"R7", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "maybe", ""}, nil, ReasonBool, "refused"},
		{"29 February in a common year", []string{"R8", "914403001922038216", "fund_fraud", "", "2023-02-29", "", "", ""}, nil, ReasonDate, "handled_on"},
		{"rectified before handled", []string{"R9", "914403001922038216", "fund_fraud", "", "2023-07-31", "2023-07-30", "", ""}, nil, ReasonInconsistent, "rectified_on"},
		{"missing id", []string{"", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonMissing, "record_id"},
		{"short record", []string{"R10", "914403001922038216", "fund_fraud"}, nil, ReasonMissing, "handled_on"},
		{"empty cells past the header", []string{"R11", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "", "", " "},
			map[string]any{"record_id": "R11", "kind": "fund_fraud"}, "", ""},
		{"invisible characters in the key", []string{"JC-2026-001\u200b\u00ad", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", ""},
			map[string]any{"record_id": "JC-2026-001"}, "", ""},
		{"a value past the header", []string{"R12", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "责令限期整改", "改正"}, nil, ReasonColumns, ""},
		{"values in Excel's text formula", []string{`="R14"`, `="914403001922038216"`, "fund_fraud", "", `="2023-07-31"`, "", "", `="责令""限期""整改"`},
			map[string]any{"record_id": "R14", "uscc": "914403001922038216", "handled_on": date("2023-07-31"), "measure": `责令"限期"整改`}, "", ""},
		{"a USCC after an apostrophe", []string{"R15", "'914403001922038216", "fund_fraud", "", "2023-07-31", "", "", ""},
			map[string]any{"uscc": "914403001922038216"}, "", ""},
		{"a formula joining texts stays as written", []string{"R16", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", `="责令"&"整改"`},
			map[string]any{"measure": `="责令"&"整改"`}, "", ""},
		{"an empty text formula is empty", []string{`=""`, "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonMissing, "record_id"},
		{"a formula is no date", []string{"R17", "914403001922038216", "fund_fraud", "", `=DATE(2023,7,31)`, "", "", ""}, nil, ReasonDate, "handled_on"},
		{"a failed formula's #N/A is no value", []string{"R18", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "#N/A"}, nil, ReasonExcelError, "measure"},
		{"nor is #REF!", []string{"#ref!", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonExcelError, "record_id"},
		{"a date before the store's first day", []string{"R19", "914403001922038216", "fund_fraud", "", "1965-03-01", "", "", ""}, nil, ReasonDate, "handled_on"},
		{"a # in a text is text", []string{"R20", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "#3 整改"}, map[string]any{"measure": "#3 整改"}, "", ""},
		// Lists write a date they do not have as a dash or 暂无: no date.
		{"a dash for no date", []string{"R21", "914403001922038216", "fund_fraud", "", "2023-07-31", "－", "", ""},
			map[string]any{"rectified_on": nil}, "", ""},
		{"暂无 for no date", []string{"R22", "914403001922038216", "fund_fraud", "", "2023-07-31", " 暂无 ", "", ""},
			map[string]any{"rectified_on": nil}, "", ""},
		{"未移出 for no date", []string{"R25", "914403001922038216", "fund_fraud", "", "2023-07-31", "未移出", "", ""},
			map[string]any{"rectified_on": nil}, "", ""},
		{"a dash for a required code is a missing one", []string{"R26", "—", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonMissing, "uscc"},
		{"a dash for a required date is a missing one", []string{"R23", "914403001922038216", "fund_fraud", "", "—", "", "", ""}, nil, ReasonMissing, "handled_on"},
		{"a dash in a text is the text", []string{"R24", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "-"}, map[string]any{"measure": "-"}, "", ""},
		// A control character acts on the terminal printing the value
		// and breaks the workbook writing it; tab, LF and CR are white
		// space.
		{"ESC in a text", []string{"R27", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "\x1b[2J\x1b[31m责令整改"}, nil, ReasonControl, "measure"},
		{"BEL in a code", []string{"R28\a", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonControl, "record_id"},
		{"a C1 control in a date", []string{"R29", "914403001922038216", "fund_fraud", "", "2023-07-31\u009b", "", "", ""}, nil, ReasonControl, "handled_on"},
		{"a noncharacter in a text", []string{"R32", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "责令\uFFFE整改"}, nil, ReasonControl, "measure"},
		{"DEL in a USCC", []string{"R30", "91440300192203821\x7f6", "fund_fraud", "", "2023-07-31", "", "", ""}, nil, ReasonControl, "uscc"},
		{"tab, line feed and CR are white space", []string{"R31", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "责令\t限期\r\n整改\n"},
			map[string]any{"measure": "责令\t限期\r\n整改"}, "", ""},
		{"an unquoted comma shifting the row", []string{"R13", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "责令", "限期整改"}, nil, ReasonColumns, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, errs := m.Parse(tt.fields)
			if tt.reason != "" {
				if len(errs) == 0 {
					t.Fatalf("accepted %v, want %s", tt.fields, tt.reason)
				}
				if errs[0].Reason != tt.reason || errs[0].Column != tt.column {
					t.Fatalf("error = %+v, want reason %q column %q", errs[0], tt.reason, tt.column)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("rejected: %v", errs)
			}
			for k, want := range tt.want {
				got := row.Get(k)
				if gt, ok := got.(time.Time); ok {
					if wt, ok := want.(time.Time); !ok || !gt.Equal(wt) {
						t.Errorf("%s = %v, want %v", k, got, want)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
}

// A value in a column the contract does not know is kept as written, but
// not with a control character, any more than a contract column's.
func TestExtraColumnWithControlCharacter(t *testing.T) {
	m := mustMap(t, "institutions", "uscc", "name", "licensed_on", "备注")
	_, errs := m.Parse([]string{"914403001922038216", "机构", "2020-01-01", "注\x07"})
	if len(errs) != 1 || errs[0].Reason != ReasonControl || errs[0].Column != "备注" || !strings.Contains(errs[0].Error(), "holds a control character (U+0007)") {
		t.Errorf("errors %v, want 备注's control character", errs)
	}
}

func TestParseReportsEveryBadField(t *testing.T) {
	m := mustMap(t, "annual_reports", "uscc", "year", "submitted_on")
	_, errs := m.Parse([]string{"123", "19", "2023-13-01"})
	if len(errs) != 3 {
		t.Fatalf("got %d errors (%v), want one per bad field", len(errs), errs)
	}
}

// A licence cannot end before it was granted.
// Columns the contract does not know are kept, each: a header written
// twice keeps both values.
func TestExtraColumnsNamedTwice(t *testing.T) {
	m := mustMap(t, "institutions", "uscc", "name", "licensed_on", "备注", "联系人", "备注")
	if got := m.Extra(); !slices.Equal(got, []string{"备注", "联系人", "备注（2）"}) {
		t.Errorf("extra %q", got)
	}
	row, errs := m.Parse([]string{"914403001922038216", "某公司", "2023-07-31", "a", "王敏", "b"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !maps.Equal(row.Extra, map[string]string{"备注": "a", "联系人": "王敏", "备注（2）": "b"}) {
		t.Errorf("extra %v", row.Extra)
	}
}

func TestLicenceEndsAfterItWasGranted(t *testing.T) {
	m := mustMap(t, "institutions", "uscc", "name", "licensed_on", "license_status", "license_status_on")
	for _, tt := range []struct {
		status, on string
		ok         bool
	}{{"注销", "2024-01-01", true}, {"注销", "2023-07-31", true}, {"注销", "2020-01-01", false}, {"吊销", "2023-07-30", false}, {"有效", "", true}} {
		_, errs := m.Parse([]string{"914403001922038216", "某公司", "2023-07-31", tt.status, tt.on})
		if ok := len(errs) == 0; ok != tt.ok {
			t.Errorf("%s on %s: accepted %v (%v), want %v", tt.status, tt.on, ok, errs, tt.ok)
		} else if !ok && (errs[0].Column != "license_status_on" || errs[0].Reason != ReasonInconsistent) {
			t.Errorf("%s on %s: %+v", tt.status, tt.on, errs[0])
		}
	}
}

// A report on a year is submitted once the year is over: one dated
// before would count as filed in time (B3, C5) before it was due.
func TestAnnualReportAfterItsYear(t *testing.T) {
	m := mustMap(t, "annual_reports", "统一社会信用代码", "报告年度", "提交日期")
	for _, tt := range []struct {
		year, on string
		ok       bool
	}{
		{"2025", "2026-01-01", true},
		{"2025", "2026-06-30", true},
		{"2025", "2031-02-17", true},
		{"2025", "2025-12-31", false},
		{"2025", "2024-03-01", false},
		{"2031", "2021-02-17", false},
		{"2023年度", "2023年7月31日", false},
	} {
		_, errs := m.Parse([]string{"91411081MAN2C0TD7D", tt.year, tt.on})
		if ok := len(errs) == 0; ok != tt.ok {
			t.Errorf("%s submitted %s: accepted %v (%v), want %v", tt.year, tt.on, ok, errs, tt.ok)
		} else if !ok && (errs[0].Column != "提交日期" || errs[0].Reason != ReasonInconsistent || !strings.Contains(errs[0].Detail, "before the year ended")) {
			t.Errorf("%s submitted %s: %+v, want 提交日期 inconsistent", tt.year, tt.on, errs[0])
		}
	}
}

// A value longer than a cell holds (Excel's 32,767 characters, counted
// in UTF-16 units) rejects its row, whatever its column, kept ones too:
// a 70-million-character description was stored, and cut short without
// a word in the 附件2 written from it.
func TestValueLongerThanACell(t *testing.T) {
	m := mustMap(t, "inspections", "record_id", "uscc", "kind", "handled_on", "description", "备注")
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	for _, tt := range []struct {
		name, description, note string
		column                  string // "" when accepted
	}{
		{"as long as a cell", long("长", MaxValueLength), "", ""},
		{"a character more", long("长", MaxValueLength+1), "", "description"},
		{"ASCII", long("a", MaxValueLength+1), "", "description"},
		{"outside the Basic Multilingual Plane, two units each", long("𠀀", MaxValueLength/2+1), "", "description"},
		{"half as many of them", long("𠀀", MaxValueLength/2), "", ""},
		{"in a column kept as extra", "说明", long("注", MaxValueLength+1), "备注"},
	} {
		_, errs := m.Parse([]string{"R1", "914403001922038216", "fund_fraud", "2023-07-31", tt.description, tt.note})
		switch {
		case tt.column == "" && len(errs) > 0:
			t.Errorf("%s: %v", tt.name, errs)
		case tt.column != "" && (len(errs) != 1 || errs[0].Column != tt.column || errs[0].Reason != ReasonTooLong || len(errs[0].Error()) > 300):
			t.Errorf("%s: %v, want %s rejected as too long, briefly", tt.name, errs, tt.column)
		}
	}
}

func TestInstitutionDefaults(t *testing.T) {
	m := mustMap(t, "institutions", "uscc", "name", "licensed_on", "license_status", "county_code")
	row, errs := m.Parse([]string{"91411023174430174N", "建安区测试（有限）公司", "2020-01-01", "", ""})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if row.Get("county_code") != "411003" || row.Get("license_status") != "valid" || row.Get("name_key") != "建安区测试(有限)公司" {
		t.Errorf("defaults: county %v status %v name_key %v", row.Get("county_code"), row.Get("license_status"), row.Get("name_key"))
	}
	row, errs = m.Parse([]string{"91411023174430174N", "x", "2020-01-01", "", "411082"})
	if len(errs) > 0 || row.Get("county_code") != "411082" {
		t.Errorf("explicit county code must win: %v %v", row.Get("county_code"), errs)
	}
	// The retired code of 许昌县 in the column means 建安区, as it does
	// when derived from the USCC.
	row, errs = m.Parse([]string{"914403001922038216", "x", "2020-01-01", "", "411023"})
	if len(errs) > 0 || row.Get("county_code") != "411003" {
		t.Errorf("county code 411023 in the column: got %v %v, want 411003", row.Get("county_code"), errs)
	}
	if _, errs = m.Parse([]string{"91411023174430174N", "x", "2020-01-01", "注销", ""}); len(errs) != 1 || errs[0].Reason != ReasonMissing {
		t.Errorf("cancelled without a date: %v", errs)
	}
}

func TestPublicEvalKeepsLabel(t *testing.T) {
	m := mustMap(t, "public_eval", "uscc", "name", "grade", "evaluated_on")
	for label, grade := range map[string]string{"优": "A", "良": "B", "中": "C", "差": "D", "d": "D"} {
		row, errs := m.Parse([]string{"", "某公司", label, "2024-02-29"})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if row.Get("grade") != grade || row.Get("grade_label") != label {
			t.Errorf("%s: grade %v label %v", label, row.Get("grade"), row.Get("grade_label"))
		}
	}
	if _, errs := m.Parse([]string{"", "", "A", "2024-02-29"}); len(errs) != 1 || errs[0].Reason != ReasonMissing {
		t.Errorf("a record with neither USCC nor name must be rejected: %v", errs)
	}
}

// A decision's publicity cannot end before the decision.
func TestPublicityEndsAfterTheDecision(t *testing.T) {
	m := mustMap(t, "penalties", "record_id", "name", "decided_on", "publicity_ended_on")
	for _, tt := range []struct {
		ended string
		ok    bool
	}{{"", true}, {"2023-07-10", true}, {"2024-07-10", true}, {"2023-07-09", false}, {"1970-01-01", false}} {
		_, errs := m.Parse([]string{"许人社罚〔2023〕1号", "某公司", "2023-07-10", tt.ended})
		if ok := len(errs) == 0; ok != tt.ok {
			t.Errorf("ended %q: accepted %v (%v), want %v", tt.ended, ok, errs, tt.ok)
		} else if !ok && (errs[0].Column != "publicity_ended_on" || errs[0].Reason != ReasonInconsistent) {
			t.Errorf("ended %q: %+v, want an inconsistent publicity_ended_on", tt.ended, errs[0])
		}
	}
}

// Names and sentences are stored as written, to be shown back on the
// notice's forms (a legal name keeps its full-width brackets); what no
// reader sees is left out, and the name's key folds the rest. A key or a
// code is stored folded: it must match however it is written.
func TestTextAsWritten(t *testing.T) {
	m := mustMap(t, "penalties", "record_id", "uscc", "name", "decided_on", "authority", "content")
	row, errs := m.Parse([]string{" 许人社罚〔２０２６〕７号 ", "", "启航人力资源服务（许昌）\u200b有限公司\u3000", "2026-03-02", "许昌市　人社局", `="未按规定明示收费标准，责令改正"`})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for col, want := range map[string]string{
		"record_id": "许人社罚〔2026〕7号",
		"name":      "启航人力资源服务（许昌）有限公司",
		"name_key":  "启航人力资源服务(许昌)有限公司",
		"authority": "许昌市　人社局",
		"content":   "未按规定明示收费标准，责令改正",
	} {
		if got := row.Get(col); got != want {
			t.Errorf("%s = %q, want %q", col, got, want)
		}
	}
}

func TestSerialDatesOnlyWhenAllowed(t *testing.T) {
	m := mustMap(t, "annual_reports", "uscc", "year", "submitted_on")
	if _, errs := m.Parse([]string{"914403001922038216", "2023", "45138"}); len(errs) == 0 {
		t.Error("a bare number in a CSV date column must be rejected")
	}
	for _, tt := range []struct {
		system transform.SerialDates
		serial string
	}{{transform.Excel1900, "45138"}, {transform.Excel1904, "43676"}} {
		m.SerialDates = tt.system
		row, errs := m.Parse([]string{"914403001922038216", "2022", tt.serial})
		if len(errs) > 0 || !row.Get("submitted_on").(time.Time).Equal(date("2023-07-31")) {
			t.Errorf("%v: serial %s = %v %v, want 2023-07-31", tt.system, tt.serial, row.Get("submitted_on"), errs)
		}
	}
}

// FuzzParseRecord feeds arbitrary fields to every list's parser: it must
// never panic, and an accepted row must hold typed values only.
func FuzzParseRecord(f *testing.F) {
	f.Add("914403001922038216", "2023年7月31日", "是", "违法违规", "严重")
	f.Add("９１４４０３００１９２２０３８２１６", "2024/2/29", "Y", "fund_fraud", "")
	f.Add("", "20230230", "maybe", "差", "x")
	f.Fuzz(func(t *testing.T, a, b, c, d, e string) {
		for _, l := range Lists() {
			header := make([]string, len(l.Columns))
			fields := make([]string, len(l.Columns))
			pool := []string{a, b, c, d, e}
			for i, col := range l.Columns {
				header[i] = col.Key
				fields[i] = pool[i%len(pool)]
			}
			m, err := l.Map(header)
			if err != nil {
				t.Fatal(err)
			}
			row, errs := m.Parse(fields)
			if len(errs) > 0 {
				for _, e := range errs {
					if e.Reason == "" || e.Error() == "" {
						t.Fatalf("empty error for %q", fields)
					}
				}
				continue
			}
			for i, v := range row.Values {
				switch v.(type) {
				case string, bool, uint16, time.Time, nil:
				default:
					t.Fatalf("%s column %d holds %T", l.Name, i, v)
				}
			}
		}
	})
}

// A code Excel turned into a number is refused with what happened and how
// to keep codes as text; a valid code that is all digits still loads.
func TestCodesStoredAsNumbers(t *testing.T) {
	tests := []struct {
		list, column, value, want string
	}{
		{"institutions", "uscc", "9.14403E+17", `column uscc: code stored as a number: Excel stored "9.14403E+17" as a number: the code has 18 digits, the number keeps the first 6 and the last 12 are lost; format the column as text (设置单元格格式 → 文本) and enter the codes again`},
		{"institutions", "license_no", "4.11002E+12", `column license_no: code stored as a number: Excel stored "4.11002E+12" as a number: the code has 13 digits, the number keeps the first 6 and the last 7 are lost; format the column as text (设置单元格格式 → 文本) and enter the codes again`},
		{"inspections", "record_id", "2.0260301E+7", `column record_id: code stored as a number: Excel stored "2.0260301E+7" as a number; format the column as text (设置单元格格式 → 文本) and enter the codes again`},
		{"institutions", "uscc", "914110023170541000", `column uscc: invalid USCC: "914110023170541000" has check character 0, want L (if this is a legal legacy code, add it to the USCC allow-list file); if the column holds numbers, Excel kept only the first 15 digits of the code: format the column as text (设置单元格格式 → 文本) and enter the codes again`},
	}
	for _, tt := range tests {
		l, _ := Lookup(tt.list)
		var header, fields []string
		for _, c := range l.Columns {
			header = append(header, c.Key)
			v := map[string]string{"uscc": "91411002MA4000000P", "name": "x", "licensed_on": "2020-01-01", "record_id": "R1", "kind": "fund_fraud", "handled_on": "2020-01-01"}[c.Key]
			if c.Key == tt.column {
				v = tt.value
			}
			fields = append(fields, v)
		}
		m, err := l.Map(header)
		if err != nil {
			t.Fatal(err)
		}
		_, errs := m.Parse(fields)
		if len(errs) != 1 || errs[0].Error() != tt.want {
			t.Errorf("%s %q: errors %v\nwant %s", tt.column, tt.value, errs, tt.want)
		}
	}
}

// A cell a spreadsheet made of an all-digit code fits the codes whose
// value, to the digits the cell kept and rounded as a spreadsheet rounds,
// it is: reconcile finds by it the institution of a rejected row.
func TestStoredAsNumber(t *testing.T) {
	const code = "914110252478813563"
	for _, tt := range []struct {
		cell, code string
		want       bool
	}{
		{"9.141102524788136e+17", code, true}, // 16 digits, the last rounded up
		{"9.14110252478814E+17", code, true},  // Excel's 15
		{"9.14110252478813E+17", code, false}, // truncated: another code's
		{"914110252478814000", code, true},    // the lost digits as zeros
		{"9.14E+17", code, true},              // few digits: fits many
		{"9.15E+17", code, false},
		{"9.141102524788136e+16", code, false}, // one digit short
		{"9.141102524788136e+17", "91411025MA4788136Y", false},
		{code, code, true},
		{"914110252478813563", "914110252478813564", false},
		{"长葛甲人力资源有限公司", code, false},
	} {
		if got := StoredAsNumber(tt.cell, tt.code); got != tt.want {
			t.Errorf("StoredAsNumber(%q, %q) = %v, want %v", tt.cell, tt.code, got, tt.want)
		}
	}
}

// Two lines run together by a lone CR (an editor's line break, not a
// CSV one) are told as such, not as a comma in a value.
func TestLoneCRInARowIsNamed(t *testing.T) {
	m := mustMap(t, "inspections", "record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "measure")
	_, errs := m.Parse([]string{"R1", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "整改\rR2", "914403001922038216"})
	if len(errs) != 1 || errs[0].Reason != ReasonColumns || !strings.Contains(errs[0].Detail, "lone carriage return") {
		t.Errorf("errors %+v, want the lone CR named", errs)
	}
	_, errs = m.Parse([]string{"R1", "914403001922038216", "fund_fraud", "", "2023-07-31", "", "", "责令", "限期整改"})
	if len(errs) != 1 || !strings.Contains(errs[0].Detail, "a comma inside a value") {
		t.Errorf("errors %+v, want the unquoted comma named", errs)
	}
}

// An external list's record whose USCC is written as a dash or 无 has
// none (it is matched by its name), and one still listed has no 移出日期
// when it reads 未移出: no record is rejected for how a list says "none".
func TestPlaceholdersForNone(t *testing.T) {
	m := mustMap(t, "abnormal", "uscc", "name", "listed_on", "reason", "authority", "removed_on")
	for _, code := range []string{"-", "—", "/", "无", "－"} {
		row, errs := m.Parse([]string{code, "许昌甲人力资源有限公司", "2023-07-13", "通过登记的住所无法联系", "许昌市市场监督管理局", "未移出"})
		if len(errs) > 0 {
			t.Errorf("USCC %q: %v", code, errs[0])
			continue
		}
		if row.Get("uscc") != "" || row.Get("removed_on") != nil {
			t.Errorf("USCC %q: uscc %#v, removed_on %#v; want none", code, row.Get("uscc"), row.Get("removed_on"))
		}
	}
}

// A report year as people and programs write it: a float from pandas or
// openpyxl (2023.0) is the year Excel shows; a fraction that is not zero
// is no year.
func TestReportYearSpellings(t *testing.T) {
	m := mustMap(t, "annual_reports", "uscc", "year", "submitted_on")
	for _, tt := range []struct {
		in   string
		want uint16 // 0: rejected
	}{
		{"2023", 2023}, {"2023年", 2023}, {"2023年度", 2023}, {"2023.0", 2023}, {"2023.00", 2023},
		{"2023.5", 0}, {"2023.", 0}, {"23.0", 0},
	} {
		row, errs := m.Parse([]string{"914403001922038216", tt.in, "2024-03-01"})
		switch {
		case tt.want == 0 && len(errs) == 0:
			t.Errorf("%q: read as %v, want rejected", tt.in, row.Get("year"))
		case tt.want != 0 && (len(errs) > 0 || row.Get("year") != tt.want):
			t.Errorf("%q: %v %v, want %d", tt.in, row, errs, tt.want)
		}
	}
}

// An apostrophe typed before a code to keep it text in Excel ('0001) is
// no part of it, in every column of codes and keys: '0001 and 0001 are
// one record. Text shown back keeps it, as written.
func TestApostropheBeforeACode(t *testing.T) {
	tests := []struct {
		list, column, value, want string
	}{
		{"inspections", "record_id", "'0001", "0001"},
		{"inspections", "record_id", "' 0001", "0001"},
		{"inspections", "record_id", `="'0001"`, "0001"},
		{"inspections", "record_id", "＇０００１", "0001"},
		{"inspections", "record_id", "JC'01", "JC'01"},
		{"inspections", "uscc", "'91411002MA4000000P", "91411002MA4000000P"},
		{"institutions", "license_no", "'00777", "00777"},
		{"penalties", "record_id", "'许人社罚〔2026〕7号", "许人社罚〔2026〕7号"},
		{"inspections", "measure", "'责令整改", "'责令整改"},
		{"institutions", "name", "'启航人力", "'启航人力"},
	}
	for _, tt := range tests {
		t.Run(tt.list+"/"+tt.column+"/"+tt.value, func(t *testing.T) {
			l, _ := Lookup(tt.list)
			var header, fields []string
			for _, c := range l.Columns {
				header = append(header, c.Key)
				v := map[string]string{"uscc": "91411002MA4000000P", "name": "x", "licensed_on": "2020-01-01", "decided_on": "2020-01-01", "record_id": "R1", "kind": "fund_fraud", "handled_on": "2020-01-01"}[c.Key]
				if c.Key == tt.column {
					v = tt.value
				}
				fields = append(fields, v)
			}
			m, err := l.Map(header)
			if err != nil {
				t.Fatal(err)
			}
			row, errs := m.Parse(fields)
			if len(errs) > 0 {
				t.Fatalf("rejected: %v", errs)
			}
			if got := row.Get(tt.column); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.column, got, tt.want)
			}
		})
	}
	// A mark alone is no code.
	m := mustMap(t, "inspections", "record_id", "uscc", "kind", "handled_on")
	if _, errs := m.Parse([]string{"'", "91411002MA4000000P", "fund_fraud", "2020-01-01"}); len(errs) != 1 || errs[0].Reason != ReasonMissing {
		t.Errorf("record id ': errors %v, want it missing", errs)
	}
}

// The external lists read their columns under the headings the
// publishing systems give them, and a name column under every heading
// any of them gives it: 主体名称 was the name in dishonest and
// public_eval but an unknown column in abnormal.
func TestExternalHeadings(t *testing.T) {
	tests := []struct {
		list, heading, key string
	}{
		// 国家企业信用信息公示系统, 经营异常名录.
		{"abnormal", "企业名称", "name"},
		{"abnormal", "市场主体名称", "name"},
		{"abnormal", "主体名称", "name"},
		{"abnormal", "列入日期", "listed_on"},
		{"abnormal", "列入经营异常名录日期", "listed_on"},
		{"abnormal", "作出决定日期", "listed_on"},
		{"abnormal", "列入原因", "reason"},
		{"abnormal", "列入经营异常名录原因", "reason"},
		{"abnormal", "作出决定机关", "authority"},
		{"abnormal", "作出决定机关（列入）", "authority"},
		{"abnormal", "移出日期", "removed_on"},
		{"abnormal", "移出原因", "removal_reason"},
		{"abnormal", "移出经营异常名录原因", "removal_reason"},
		// 严重失信主体名单, as the publicity system and Credit China head it.
		{"dishonest", "主体名称", "name"},
		{"dishonest", "市场主体名称", "name"},
		{"dishonest", "列入严重失信主体名单日期", "listed_on"},
		{"dishonest", "认定日期", "listed_on"},
		{"dishonest", "列入严重失信主体名单原因", "reason"},
		{"dishonest", "移出日期", "removed_on"},
		{"penalties", "主体名称", "name"},
		{"penalties", "当事人名称", "name"},
		{"public_eval", "企业名称", "name"},
		// Not the listing's date: the removal's authority has its own.
		{"abnormal", "作出决定机关（移出）", ""},
	}
	for _, tt := range tests {
		l, err := Lookup(tt.list)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.HeaderKey(tt.heading); got != tt.key {
			t.Errorf("%s: %s names %q, want %q", tt.list, tt.heading, got, tt.key)
		}
	}
	for _, l := range External() {
		for _, n := range subjectNames {
			if got := l.HeaderKey(n); got != "name" {
				t.Errorf("%s: %s names %q, want the name: every external list reads every heading of a name", l.Name, n, got)
			}
		}
	}
}

// An unknown header one character from a column's spelling, or a
// spelling another list reads for a column of the same key, resembles
// that column; one that names a column, a short word, an identifier of
// another list and a header close to two columns do not.
func TestResembles(t *testing.T) {
	tests := []struct {
		list, cell, key string // key "" for none
	}{
		{"institutions", "承诺书签定日期", "commitment_signed_on"},  // one character changed
		{"institutions", "承诺书签订日", "commitment_signed_on"},   // one left out
		{"institutions", "承诺书的签订日期", "commitment_signed_on"}, // one added
		{"institutions", "许可日起（必填）", "licensed_on"},          // a note aside
		{"institutions", "失联起始日", "lost_contact_since"},
		{"institutions", "许可证号码", "license_no"}, // from the alias 许可证号
		{"institutions", "licenced_on", "licensed_on"},
		{"inspections", "整改完成时期", "rectified_on"},
		{"abnormal", "认定日期", "listed_on"}, // dishonest's listed_on
		{"abnormal", "失信行为", "reason"},    // dishonest's reason
		{"dishonest", "移出原因", ""},         // abnormal's removal_reason: dishonest has none
		{"public_eval", "当事人名称", "name"},  // penalties' name
		{"inspections", "决定书文号", ""},      // penalties' record id is its own numbering
		{"institutions", "承诺书签订日期", ""},   // names the column
		{"institutions", "备注", ""},
		{"institutions", "简称", ""},        // 名称 is too short to be misspelt
		{"inspections", "情况", ""},         // and so is 情节
		{"institutions", "承诺书签订日期期期", ""}, // three characters added
		{"institutions", "状态变更日期2", "license_status_on"},
		{"annual_reports", "years", "year"},
		{"institutions", "许可日号", ""}, // 许可日期 or 许可证号?
		{"institutions", "", ""},
	}
	for _, tt := range tests {
		l, err := Lookup(tt.list)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := l.Resembles(tt.cell)
		if ok != (tt.key != "") || c.Key != tt.key {
			t.Errorf("%s: %q resembles %q (%v), want %q", tt.list, tt.cell, c.Key, ok, tt.key)
		}
	}
}

// Key gives the key Parse gives, for every spelling validation folds (a
// code in lower case or full width, a name's brackets, a date with a
// time or in Chinese, a text mark before a code), and no key where
// Parse rejects a key cell.
func TestKeyAgreesWithParse(t *testing.T) {
	tests := []struct {
		list   string
		header []string
		fields []string
		want   []string // nil: no key
	}{
		{"abnormal", []string{"统一社会信用代码", "企业名称", "列入日期"},
			[]string{"91411002ma4000047h", "许昌(丁)人才服务有限公司", "2024-3-5 0:00"},
			[]string{"91411002MA4000047H", transform.NormalizeName("许昌（丁）人才服务有限公司"), "2024-03-05"}},
		{"abnormal", []string{"列入日期", "企业名称", "统一社会信用代码"},
			[]string{"2024年3月5日", "许昌丁人才服务有限公司", "９１４１１００２ＭＡ４００００４７Ｈ"},
			[]string{"91411002MA4000047H", transform.NormalizeName("许昌丁人才服务有限公司"), "2024-03-05"}},
		{"abnormal", []string{"统一社会信用代码", "企业名称", "列入日期"},
			[]string{"-", "许昌丁人才服务有限公司", "2024.03.05"},
			[]string{"", transform.NormalizeName("许昌丁人才服务有限公司"), "2024-03-05"}},
		{"penalties", []string{"决定书文号", "决定日期"}, []string{"'许市监罚〔2026〕3号", "2026-06-02"}, []string{"许市监罚〔2026〕3号"}},
		{"penalties", []string{"决定书文号", "决定日期"}, []string{" 许市监罚〔2026〕3号 ", "2026-06-02"}, []string{"许市监罚〔2026〕3号"}},
		{"annual_reports", []string{"uscc", "year", "submitted_on"}, []string{"91411002MA4000047H", "2023年度", "2024-03-01"}, []string{"91411002MA4000047H", "2023"}},
		// Rejected key cells: a failed check character, a date that is none.
		{"abnormal", []string{"统一社会信用代码", "企业名称", "列入日期"}, []string{"91411002MA4000047X", "许昌丁人才服务有限公司", "2024-03-05"}, nil},
		{"abnormal", []string{"统一社会信用代码", "企业名称", "列入日期"}, []string{"91411002MA4000047H", "许昌丁人才服务有限公司", "2024-02-30"}, nil},
		{"penalties", []string{"决定书文号", "决定日期"}, []string{"", "2026-06-02"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.fields, ","), func(t *testing.T) {
			m := mustMap(t, tt.list, tt.header...)
			got, ok := m.Key(tt.fields)
			if !ok {
				got = nil
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Key = %q (ok %v), want %q", got, ok, tt.want)
			}
			row, errs := m.Parse(tt.fields)
			var keyErr bool
			for _, e := range errs {
				for _, k := range m.list.Key {
					if k == "name_key" {
						k = "name"
					}
					keyErr = keyErr || e.Column == m.header(k)
				}
			}
			if ok && keyErr || !ok && !keyErr {
				t.Fatalf("Key ok %v, Parse errors %v", ok, errs)
			}
			if row == nil {
				return
			}
			var parsed []string
			for _, k := range m.list.Key {
				parsed = append(parsed, ValueText(row.Get(k)))
			}
			if !slices.Equal(got, parsed) {
				t.Errorf("Key = %q, Parse's key %q", got, parsed)
			}
		})
	}
}

// What systems write for an end that has none, or a date or code they do
// not have, is none — not a wrong value that rejects the record (a
// listing whose 移出日期 read 9999-12-31, 至今 or SQL Server's empty
// 1900-01-01 was never graded): 9999-12-31, 长期 and 至今 only in a list's
// end column, a Java service's null and a database's or a language's zero
// date (0000-00-00, 1900-01-01, 0001-01-01, 1899-12-30) in any date or
// USCC column; in a required column that is a missing date.
func TestEndsAndDatesWrittenAsNone(t *testing.T) {
	abn := mustMap(t, "abnormal", "uscc", "name", "listed_on", "removed_on")
	pen := mustMap(t, "penalties", "record_id", "uscc", "decided_on", "publicity_ended_on")
	tests := []struct {
		m       *Mapping
		fields  []string
		column  string
		missing bool // rejected: the required column is missing
	}{
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "9999-12-31"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "9999-12-31 23:59:59"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "99991231"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "9999年12月31日"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "长期"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "null"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "0000-00-00"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "0000-00-00 00:00:00"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "至今"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "至今有效"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "1900-01-01"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "1900-01-01 00:00:00.000"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "1900/1/1"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "0001-01-01"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "0001-01-01T00:00:00Z"}, "removed_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "2025-06-01", "1899-12-30"}, "removed_on", false},
		{abn, []string{"NULL", "甲", "2025-06-01", ""}, "uscc", false},
		{pen, []string{"许人社罚〔2026〕7号", "91411002MA4000000P", "2026-10-02", "至今"}, "publicity_ended_on", false},
		{pen, []string{"许人社罚〔2026〕7号", "91411002MA4000000P", "2026-10-02", "1900-01-01"}, "publicity_ended_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "1900-01-01", ""}, "listed_on", true},
		{pen, []string{"许人社罚〔2026〕7号", "91411002MA4000000P", "2026-10-02", "9999-12-31"}, "publicity_ended_on", false},
		{pen, []string{"许人社罚〔2026〕7号", "91411002MA4000000P", "2026-10-02", "永久"}, "publicity_ended_on", false},
		{abn, []string{"91411002MA4000000P", "甲", "0000-00-00", ""}, "listed_on", true},
		{abn, []string{"91411002MA4000000P", "甲", "null", ""}, "listed_on", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.fields, ","), func(t *testing.T) {
			row, errs := tt.m.Parse(tt.fields)
			if tt.missing {
				if len(errs) != 1 || errs[0].Reason != ReasonMissing {
					t.Errorf("errors %v, want %s missing", errs, tt.column)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("rejected: %v", errs[0])
			}
			if v := ValueText(row.Get(tt.column)); v != "" {
				t.Errorf("%s = %q, want none", tt.column, v)
			}
		})
	}
	// A start date, or an end column's real date past 2100 or before
	// 1970, is no placeholder: refused as before; so is 至今 in a start
	// column.
	for _, f := range [][]string{
		{"91411002MA4000000P", "甲", "9999-12-31", ""},
		{"91411002MA4000000P", "甲", "至今", ""},
		{"91411002MA4000000P", "甲", "2025-06-01", "2999-12-31"},
		{"91411002MA4000000P", "甲", "2025-06-01", "1900-01-02"},
		{"91411002MA4000000P", "甲", "2025-06-01", "1901-01-01"},
	} {
		if _, errs := abn.Parse(f); len(errs) != 1 || errs[0].Reason != ReasonDate {
			t.Errorf("%q: errors %v, want the date refused", f, errs)
		}
	}
}

// Excel's mark for text before any value read as data — a year, a date,
// a kind, a county code, all parts of the lists' keys or their meaning —
// is not part of it, as before a code.
func TestApostropheBeforeAnyValue(t *testing.T) {
	tests := []struct {
		m            *Mapping
		fields       []string
		column, want string
	}{
		{mustMap(t, "annual_reports", "uscc", "year", "submitted_on"), []string{"91411002MA4000000P", "'2025", "2026-03-01"}, "year", "2025"},
		{mustMap(t, "abnormal", "uscc", "name", "listed_on"), []string{"91411002MA4000000P", "甲", "'2026-03-01"}, "listed_on", "2026-03-01"},
		{mustMap(t, "inspections", "record_id", "uscc", "kind", "handled_on"), []string{"R1", "91411002MA4000000P", "'fund_fraud", "2020-01-01"}, "kind", "fund_fraud"},
		{mustMap(t, "institutions", "uscc", "name", "county_code", "licensed_on"), []string{"91411002MA4000000P", "甲", "'411002", "2020-01-01"}, "county_code", "411002"},
	}
	for _, tt := range tests {
		t.Run(tt.column, func(t *testing.T) {
			row, errs := tt.m.Parse(tt.fields)
			if len(errs) > 0 {
				t.Fatalf("rejected: %v", errs[0])
			}
			if v := ValueText(row.Get(tt.column)); v != tt.want {
				t.Errorf("%s = %q, want %q", tt.column, v, tt.want)
			}
		})
	}
}
