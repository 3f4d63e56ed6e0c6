package file

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
)

// sliceRows serves rows from memory, numbered from 1.
type sliceRows struct {
	rows [][]string
	i    int
}

func (s *sliceRows) next() (int, []string, error) {
	if s.i == len(s.rows) {
		return s.i, nil, io.EOF
	}
	s.i++
	return s.i, s.rows[s.i-1], nil
}

func (s *sliceRows) progress() (int64, int64) { return int64(s.i), int64(len(s.rows)) }
func (s *sliceRows) hiddenCells() Hidden      { return Hidden{} }

// classified reads a sheet given as lines of comma-separated cells and
// returns each row under the header as "n:reason" (reason "" for a
// record).
func classified(t testing.TB, list *contract.List, lines []string) ([]string, *table, error) {
	var rows [][]string
	for _, l := range lines {
		rows = append(rows, strings.Split(l, ","))
	}
	tb, err := findTable(list, "", &sliceRows{rows: rows}, nil)
	if err != nil {
		return nil, nil, err
	}
	m, err := list.Map(tb.header)
	if err != nil {
		t.Fatalf("header %q found but does not map: %v", tb.header, err)
	}
	tb.bind(m)
	var out []string
	for {
		r, skip, err := tb.next()
		if errors.Is(err, io.EOF) {
			return out, tb, nil
		}
		if err != nil {
			return nil, nil, err
		}
		out = append(out, strconv.Itoa(r.n)+":"+skip)
	}
}

func TestClassifyRows(t *testing.T) {
	l, _ := contract.Lookup("institutions")
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"plain", []string{"uscc,name,licensed_on", "X,a,2020-01-01"}, "2:"},
		{"title, blank, notes", []string{"名册,,", ",,", "机构名称,统一社会信用代码,许可日期", "a,X,2020-01-01", ",,", "注 ：本表…,,", "说明：…,,", "备注,,"}, "4: 5:blank 6:note (注/说明) 7:note (注/说明) 8:note (注/说明)"},
		{"a name that starts like a note is a record", []string{"机构名称,统一社会信用代码,许可日期", "注册服务中心,X,2020-01-01"}, "2:"},
		{"totals", []string{"序号,机构名称,统一社会信用代码,许可日期", "合 计,,,", "总计,3家,,", "1,a,X,2020-01-01"}, "2:total (合计/总计) 3:total (合计/总计) 4:"},
		// The sum's count typed in the key column is no key.
		// A number alone is a count too, in a row that holds nothing
		// else of the list; beside a date it may be a record's bad code.
		{"a count in the key column", []string{"机构名称,统一社会信用代码,许可日期", "a,X,2020-01-01", "合计,49家,", "小计,共 3 家,", "合计,3,2020-01-01", "合计,3,", "总 计：,12,", "合计公司,3,"},
			"2: 3:total (合计/总计) 4:total (合计/总计) 5: 6:total (合计/总计) 7:total (合计/总计) 8:"},
		{"a number alone under the USCC", []string{"序号,统一社会信用代码,机构名称,许可日期,备注", "1,X,a,2020-01-01,", "合计,2,,,共2家", "总计,1234567,,,", "合计,12345678,,,"},
			"2: 3:total (合计/总计) 4:total (合计/总计) 5:"},
		// The label of the sum in the key column itself, the contract's
		// first: no key, with nothing else of the list beside it but a
		// count; beside a date it may be a record with a wrong code.
		{"a total in the key column", []string{"统一社会信用代码,机构名称,许可日期", "X,a,2020-01-01", "合计,,", "合计,1", "合 计：共2家,,", "总计（2家）,,", "小计,3家,", "合计,,2020-01-01", "合计公司,,", "合计,a,"},
			"2: 3:total (合计/总计) 4:total (合计/总计) 5:total (合计/总计) 6:total (合计/总计) 7:total (合计/总计) 8: 9: 10:"},
		// A row with a key is a record, whatever its first cell says.
		{"a record whose first cell begins like a total", []string{"机构名称,统一社会信用代码,许可日期", "合计人力资源服务有限公司,X,2020-01-01", "小计,,"}, "2: 3:total (合计/总计)"},
		{"signatures", []string{"机构名称,统一社会信用代码,许可日期", "a,X,2020-01-01", "单位负责人：,填表人：张三,联系电话：1", "审核人：李四,,", ",填报时间：2026年7月31日,"}, "2: 3:signature 4:signature 5:signature"},
		{"labels and values in cells of their own", []string{"机构名称,统一社会信用代码,许可日期,许可证编号,备注", "填表人：,张三,,联系电话：,0374-0000000", "审核人,李四,,,", "负责人（签字）：,王五,填报日期：,2026年7月31日,", "a,X,2020-01-01,,"}, "2:signature 3:signature 4:signature 5:"},
		{"names that begin like a label are records", []string{"机构名称,统一社会信用代码,许可日期", "审核人才服务中心,X,2020-01-01", "负责人力资源咨询有限公司,Y,2020-01-01", "经办人,Z,2020-01-01"}, "2: 3: 4:"},
		{"a label with two values is a record", []string{"机构名称,统一社会信用代码,许可日期", "填表人：,张三,2020-01-01"}, "2:"},
		{"header repeated on a new page", []string{"机构名称,统一社会信用代码,许可日期", "a,X,2020-01-01", "机构名称,统一社会信用代码,许可日期", "b,Y,2020-01-01"}, "2: 3:repeated header 4:"},
		// A numbered empty row of a template, a heading: not records. A
		// name and a date without their key: a record, rejected by
		// validation for the missing key.
		{"no key", []string{"序号,机构名称,统一社会信用代码,许可日期", "1,,,", "一、魏都区,,,", ",魏都区（2家）,,", "2,a,,2020-01-01"}, "2:without a key 3:heading or numbered note (一、魏都区) 4:heading or numbered note (一、魏都区) 5:"},
		// Headings and numbered notes typed in the key column are no
		// keys; a key alone in its row is still a record (rejected by
		// validation for what it lacks).
		{"headings in the key column", []string{"统一社会信用代码,机构名称,许可日期", "一、魏都区,,", "X,a,2020-01-01", "（二）禹州市,,", "许昌市长葛市（3家）,,", "Y,b,2020-01-01", "1.本表数据截至2026年7月31日,,", "2、名称以营业执照为准,,", "Z,,", "3,,"},
			"2:heading or numbered note (一、魏都区) 3: 4:heading or numbered note (一、魏都区) 5:heading or numbered note (一、魏都区) 6: 7:heading or numbered note (一、魏都区) 8:heading or numbered note (一、魏都区) 9: 10:"},
		// A second header row of the columns' English keys. (Their
		// names out of place, name,uscc, are the header in another
		// order, which refuses the file: TestHeaderRepeatedInAnotherOrder.)
		{"header respelled", []string{"统一社会信用代码,机构名称,许可日期", "uscc,name,licensed_on", "X,a,2020-01-01", "uscc,,"}, "2:repeated header 3: 4:"},
		// Statistical forms number their columns under the header (栏次).
		{"column numbers", []string{"序号,机构名称,统一社会信用代码,许可日期", "栏次,1,2,3", "1,a,X,2020-01-01", "（1）,（2）,（3）,（4）", "2,b,1,2"},
			"2:column numbers (栏次) 3: 4:column numbers (栏次) 5:"},
		{"trailing blank rows are no part of the table", []string{"uscc,name,licensed_on", "X,a,2020-01-01", ",,", ",,"}, "2:"},
	}
	for _, tt := range tests {
		got, _, err := classified(t, l, tt.lines)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, strings.Join(got, " "), tt.want)
		}
	}
}

