package report

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Conflicts is the data-conflict report of a unit: records whose text
// says an institution's licence was revoked (吊销许可证) while the register
// still shows it valid (docs/rules.md §4). The grade follows the
// register, so no D3 is given on such a record; a person decides which
// is right and corrects the register or the record.
type Conflicts struct {
	Unit Unit
	Day  time.Time
	Rows []ConflictRow
}

// ConflictRow is one record that contradicts the register.
type ConflictRow struct {
	Name, USCC, LicenseNo string
	RegisterStatus        string // the register's licence status: valid
	List, RecordID        string // inspections or penalties, and the record's key
	On                    time.Time
	Text, Authority       string
}

// BuildConflicts finds the records dated on or before day that say a
// licence of unit u was revoked while the register shows it valid.
func BuildConflicts(ctx context.Context, s store.Store, u Unit, day time.Time) (*Conflicts, error) {
	day = grade.Date(day)
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/licence_conflicts"), store.Params{"day": day})
	if err != nil {
		return nil, fmt.Errorf("licence conflicts on %s: %w", transform.FormatDate(day), err)
	}
	defer rows.Close()
	c := &Conflicts{Unit: u, Day: day}
	for rows.Next() {
		var r ConflictRow
		var county string
		if err := rows.Scan(&r.USCC, &r.Name, &county, &r.RegisterStatus, &r.LicenseNo, &r.List, &r.RecordID, &r.On, &r.Text, &r.Authority); err != nil {
			return nil, fmt.Errorf("licence conflicts: %w", err)
		}
		if u.Contains(county) {
			c.Rows = append(c.Rows, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("licence conflicts: %w", err)
	}
	return c, nil
}

// listTitle is the Chinese title of the list a conflicting record comes
// from.
func listTitle(name string) string {
	if l, err := contract.Lookup(name); err == nil {
		return l.Title
	}
	return ""
}

// registerStatusNames are the register's licence statuses in Chinese.
var registerStatusNames = map[string]string{"valid": "有效", "revoked": "吊销", "cancelled": "注销"}

func (c *Conflicts) table() table {
	tb := table{Sheet: "数据矛盾", Title: fmt.Sprintf("%s数据矛盾：记录称已吊销许可，名录仍为有效（截至%s）", c.Unit.Name, dayCN(c.Day)),
		Header: []string{"序号", "机构名称", "统一社会信用代码", "许可证编号", "名录许可状态", "记录来源", "记录编号", "记录日期", "记录内容", "处理机关", "处理意见"},
		Widths: []float64{6, 30, 22, 16, 12, 16, 20, 12, 44, 26, 40}}
	for i, r := range c.Rows {
		tb.Rows = append(tb.Rows, []cell{num(i + 1), text(r.Name), uscc(r.USCC), text(r.LicenseNo), text(registerStatusNames[r.RegisterStatus]),
			text(listTitle(r.List)), text(r.RecordID), dateCell(r.On), text(r.Text), text(Authority(r.Authority)),
			text("请核实：许可确已吊销的，在机构名录中将许可状态改为“吊销”并填写状态变更日期（评为 D 级）；未吊销的，更正该记录。")})
	}
	return tb
}

// WriteXLSX writes the conflicts on one sheet, USCCs as text.
func (c *Conflicts) WriteXLSX(w io.Writer) error { return writeXLSX(w, c.table()) }

// WriteCSV writes the conflicts as a CSV file for Excel.
func (c *Conflicts) WriteCSV(w io.Writer) error { return writeCSV(w, c.table()) }
