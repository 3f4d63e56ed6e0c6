package file

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sheetMerges returns the merged ranges ("A1:H1") of one sheet of an XLSX
// workbook, and the cells ("B12") holding a formula saved without its
// value, reading the sheet's XML as a stream. excelize's GetMergeCells
// would load the whole sheet into memory first, which a sheet of a million
// rows cannot afford; the ranges come after the cells, so the stream is
// scanned for them.
func sheetMerges(file, sheet string) (scan sheetScan, err error) {
	err = readSheetPart(file, sheet, func(r io.Reader) error {
		scan, err = scanMerges(r)
		return err
	})
	return scan, err
}

// readSheetPart hands the XML part of one sheet of an XLSX workbook, as
// a stream, to read: the one way the byte scans and checks of a sheet
// find and open it.
func readSheetPart(file, sheet string, read func(io.Reader) error) error {
	z, err := zip.OpenReader(file)
	if err != nil {
		return err
	}
	defer z.Close()
	part, err := sheetPart(&z.Reader, sheet)
	if err != nil {
		return err
	}
	for _, f := range z.File {
		if f.Name == part {
			r, err := f.Open()
			if err != nil {
				return err
			}
			defer r.Close()
			return read(r)
		}
	}
	return fmt.Errorf("sheet %s: part %s not in the workbook", sheet, part)
}

// sheetScan is what the byte scan of a sheet's XML found.
type sheetScan struct {
	merges     []string        // merged ranges, "A1:H1"
	uncomputed map[string]bool // cells whose formula was saved without its value
	// general are the number cells whose stored value Excel shows
	// otherwise (generalNumber): 2026100.0 shown 2026100, by cell.
	general map[string]string
	// hiddenCols are the columns the sheet hides (findHiddenCols).
	hiddenCols []colSpan
}

// damaged is the error of a sheet whose XML is cut short or malformed.
var damaged = "the file is damaged (its sheet cut short or malformed); open it in Excel or WPS, check its last rows and save it again"

// sheetPart finds the zip entry of a sheet by its name: the workbook
// names the sheet's relationship, the relationships name its part.
func sheetPart(z *zip.Reader, sheet string) (string, error) {
	var id string
	err := eachElement(z, "xl/workbook.xml", func(e xml.StartElement) bool {
		if e.Name.Local == "sheet" && attr(e, "name") == sheet {
			id = attr(e, "id")
			return false
		}
		return true
	})
	if err != nil {
		return "", err
	}
	var target string
	err = eachElement(z, "xl/_rels/workbook.xml.rels", func(e xml.StartElement) bool {
		if e.Name.Local == "Relationship" && attr(e, "Id") == id {
			target = attr(e, "Target")
			return false
		}
		return true
	})
	if err != nil {
		return "", err
	}
	if id == "" || target == "" {
		return "", fmt.Errorf("sheet %s: no part in the workbook", sheet)
	}
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/"), nil
	}
	return path.Join("xl", target), nil
}

// eachElement calls fn with every start element of a small XML part until
// fn returns false.
func eachElement(z *zip.Reader, name string, fn func(xml.StartElement) bool) error {
	f, err := z.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if e, ok := tok.(xml.StartElement); ok && !fn(e) {
			return nil
		}
	}
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// mergeMarker starts the list of merged ranges, with or without a
// namespace prefix (<mergeCells>, <x:mergeCells>).
var mergeMarker = []byte("mergeCells")