// A total in the key column of a list keyed by a record id, first or
// after the USCC: the count beside it is the sum's, whichever key column
// holds it; a real key beside it makes the row a record.
func TestClassifyTotalsOfRecords(t *testing.T) {
	l, _ := contract.Lookup("inspections")
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"record id first", []string{"记录编号,统一社会信用代码,类型,情节,查处日期", "T-1,X,违法违规,较轻,2026-06-05", "合计,1", "合计,,,,", "合计,1家,,,", "合计：,2,,,", "合计,T-2,,,", "合计,1,违法违规,,"},
			"2: 3:total (合计/总计) 4:total (合计/总计) 5:total (合计/总计) 6:total (合计/总计) 7: 8:"},
		{"USCC first", []string{"统一社会信用代码,记录编号,类型,情节,查处日期", "X,T-1,违法违规,较轻,2026-06-05", "合计,1", "合计,,,,", "合计,T-2,,,", "合计,1,,,2026-06-05"},
			"2: 3:total (合计/总计) 4:total (合计/总计) 5: 6:"},
		{"序号 first", []string{"序号,记录编号,统一社会信用代码,类型,情节,查处日期", "1,T-1,X,违法违规,较轻,2026-06-05", "合计,,,,,", "合计,,1,,,", "合计,1,,,,"},
			"2: 3:total (合计/总计) 4:total (合计/总计) 5:"},
	}
	for _, tt := range tests {
		got, _, err := classified(t, l, tt.lines)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, strings.Join(got, " "), tt.want)
		}
	}
}

