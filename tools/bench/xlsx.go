package main

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// writeInspectionsXLSX writes n inspection records with excelize's stream
// writer, which keeps memory flat while writing large sheets.
func writeInspectionsXLSX(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := []any{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "authority", "measure", "description"}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{fmt.Sprintf("R%09d", i), "914403001922038216", "violation", "minor", fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28), "", "否", "许昌市人力资源和社会保障局", "责令限期整改", fmt.Sprintf("第%d号检查记录", i)}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}