// scanMerges skips the sheet's cells by a byte search for the merged
// ranges, then decodes the XML from there on. On the way it notes the
// cells whose formula was saved without a value (uncomputed).
func scanMerges(r io.Reader) (sheetScan, error) {
	chunk := make([]byte, 1<<16)
	var tail []byte
	uncomputed := map[string]bool{}
	general := map[string]string{}
	var hiddenCols []colSpan
	pastCols := false      // <sheetData> seen: the columns are declared before it
	var open, close []byte // a namespace prefix's element tags (<x:, </x:), once seen
	for first := true; ; first = false {
		n, err := io.ReadFull(r, chunk)
		data := append(tail, chunk[:n]...)
		if first {
			// A sheet in UTF-16 has none of the ASCII tags searched
			// for: it would seem cut short.
			if enc := wideEncoding(data); enc != "" {
				return sheetScan{}, notUTF8(enc)
			}
			// Writers of .NET's Open XML SDK prefix every element
			// (<x:c><x:f>): the scan reads them without it.
			if m := prefixedWorksheet.FindSubmatch(data); m != nil {
				open, close = []byte("<"+string(m[1])+":"), []byte("</"+string(m[1])+":")
			}
		}
		if open != nil {
			data = bytes.ReplaceAll(bytes.ReplaceAll(data, close, []byte("</")), open, []byte("<"))
		}
		if !pastCols {
			head := data
			if i := bytes.Index(data, []byte("<sheetData")); i >= 0 {
				head, pastCols = data[:i], true
			}
			findHiddenCols(head, &hiddenCols)
		}
		if i := bytes.Index(data, mergeMarker); i >= 0 {
			findUncomputed(data[:i], uncomputed)
			findGeneral(data[:i], general)
			start := bytes.LastIndexByte(data[:i], '<')
			if start < 0 {
				start = i
			}
			merges, err := decodeMerges(io.MultiReader(bytes.NewReader(data[start:]), r))
			if err != nil {
				err = fmt.Errorf("%w: %s", err, damaged)
			}
			return sheetScan{merges: merges, uncomputed: uncomputed, general: general, hiddenCols: hiddenCols}, err
		}
		findUncomputed(data, uncomputed)
		findGeneral(data, general)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// No merged cells. Whether the sheet's XML is whole is
			// proven once its rows are read (sheetXMLCheck), naming
			// the row where it breaks off.
			return sheetScan{uncomputed: uncomputed, general: general, hiddenCols: hiddenCols}, nil
		}
		if err != nil {
			return sheetScan{}, err
		}
		// Keep the tail: the marker and its '<' may straddle two chunks,
		// and so may a cell and its formula.
		tail = bytes.Clone(data[max(0, len(data)-4096):])
	}
}

// findHiddenCols adds to out the columns that the <col> elements of data
// hide: hidden="1" (or "true", as excelize writes it), or a width of 0,
// which Excel shows as hidden too. An element cut off at the end of data
// is left for the next chunk, which holds it whole.
func findHiddenCols(data []byte, out *[]colSpan) {
	for at := 0; ; {
		i := bytes.Index(data[at:], []byte("<col "))
		if i < 0 {
			return
		}
		i += at
		end := bytes.IndexByte(data[i:], '>')
		if end < 0 {
			return
		}
		tag := data[i : i+end]
		at = i + end
		hidden := tagAttr(tag, "hidden")
		width, err := strconv.ParseFloat(tagAttr(tag, "width"), 64)
		if hidden != "1" && hidden != "true" && (err != nil || width != 0) {
			continue
		}
		first, err1 := strconv.Atoi(tagAttr(tag, "min"))
		last, err2 := strconv.Atoi(tagAttr(tag, "max"))
		if err1 != nil || err2 != nil || first < 1 || last < first {
			continue
		}
		if s := (colSpan{first, last}); !slices.Contains(*out, s) {
			*out = append(*out, s)
		}
	}
}

// prefixedWorksheet finds a sheet whose elements carry a namespace
// prefix, and the prefix.
var prefixedWorksheet = regexp.MustCompile(`<([A-Za-z_][A-Za-z0-9_.-]*):worksheet[\s>]`)

// findUncomputed notes in out the cells of data (whole <c …>…</c>
// elements) that hold a formula (<f>) but no value (<v>, or an empty
// <v></v> or <v/> where the formula's result is not a text): a workbook
// written by a program that leaves computing to Excel (Java's POI,
// Python's openpyxl). Read as they are they would be empty, and an empty
// 许可状态 means a valid licence.
func findUncomputed(data []byte, out map[string]bool) {
	for at := 0; ; {
		i := bytes.Index(data[at:], []byte("<f"))
		if i < 0 {
			return
		}
		i += at
		at = i + 2
		if at >= len(data) || (data[at] != '>' && data[at] != ' ' && data[at] != '/') {
			continue // <font …>, not a formula
		}
		end := bytes.Index(data[at:], []byte("</c>"))
		start := bytes.LastIndex(data[:i], []byte("<c "))
		if end < 0 || start < 0 {
			continue // the cell straddles chunks: the next round has it whole
		}
		tag := data[start:i]
		if computed(data[i:at+end], tag) {
			continue
		}
		if k := bytes.Index(tag, []byte(` r="`)); k >= 0 {
			if q := bytes.IndexByte(tag[k+4:], '"'); q >= 0 {
				out[string(tag[k+4:k+4+q])] = true
			}
		}
	}
}

