package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"time"
)

// renderer chooses how each row spells its values. It has its own random
// stream, so a change in spelling never moves the generated data.
type renderer struct {
	r    *rng
	turn map[string]int
}

// cycle takes the spellings of a rare value in turn, so that even the three
// cancelled licences of a sample show both 注销 and cancelled.
func (rd *renderer) cycle(key string, spellings ...string) string {
	if rd.turn == nil {
		rd.turn = map[string]int{}
	}
	s := spellings[rd.turn[key]%len(spellings)]
	rd.turn[key]++
	return s
}

// date spells d in one of the forms the contract accepts; the form is chosen
// per row by the caller so that a row stays internally consistent, as rows
// typed by one clerk do.
func date(d time.Time, form int) string {
	if d.IsZero() {
		return ""
	}
	y, m, dd := d.Date()
	switch form {
	case 1:
		return fmt.Sprintf("%d/%d/%d", y, m, dd)
	case 2:
		return fmt.Sprintf("%d年%d月%d日", y, m, dd)
	case 3:
		return d.Format("20060102")
	case 4:
		return d.Format("2006.01.02")
	default:
		return d.Format(time.DateOnly)
	}
}

// form picks a date spelling: ISO most often, the others as Excel and
// hand-typed sheets produce them.
func (rd *renderer) form() int {
	switch n := rd.r.intn(100); {
	case n < 45:
		return 0
	case n < 65:
		return 1
	case n < 85:
		return 2
	case n < 95:
		return 3
	default:
		return 4
	}
}

var (
	kindZH     = map[string]string{"violation": "违法违规", "fund_fraud": "骗取资金", "false_materials": "虚假材料", "conditions_unmet": "不符合设立条件", "compliance_failure": "未按规定履行", "commitment_breach": "未履行承诺"}
	severityZH = map[string]string{"minor": "较轻", "general": "一般", "serious": "严重", "major": "重大"}
	statusZH   = map[string]string{"valid": "有效", "revoked": "吊销", "cancelled": "注销"}
)

// institutionHeader is deliberately not the contract's order: column order
// is free and an importer must go by the header names.
var institutionHeader = []string{"许可证编号", "机构名称", "区县代码", "统一社会信用代码", "许可日期", "承诺书签订日期", "许可状态", "状态变更日期", "失联起始日期", "备注"}

func (rd *renderer) institutionRow(in *institution) []string {
	f := rd.form()
	status := "" // valid is the default and often left blank
	switch {
	case in.Status != "valid":
		status = rd.cycle(in.Status, statusZH[in.Status], in.Status)
	case rd.r.chance(60):
		status = rd.r.pick([]string{"有效", "valid"})
	}
	return []string{
		in.LicenseNo, in.Name, in.County, in.USCC,
		date(in.LicensedOn, f), date(in.Commitment, f), status, date(in.StatusOn, f), date(in.LostSince, f), in.Note,
	}
}

var inspectionHeader = []string{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "authority", "measure", "description"}

func (rd *renderer) inspectionRow(r *inspection) []string {
	f := rd.form()
	kind, sev := r.Kind, r.Severity
	if rd.cycle("kind/"+kind+"/"+sev, "zh", "en", "en", "zh") == "zh" {
		kind, sev = kindZH[kind], severityZH[sev]
	}
	refused := rd.r.pick([]string{"", "否", "false"})
	if r.Refused {
		refused = rd.cycle("refused", "是", "true")
	}
	uscc := r.USCC
	if rd.r.chance(3) {
		uscc = " " + uscc + " " // pasted with spaces; trimmed on import
	}
	return []string{r.ID, uscc, kind, sev, date(r.HandledOn, f), date(r.RectifiedOn, f), refused, r.Authority, r.Measure, r.Description}
}

// The annual reports file uses the Chinese headers, the other way round
// from inspections, so both spellings are imported every time.
var reportHeader = []string{"统一社会信用代码", "报告年度", "提交日期"}

func (rd *renderer) reportRow(r *annualReport) []string {
	return []string{r.USCC, strconv.Itoa(r.Year), date(r.SubmittedOn, rd.form())}
}

var penaltyHeader = []string{"record_id", "uscc", "name", "decided_on", "authority", "content", "publicity_ended_on"}

func (rd *renderer) penaltyRow(p *penalty) []string {
	f := rd.form()
	return []string{p.ID, rd.externalUSCC(p.USCC), p.Name, date(p.DecidedOn, f), p.Authority, p.Content, date(p.PublicityEndedOn, f)}
}

var abnormalHeader = []string{"uscc", "name", "listed_on", "reason", "authority", "removed_on", "removal_reason"}

func (rd *renderer) abnormalRow(l *listing) []string {
	f := rd.form()
	return []string{rd.externalUSCC(l.USCC), l.Name, date(l.ListedOn, f), l.Reason, l.Authority, date(l.RemovedOn, f), l.RemovalReason}
}

var dishonestHeader = []string{"uscc", "name", "listed_on", "reason", "authority", "removed_on"}

func (rd *renderer) dishonestRow(l *listing) []string {
	f := rd.form()
	return []string{rd.externalUSCC(l.USCC), l.Name, date(l.ListedOn, f), l.Reason, l.Authority, date(l.RemovedOn, f)}
}

var evalHeader = []string{"uscc", "name", "grade", "evaluated_on"}

func (rd *renderer) evalRow(e *evaluation) []string {
	return []string{rd.externalUSCC(e.USCC), e.Name, e.Grade, date(e.EvaluatedOn, rd.form())}
}

// externalUSCC: scraped lists sometimes carry lower-case codes.
func (rd *renderer) externalUSCC(u string) string {
	if u != "" && rd.r.chance(3) {
		return toLowerASCII(u)
	}
	return u
}

func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// writeCSV writes header and rows as UTF-8 CSV without a BOM.
func writeCSV(path string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return err
	}
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("sample: write %s: %w", path, err)
	}
	return nil
}