func TestFindHeader(t *testing.T) {
	l, _ := contract.Lookup("institutions")
	tests := []struct {
		name        string
		lines       []string
		first, last int
		header      string
	}{
		{"title merged over the row", []string{"名册,名册,名册", "机构名称,统一社会信用代码,许可日期"}, 2, 2, "机构名称|统一社会信用代码|许可日期"},
		{"group over columns, merged", []string{"机构名称,统一社会信用代码,许可情况,许可情况", "机构名称,统一社会信用代码,许可证编号,许可日期"}, 1, 2, "机构名称|统一社会信用代码|许可证编号|许可日期"},
		{"group over columns, as CSV", []string{"机构名称,统一社会信用代码,许可情况,", ",,许可证编号,许可日期"}, 1, 2, "机构名称|统一社会信用代码|许可证编号|许可日期"},
		{"group and column make the name", []string{"机构名称,统一社会信用代码,许可,许可", ",,证编号,日期"}, 1, 2, "机构名称|统一社会信用代码|许可证编号|许可日期"},
		{"unknown column under a group kept as extra", []string{"机构名称,统一社会信用代码,许可情况,许可情况", "机构名称,统一社会信用代码,许可日期,发证机关"}, 1, 2, "机构名称|统一社会信用代码|许可日期|许可情况/发证机关"},
		{"a data row under the header is no second header row", []string{"机构名称,统一社会信用代码,许可日期", "a,X,2020-01-01"}, 1, 1, "机构名称|统一社会信用代码|许可日期"},
	}
	for _, tt := range tests {
		var rows [][]string
		for _, line := range tt.lines {
			rows = append(rows, strings.Split(line, ","))
		}
		tb, err := findTable(l, "", &sliceRows{rows: rows}, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tb.first != tt.first || tb.last != tt.last || strings.Join(tb.header, "|") != tt.header {
			t.Errorf("%s: rows %d–%d %q, want %d–%d %q", tt.name, tb.first, tb.last, strings.Join(tb.header, "|"), tt.first, tt.last, tt.header)
		}
	}
}

// FuzzFindTable reads arbitrary sheets: finding the table and sorting its
// rows never panics, and every row under the header is either a record or
// skipped for one of the known reasons.
func FuzzFindTable(f *testing.F) {
	f.Add("名册\n\n机构名称,统一社会信用代码,许可日期\na,X,2020-01-01\n注：x\n填表人：y")
	f.Add("机构名称,统一社会信用代码,许可情况,\n,,许可证编号,许可日期\n合计,\xff")
	f.Add("注\xff,统一社会信用代码,机构名称,许可日期\n注\xc3,a,b,c")
	l, _ := contract.Lookup("institutions")
	f.Fuzz(func(t *testing.T, sheet string) {
		got, _, err := classified(t, l, strings.Split(sheet, "\n"))
		if err != nil {
			return
		}
		for _, g := range got {
			_, reason, _ := strings.Cut(g, ":")
			if reason != "" && !contains(skipKinds, reason) {
				t.Fatalf("row %s: unknown reason", g)
			}
		}
	})
}

// The merged ranges are found after any amount of cells, with or without
// a namespace prefix, across the chunks the sheet is read in, and after a
// cell whose text happens to be the element's name.
func TestScanMerges(t *testing.T) {
	filler := strings.Repeat("<row><c><v>1</v></c></row>", 65536/26)
	tests := []struct{ name, xml, want string }{
		{"none", "<worksheet><sheetData>" + filler + "</sheetData></worksheet>", ""},
		{"plain", "<worksheet><sheetData/><mergeCells count=\"2\"><mergeCell ref=\"A1:H1\"/><mergeCell ref=\"B3:B4\"/></mergeCells></worksheet>", "A1:H1 B3:B4"},
		{"prefixed, after a chunk", "<x:worksheet><x:sheetData>" + filler + "</x:sheetData><x:mergeCells><x:mergeCell ref=\"D3:E3\"/></x:mergeCells></x:worksheet>", "D3:E3"},
		{"text naming the element", "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>mergeCells</t></is></c></row>" + filler + "</sheetData><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>", "A1:B1"},
	}
	for _, tt := range tests {
		scan, err := scanMerges(strings.NewReader(tt.xml))
		if got := scan.merges; err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	// The marker at every offset around the first chunk's end.
	for pad := range 80 {
		sheet := strings.Repeat(" ", 65536-40+pad) + "<x:mergeCells><x:mergeCell ref=\"A1:C1\"/></x:mergeCells>"
		if scan, err := scanMerges(strings.NewReader(sheet)); err != nil || strings.Join(scan.merges, " ") != "A1:C1" {
			got := scan.merges
			t.Errorf("marker at %d: %q, %v", 65536-40+pad, got, err)
		}
	}
}

// Cells holding a formula saved without its value are found wherever
// they fall, also across the scan's chunks; a formula with its value, a
// <font>, and a shared formula's value are no such cell.
func TestFindFormulasWithoutValues(t *testing.T) {
	filler := strings.Repeat(`<row r="9"><c r="Z9"><v>1</v></c></row>`, 3000)
	sheet := `<worksheet><sheetData><row r="2"><c r="A2" t="str"><f>IF(1,"注销","有效")</f></c><c r="B2"><f>1+1</f><v>2</v></c>` +
		`<c r="C2"><f t="shared" si="0" ref="C2:C3"/></c><c r="D2" s="1"><f t="shared" si="0"/><v>45138</v></c></row>` + filler +
		`<row r="9000"><c r="E9000"><f>DATE(2024,1,1)</f></c></row></sheetData><mergeCells><mergeCell ref="A1:B1"/></mergeCells></worksheet>`
	scan, err := scanMerges(strings.NewReader(sheet))
	merges, uncomputed := scan.merges, scan.uncomputed
	if err != nil || strings.Join(merges, " ") != "A1:B1" {
		t.Fatalf("merges %q, %v", merges, err)
	}
	var got []string
	for ref := range uncomputed {
		got = append(got, ref)
	}
	slices.Sort(got)
	if strings.Join(got, " ") != "A2 C2 E9000" {
		t.Errorf("cells without a saved value %q, want A2 C2 E9000", got)
	}
	// openpyxl writes an empty <v></v> for a formula it did not compute;
	// an empty text result (t="str") is a value; the Open XML SDK writes
	// every element with a prefix.
	for _, c := range []struct{ name, sheet, want string }{
		{"empty values", `<worksheet><sheetData><row r="2"><c r="A2"><f>IF(H2="注销","注销","有效")</f><v></v></c><c r="B2"><f>1+1</f><v/></c>` +
			`<c r="C2" t="str"><f>IF(1,"","x")</f><v></v></c><c r="D2"><f>1+1</f><v>2</v></c><c r="E2" t="str"><f>"a"</f><v xml:space="preserve">a</v></c></row></sheetData></worksheet>`, "A2 B2"},
		{"prefixed", `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="2"><x:c r="A2" t="str"><x:f>IF(1,"注销","有效")</x:f></x:c>` +
			`<x:c r="B2"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row></x:sheetData><x:mergeCells><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>`, "A2"},
	} {
		scan, err := scanMerges(strings.NewReader(c.sheet))
		uncomputed := scan.uncomputed
		var got []string
		for ref := range uncomputed {
			got = append(got, ref)
		}
		slices.Sort(got)
		if err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("%s: cells without a saved value %q, %v; want %s", c.name, got, err, c.want)
		}
	}
}

// The check of a sheet's XML numbers rows as the reader does (an
// unnumbered row follows the one before it), names the row where the XML
// goes wrong, and takes what Excel's own writers leave (a UTF-8 byte
// order mark, an ASCII declaration) but no other encoding.
func TestCheckSheetXML(t *testing.T) {
	for _, c := range []struct {
		name, xml string
		last      int
		err       string
	}{
		{"numbered, then not", `<worksheet><sheetData><row r="3"><c><v>1</v></c></row><row/></sheetData></worksheet>`, 4, ""},
		{"UTF-8 byte order mark", "\xEF\xBB\xBF" + `<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData><row/></sheetData></worksheet>`, 1, ""},
		{"declared ASCII", `<?xml version="1.0" encoding="US-ASCII"?><worksheet/>`, 0, ""},
		{"broken before the first row", `<worksheet><sheetViews></sheetData><sheetData><row/></sheetData></worksheet>`, 0, "malformed before its first row"},
		{"broken between rows", `<worksheet><sheetData><row r="7"/><x></sheetData></worksheet>`, 7, "malformed after row 7"},
		{"an undefined entity", `<worksheet><sheetData><row><c t="inlineStr"><is><t>&nbsp;</t></is></c></row></sheetData></worksheet>`, 1, "malformed in row 1"},
		{"empty", ``, 0, "holds no worksheet"},
		{"UTF-32", "\xFF\xFE\x00\x00<\x00\x00\x00", 0, "written in UTF-32, not UTF-8"},
		{"UTF-16 without a mark", "<\x00?\x00x\x00", 0, "written in UTF-16, not UTF-8"},
	} {
		last, err := checkSheetXML(strings.NewReader(c.xml))
		if last != c.last || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: row %d, %v; want row %d, %q", c.name, last, err, c.last, c.err)
		}
	}
}