// computed says whether a formula cell's rest (from its <f> to its end)
// holds the formula's saved value: a <v> with text in it, or an empty
// one in a cell whose result is a text (t="str": a formula that gave "").
// openpyxl writes <v></v> for a formula it did not compute.
func computed(rest, tag []byte) bool {
	for at := 0; ; {
		k := bytes.Index(rest[at:], []byte("<v"))
		if k < 0 {
			return false
		}
		at += k + 2
		if at >= len(rest) || (rest[at] != '>' && rest[at] != ' ' && rest[at] != '/') {
			continue // another element beginning with v
		}
		gt := bytes.IndexByte(rest[at:], '>')
		if gt < 0 {
			return false
		}
		selfClosing := rest[at+gt-1] == '/'
		at += gt + 1
		if !selfClosing && at < len(rest) && !bytes.HasPrefix(rest[at:], []byte("</v>")) {
			return true // text in it
		}
		return bytes.Contains(tag, []byte(` t="str"`))
	}
}

// findGeneral notes in out the number cells of data (whole <c …>…</c>
// elements) whose stored value Excel shows otherwise, with what it shows
// (generalNumber). Programs save a whole number as a float (pandas,
// openpyxl: <v>2026100.0</v>) and a sum with its binary error
// (1.0000000000000002); Excel shows 2026100 and 1, and so must a code
// read from the cell: record 2026100.0 was a second record beside the
// CSV's 2026100. The reader's raw values cannot tell a number cell from
// a text one (the text "7.0" stays as typed), so the cell's type is read
// here, where its XML passes.
func findGeneral(data []byte, out map[string]string) {
	for at := 0; ; {
		i := bytes.Index(data[at:], []byte("<v>"))
		if i < 0 {
			return
		}
		i += at
		at = i + 3
		end := bytes.Index(data[at:], []byte("</v>"))
		if end < 0 {
			return // straddles chunks: the next round has it whole
		}
		v := data[at : at+end]
		if bytes.IndexByte(v, '.') < 0 {
			continue
		}
		shown, ok := generalNumber(string(v))
		if !ok {
			continue
		}
		start := bytes.LastIndex(data[:i], []byte("<c "))
		if start < 0 {
			continue
		}
		tag := data[start:i]
		if gt := bytes.IndexByte(tag, '>'); gt >= 0 {
			tag = tag[:gt]
		}
		if t := tagAttr(tag, "t"); t != "" && t != "n" {
			continue // a text, a boolean, an error: not a number
		}
		if ref := tagAttr(tag, "r"); ref != "" {
			out[ref] = shown
		}
	}
}

// tagAttr is the value of an attribute in a start tag's bytes, "" when
// it has none.
func tagAttr(tag []byte, name string) string {
	k := bytes.Index(tag, []byte(" "+name+`="`))
	if k < 0 {
		return ""
	}
	rest := tag[k+len(name)+3:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return ""
	}
	return string(rest[:q])
}

// generalNumber is a number cell's stored value as Excel shows it in the
// General format, and whether that differs from the value: 15
// significant digits (1.0000000000000002 is 1), a whole number without
// a decimal part (2026100.0 is 2026100). A value in scientific notation
// is left as stored: a code that became one has lost digits and is
// refused as such (contract's excelNumberDetail), and so is a whole
// number of more than 15 digits, written here as Excel would (9.14110E+17
// of an 18-digit code).
func generalNumber(v string) (string, bool) {
	if strings.ContainsAny(v, "eE") {
		return v, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v, false
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'e', 14, 64), 64)
	shown := strconv.FormatFloat(f, 'f', -1, 64)
	if math.Abs(f) >= 1e15 {
		shown = strconv.FormatFloat(f, 'E', -1, 64)
	}
	return shown, shown != v
}

func decodeMerges(r io.Reader) ([]string, error) {
	d := xml.NewDecoder(r)
	var refs []string
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return refs, nil
		}
		if err != nil {
			return refs, fmt.Errorf("merged cells: %w", err)
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "mergeCell" {
			refs = append(refs, attr(e, "ref"))
		}
	}
}
