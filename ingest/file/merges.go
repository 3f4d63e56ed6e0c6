package file

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// sheetMerges returns the merged ranges ("A1:H1") of one sheet of an XLSX
// workbook, reading the sheet's XML as a stream. excelize's GetMergeCells
// would load the whole sheet into memory first, which a sheet of a million
// rows cannot afford; the ranges come after the cells, so the stream is
// scanned for them.
func sheetMerges(file, sheet string) ([]string, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	part, err := sheetPart(&z.Reader, sheet)
	if err != nil {
		return nil, err
	}
	for _, f := range z.File {
		if f.Name == part {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return scanMerges(r)
		}
	}
	return nil, fmt.Errorf("sheet %s: part %s not in the workbook", sheet, part)
}

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
// ranges, then decodes the XML from there on.
func scanMerges(r io.Reader) ([]string, error) {
	chunk := make([]byte, 1<<16)
	var tail []byte
	for {
		n, err := io.ReadFull(r, chunk)
		data := append(tail, chunk[:n]...)
		if i := bytes.Index(data, mergeMarker); i >= 0 {
			start := bytes.LastIndexByte(data[:i], '<')
			if start < 0 {
				start = i
			}
			return decodeMerges(io.MultiReader(bytes.NewReader(data[start:]), r))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil // no merged cells
		}
		if err != nil {
			return nil, err
		}
		// Keep the tail: the marker and its '<' may straddle two chunks.
		tail = bytes.Clone(data[max(0, len(data)-len(mergeMarker)-64):])
	}
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
