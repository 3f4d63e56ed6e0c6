package report

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/transform"
)

// sheetCheck is what reconcile finds wrong in a submitted 附件2 sheet
// itself, read again from the file it was imported from: the import keeps
// the records (the later of two lines with one USCC) and skips 合计 lines,
// so neither a wrong total nor a conflicting duplicate reaches the store.
type sheetCheck struct {
	err error // the file could not be read again: the checks were not made
	// declared is the count a 合计 line states (共60家) and declaredLine
	// its line; 0 when the sheet has no such line.
	declared, declaredLine int
	listed                 int          // rows with a USCC
	rows                   []listedCode // those rows, in order
}

// listedCode is a row of a sheet with a USCC, and the grade it gives.
type listedCode struct {
	uscc  string
	line  int
	grade string
}

// duplicate is a USCC listed on several lines with different grades, in
// one sheet or across the tables of one filing.
type duplicate struct {
	uscc   string
	places []place
}

// place is a line of a table (file, or file[sheet]) and the grade it
// gives.
type place struct {
	ref   string
	line  int
	grade string
}

// duplicates finds the USCCs the tables of one filing (refs, as stored)
// list more than once with different grades: the filing is one table,
// whether its repeats are on one sheet or on two (a 附件2 and a sheet
// beside it the import took for one).
func duplicates(refs []string, checks map[string]sheetCheck) []duplicate {
	at := map[string][]place{}
	var order []string
	for _, ref := range refs {
		for _, r := range checks[ref].rows {
			if _, ok := at[r.uscc]; !ok {
				order = append(order, r.uscc)
			}
			at[r.uscc] = append(at[r.uscc], place{ref, r.line, r.grade})
		}
	}
	var out []duplicate
	for _, u := range order {
		ps := at[u]
		for _, p := range ps[1:] {
			if p.grade != ps[0].grade {
				out = append(out, duplicate{uscc: u, places: ps})
				break
			}
		}
	}
	return out
}

// problem says in Chinese where the USCC is listed with which grades.
func (d duplicate) problem() string {
	var at []string
	oneTable := true
	for _, p := range d.places {
		oneTable = oneTable && p.ref == d.places[0].ref
	}
	for _, p := range d.places {
		if oneTable {
			at = append(at, fmt.Sprintf("第 %d 行 %s 级", p.line, p.grade))
		} else {
			at = append(at, fmt.Sprintf("%s 第 %d 行 %s 级", p.ref, p.line, p.grade))
		}
	}
	if oneTable {
		return fmt.Sprintf("%s 中 %s 重复且等级不同：%s（导入取最后一行）", d.places[0].ref, d.uscc, strings.Join(at, "、"))
	}
	return fmt.Sprintf("%s 在本次报送的多个表中重复且等级不同：%s（导入取最后读入的一行）", d.uscc, strings.Join(at, "、"))
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

// checkSheet reads ref (a file, or file[sheet]) and checks its table. It
// reads the rows as they come, keeping only what it counts: a sheet of
// many wide rows (a cell typed far to the right on each) costs time, not
// memory.
func checkSheet(ref string) sheetCheck {
	path, sheet := ref, ""
	if i := strings.LastIndex(ref, "["); i > 0 && strings.HasSuffix(ref, "]") {
		path, sheet = ref[:i], ref[i+1:len(ref)-1]
	}
	r, err := file.OpenSheet(path, sheet)
	if err != nil {
		return sheetCheck{err: err}
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
			return sheetCheck{err: err}
		}
		if !found {
			found = findHeader(cells)
			continue
		}
		u := transform.NormalizeUSCC(cellAt(cells, col["uscc"]))
		if file.TotalRow(cells) && len(u) != 18 {
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
		c.listed++
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
		return sheetCheck{err: errors.New("no header row with 统一社会信用代码")}
	}
	return c
}

// problems says in Chinese what is wrong with the sheet ref itself (its
// repeats are the filing's: duplicates).
func (c sheetCheck) problems(ref string) []string {
	if c.err != nil {
		return []string{fmt.Sprintf("无法重新读取 %s（%v），未核对合计行和重复行", ref, c.err)}
	}
	if c.declaredLine > 0 && c.declared != c.listed {
		return []string{fmt.Sprintf("%s 第 %d 行合计为共 %d 家，表中列出 %d 家", ref, c.declaredLine, c.declared, c.listed)}
	}
	return nil
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}
