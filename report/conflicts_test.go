package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A record that says the licence was revoked while the register says it
// is valid is a contradiction in the bureau's data: it is reported, with
// both records named, and the grade follows the register (no D3). A
// record that only proposes a revocation, or one matching the register,
// is not.
func TestLicenceConflicts(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	const (
		inspected = "914403001922038216" // valid; inspection says 吊销许可证
		penalised = "91440300708461136T" // valid; penalty says 吊销人力资源服务许可证
		proposed  = "9144030071526726XG" // valid; inspection says 拟吊销许可证
		revoked   = "91620105L015101280" // revoked in the register too
		elsewhere = "91411023174430174N" // 建安区: a conflict outside 魏都区
	)
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
		{inspected, "许昌甲人力资源有限公司", "411002", "豫人服证101", "2020-01-01", "有效", "", "2020-02-01"},
		{penalised, "许昌乙人力资源有限公司", "411002", "豫人服证102", "2020-01-01", "", "", "2020-02-01"},
		{proposed, "许昌丙人力资源有限公司", "411002", "豫人服证103", "2020-01-01", "", "", "2020-02-01"},
		{revoked, "许昌丁人力资源有限公司", "411002", "豫人服证104", "2020-01-01", "吊销", "2026-05-01", "2020-02-01"},
		{elsewhere, "建安戊人力资源有限公司", "411003", "豫人服证105", "2020-01-01", "", "", "2020-02-01"},
	})
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure", "description"},
		{"WD-1", inspected, "violation", "major", "2026-04-01", "魏都区人社局", "行政处罚；吊销许可证", "以招聘为名牟取不正当利益"},
		{"WD-2", proposed, "violation", "serious", "2026-04-02", "魏都区人社局", "责令限期整改", "拟吊销许可证，待听证"},
		{"WD-3", revoked, "violation", "major", "2026-04-30", "魏都区人社局", "吊销许可证", ""},
		{"WD-4", inspected, "violation", "major", "2026-09-01", "魏都区人社局", "吊销许可证", "after the day asked for"},
		{"JA-1", elsewhere, "violation", "major", "2026-04-03", "建安区人社局", "吊销许可证", ""},
	})
	importRows(t, s, "penalties", [][]string{
		{"record_id", "uscc", "name", "decided_on", "authority", "content"},
		{"许人社罚〔2026〕7号", penalised, "许昌乙人力资源有限公司", "2026-05-10", "许昌市人力资源和社会保障局", "吊销人力资源服务许可证"},
	})
	day := reporttest.Day("2026-07-31")
	cases := []struct {
		unit string
		want []string // uscc list record
	}{
		{"411002", []string{inspected + " inspections WD-1", penalised + " penalties 许人社罚〔2026〕7号"}},
		{"411003", []string{elsewhere + " inspections JA-1"}},
		{report.CityCode, []string{inspected + " inspections WD-1", penalised + " penalties 许人社罚〔2026〕7号", elsewhere + " inspections JA-1"}},
	}
	for _, c := range cases {
		t.Run(c.unit, func(t *testing.T) {
			cs, err := report.BuildConflicts(ctx, s, unit(t, c.unit), day)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range cs.Rows {
				got = append(got, r.USCC+" "+r.List+" "+r.RecordID)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("conflicts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
	// The grade follows the register: no D3 for the record alone.
	res, err := grade.Compute(ctx, s, grade.DefaultRules(), day)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if has := strings.Contains(strings.Join(r.ClauseIDs(), ","), "D3"); has != (r.USCC == revoked) {
			t.Errorf("%s: clauses %v; only the register's revocation gives D3", r.USCC, r.ClauseIDs())
		}
	}
	// The sheet names both sides: the register's status and the record.
	cs, err := report.BuildConflicts(ctx, s, unit(t, "411002"), day)
	if err != nil {
		t.Fatal(err)
	}
	rs := rows(t, openXLSX(t, render(t, cs, "xlsx")), "数据矛盾")
	if len(rs) < 4 || !strings.Contains(strings.Join(rs[2], "|"), "有效|监察与查处记录|WD-1|2026-04-01|行政处罚；吊销许可证；以招聘为名牟取不正当利益|许昌市魏都区人力资源和社会保障局") {
		t.Errorf("sheet %q", rs)
	}
}
