package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// sheetCheck is what the import recorded of a submitted 附件2 table for
// the checks of the table itself (file.ImportSummary, submission_tables):
// the import keeps the records (the later of two lines with one USCC) and
// skips 合计 lines, so neither a wrong total nor a conflicting duplicate
// reaches the stored rows. The file is not read again: saved over since
// (a corrected table not imported again), it would be checked in place of
// the table filed.
type sheetCheck struct {
	checked bool   // false for a table filed before the checks were recorded
	err     string // why the table could not be checked when filed
	// path and digest are the file and the SHA-256 of its bytes as filed.
	path, digest string
	// declared is the count a 合计 line states (共60家) and declaredLine
	// its line; 0 when the sheet has no such line.
	declared, declaredLine int
	rows                   []listedCode // the rows with a USCC, in order
}

// listedCode is a row of a sheet with a USCC, and the grade it gives, as
// the import recorded it (JSON).
type listedCode struct {
	USCC  string `json:"uscc"`
	Line  int    `json:"line"`
	Grade string `json:"grade"`
}

// sheetChecks reads what the import recorded of each table of the filing.
func sheetChecks(ctx context.Context, s store.Store, f submittedFiling) (map[string]sheetCheck, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/submission_table_checks"),
		store.Params{"filing": f.filing, "unit": f.unit, "day": f.asOf})
	if err != nil {
		return nil, fmt.Errorf("read the checks of filing %s: %w", f.filing, err)
	}
	defer rows.Close()
	out := map[string]sheetCheck{}
	for rows.Next() {
		var ref, listed string
		var declared, line uint32
		var c sheetCheck
		if err := rows.Scan(&ref, &c.checked, &c.err, &c.path, &c.digest, &declared, &line, &listed); err != nil {
			return nil, fmt.Errorf("read the checks of filing %s: %w", f.filing, err)
		}
		c.declared, c.declaredLine = int(declared), int(line)
		if c.checked {
			if err := json.Unmarshal([]byte(listed), &c.rows); err != nil {
				return nil, fmt.Errorf("read the checks of %s: %w", ref, err)
			}
		}
		out[ref] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the checks of filing %s: %w", f.filing, err)
	}
	return out, nil
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
			if _, ok := at[r.USCC]; !ok {
				order = append(order, r.USCC)
			}
			at[r.USCC] = append(at[r.USCC], place{ref, r.Line, r.Grade})
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

// problems says in Chinese what is wrong with the sheet ref itself (its
// repeats are the filing's: duplicates).
func (c sheetCheck) problems(ref string) []string {
	if !c.checked {
		return nil // said in notes
	}
	if c.err != "" {
		return []string{fmt.Sprintf("导入时无法核对 %s（%s），未核对合计行和重复行", ref, c.err)}
	}
	if c.declaredLine > 0 && c.declared != len(c.rows) {
		return []string{fmt.Sprintf("%s 第 %d 行合计为共 %d 家，表中列出 %d 家", ref, c.declaredLine, c.declared, len(c.rows))}
	}
	return nil
}

// notes says in Chinese what the reader of the review should know of the
// file of the sheet ref that is no problem of the table: that the file at
// its path is no longer the one filed (the review is of the table filed,
// which the file no longer shows), or that a table filed before the
// checks were recorded was not checked. fileDigest is file.FileDigest.
func (c sheetCheck) notes(ref string, fileDigest func(string) (string, error)) []string {
	if !c.checked {
		return []string{fmt.Sprintf("%s 导入时未记录其合计行和各行（早于本版本导入），未核对合计行和重复行：不据现在的文件核对，它可能已被修改；重新导入该表即可核对", ref)}
	}
	now, err := fileDigest(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return []string{fmt.Sprintf("%s 在导入后已不存在：本核对依据导入时读取的内容", ref)}
	case err != nil:
		return []string{fmt.Sprintf("%s 现在无法读取（%v），无法确认它仍是导入的文件：本核对依据导入时读取的内容", ref, err)}
	case now != c.digest:
		return []string{fmt.Sprintf("%s 在导入后已被修改：本核对（含合计行与重复行）依据导入时读取的内容，与该文件现在的内容不同；如已更正，请重新导入", ref)}
	}
	return nil
}
