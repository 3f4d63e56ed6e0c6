package file

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/transform"
)

// sheetCheck is what reconcile checks in a 附件2 table itself, which its
// stored rows do not show: the import keeps the records (the later of two
// lines with one USCC) and skips 合计 lines, so neither a wrong total nor
// a conflicting duplicate reaches submissions. It is read when the table
// is filed and recorded with it (submission_tables): reconcile read it
// from the file at its path, which may since have been saved over.
type sheetCheck struct {
	// declared is the count a 合计 line states (共60家) and declaredLine
	// its line; 0 when the sheet has no such line.
	declared, declaredLine int
	rows                   []listedCode // the rows with a USCC, in order
}

// listedCode is a row of a sheet with a USCC, and the grade it gives (A,
// B, C or D when it reads as one, else as written). Recorded as JSON.
type listedCode struct {
	USCC  string `json:"uscc"`
	Line  int    `json:"line"`
	Grade string `json:"grade"`
}

// The count of a 合计 line: 共60家 wherever it stands (合计：A级39家，
// B级2家，…，共49家), else the line's one count (合计：60 家, 60家 in a
// cell of its own). A line of several counts and no 共 states no total.
var (
	totalPattern = regexp.MustCompile(`共\s*(\d+)\s*家`)
	countPattern = regexp.MustCompile(`(\d+)\s*家`)
)

// declaredTotal returns the count a 合计 line states, or false.
func declaredTotal(cells []string) (int, bool) {
	text := strings.Join(cells, " ")
	m := totalPattern.FindStringSubmatch(text)
	if m == nil {
		all := countPattern.FindAllStringSubmatch(text, -1)
		if len(all) != 1 {
			return 0, false
		}
		m = all[0]
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// gradePattern reads a grade as 附件2 writes it: A, A级, A 级.
var gradePattern = regexp.MustCompile(`^\s*([ABCDabcd])\s*级?\s*$`)

// checkSheet reads the table of path's sheet ("" for a CSV file, or a
// workbook's first) for reconcile's checks. It reads the rows as they
// come, keeping only what it counts: a sheet of many wide rows (a cell
// typed far to the right on each) costs time, not memory.
func checkSheet(path, sheet string) (sheetCheck, error) {
	r, err := OpenSheet(path, sheet)
	if err != nil {
		return sheetCheck{}, err
	}
	defer r.Close()
	// The columns are found by the names the import reads them by (评价等级,
	// 统一社会信用代码（18位）, …): a heading the import accepts is one
	// reconcile reads. A grade column it cannot name reads as no grade,
	// not as another column's text.
	col := map[string]int{}
	findHeader := func(cells []string) bool {
		clear(col)
		for j, c := range cells {
			if key := contract.Submissions().HeaderKey(c); key == "uscc" || key == "grade" {
				if _, named := col[key]; !named {
					col[key] = j
				}
			}
		}
		_, ok := col["uscc"]
		return ok
	}
	found := findHeader(r.Header())
	var c sheetCheck
	for {
		line, cells, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sheetCheck{}, err
		}
		if !found {
			found = findHeader(cells)
			continue
		}
		u := transform.NormalizeUSCC(cellAt(cells, col["uscc"]))
		if TotalRow(cells) && len(u) != 18 {
			// A row of sums, as the import skips it (a row with a code
			// is a record, whatever its first cell says); its count
			// may stand in any cell, the code's included (合计 | 49家).
			if n, ok := declaredTotal(cells); ok {
				c.declared, c.declaredLine = n, line
			}
			continue
		}
		if len(u) != 18 {
			continue // a note, a signature, a blank: not an institution
		}
		g := ""
		if j, ok := col["grade"]; ok {
			g = cellAt(cells, j)
		}
		if m := gradePattern.FindStringSubmatch(transform.NormalizeText(g)); m != nil {
			g = strings.ToUpper(m[1])
		}
		c.rows = append(c.rows, listedCode{u, line, g})
	}
	if !found {
		return sheetCheck{}, errors.New("no header row with 统一社会信用代码")
	}
	return c, nil
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// FileDigest is the SHA-256 of the file's bytes, hex: a 附件2 table's file
// is recorded with it, so that reconcile can tell the file at its path
// is no longer the one filed.
func FileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
