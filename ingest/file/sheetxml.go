package file

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The XML reader under excelize's rows gives up without a word where a
// sheet's XML goes wrong: it yields the rows (or the part of a row) read
// so far and ends as if the sheet ended there. Comparing the last row read
// with the last row number in the bytes missed a break inside the last row
// (its cells after the break lost: a 吊销 licence stored as valid) and
// every break in a sheet whose rows are not numbered (r is optional). So
// the sheet's XML is read once more, to its end, by a tokenizer that
// checks it (sheetXMLCheck); any fault refuses the file.

// sheetXMLCheck reads the XML part of a sheet of an XLSX workbook to its
// end, and returns the number of its last row (as the reader numbers
// them: its r, or the row before's plus one when it has none) or why it
// is not well-formed XML in UTF-8.
func sheetXMLCheck(file, sheet string) (last int, err error) {
	err = readSheetPart(file, sheet, func(r io.Reader) error {
		last, err = checkSheetXML(r)
		return err
	})
	return last, err
}

// checkSheetXML is sheetXMLCheck on the part's bytes. Decoder.Token
// checks what a byte scan cannot (each element closed by its own end
// tag, the document closed at its end) and streams: memory stays that of
// one token, whatever the sheet's size.
func checkSheetXML(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	if enc := wideEncoding(head); enc != "" {
		return 0, notUTF8(enc)
	}
	d := xml.NewDecoder(br)
	var declared string
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "us-ascii", "ascii":
			return in, nil // UTF-8 already
		}
		// The reader's text would be read as UTF-8 by the byte scans
		// (sheetMerges) and decoded by excelize by other rules: refused,
		// not guessed.
		declared = label
		return nil, errors.New(label)
	}
	row := 0       // the last row begun
	inRow := false // inside it
	depth := 0
	ended := false // the root element closed
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !ended {
				// Nothing but a declaration, or no XML at all.
				return row, fmt.Errorf("the sheet's XML holds no worksheet: %s", damaged)
			}
			return row, nil
		}
		if err != nil {
			if declared != "" {
				return row, notUTF8(declared)
			}
			return row, xmlFault(err, row, inRow, ended)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if ended {
				return row, xmlFault(errors.New("an element after the worksheet's end"), row, false, true)
			}
			depth++
			if t.Name.Local == "row" {
				// Numbered as excelize numbers it (Rows.Next).
				n := row + 1
				if v, err := strconv.Atoi(attr(t, "r")); err == nil && v > 0 {
					n = v
				}
				row, inRow = n, true
			}
		case xml.EndElement:
			depth--
			if t.Name.Local == "row" {
				inRow = false
			}
			ended = depth == 0
		case xml.CharData:
			if ended && len(bytes.TrimSpace(t)) > 0 {
				return row, xmlFault(errors.New("text after the worksheet's end"), row, false, true)
			}
		}
	}
}

// wideEncoding names the encoding of XML that begins with head when it
// is UTF-16 or UTF-32 (by its byte order mark, or a '<' of two or four
// bytes), "" otherwise. XML and OPC allow such parts; excelize reads no
// row from them, without a word.
func wideEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}),
		bytes.HasPrefix(head, []byte{0, 0, 0, '<'}), bytes.HasPrefix(head, []byte{'<', 0, 0, 0}):
		return "UTF-32"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0xFF, 0xFE}),
		bytes.HasPrefix(head, []byte{0, '<'}), bytes.HasPrefix(head, []byte{'<', 0}):
		return "UTF-16"
	}
	return ""
}

// notUTF8 is the error of a sheet whose XML is written in another
// encoding than UTF-8, which Excel and WPS write.
func notUTF8(enc string) error {
	return fmt.Errorf("the sheet's XML is written in %s, not UTF-8, and cannot be read: open the file in Excel or WPS and save it again as an .xlsx workbook", enc)
}

// xmlFault is the error of a sheet whose XML goes wrong at err, naming
// the row it goes wrong in (or after): the rows from there on were lost
// to the reader.
func xmlFault(err error, row int, inRow, ended bool) error {
	var where string
	switch {
	case ended:
		where = "after the sheet's end"
	case inRow:
		where = fmt.Sprintf("in row %d", row)
	case row > 0:
		where = fmt.Sprintf("after row %d", row)
	default:
		where = "before its first row"
	}
	what := "is malformed"
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if strings.HasPrefix(se.Msg, "unexpected EOF") {
			what = "breaks off"
		}
		err = fmt.Errorf("XML line %d: %s", se.Line, se.Msg)
	}
	check := "its last rows"
	if row > 0 {
		check = fmt.Sprintf("row %d and the rows after it", row)
	}
	return fmt.Errorf("the sheet's XML %s %s (%v), and the rows from there on cannot be read: the file is damaged (its sheet cut short or malformed); open it in Excel or WPS, check %s, and save it again", what, where, err, check)
}
