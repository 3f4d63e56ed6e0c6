package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// submittedGrade is one row of a county's 附件2.
type submittedGrade struct {
	unit             string
	asOf             time.Time
	uscc, name, grad string
	ref              string
}

// Reconcile is the city's review of the counties' 附件2. It writes, in
// Chinese, per submission (unit and date), where the submitted grades
// differ from those the rules give at that date, and what is wrong with
// the table itself: rows of another unit, rows its import rejected, and —
// read again from the file when it is still where it was imported from —
// a 合计 line that disagrees with the rows and a USCC listed twice with
// different grades. An empty unit reviews every unit; a zero day, each
// unit's latest submission.
func Reconcile(ctx context.Context, w io.Writer, s store.Store, rules *grade.Rules, unit string, day time.Time) error {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/submitted_grades"),
		store.Params{"unit": unit, "latest": day.IsZero(), "day": day})
	if err != nil {
		return fmt.Errorf("read submitted grades: %w", err)
	}
	var subs []submittedGrade
	for rows.Next() {
		var g submittedGrade
		if err := rows.Scan(&g.unit, &g.asOf, &g.uscc, &g.name, &g.grad, &g.ref); err != nil {
			rows.Close()
			return fmt.Errorf("read submitted grades: %w", err)
		}
		g.asOf = grade.Date(g.asOf)
		subs = append(subs, g)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("read submitted grades: %w", err)
	}
	rows.Close()
	if len(subs) == 0 {
		fmt.Fprintln(w, "没有符合条件的附件2记录（no 附件2 recorded for this selection）；先用 creditsync import summary FILE 导入")
		return nil
	}
	computed := map[time.Time]map[string]grade.Result{}
	for start := 0; start < len(subs); {
		end := start
		for end < len(subs) && subs[end].unit == subs[start].unit && subs[end].asOf.Equal(subs[start].asOf) {
			end++
		}
		group := subs[start:end]
		start = end
		d := group[0].asOf
		if computed[d] == nil {
			res, err := grade.Compute(ctx, s, rules, d)
			if err != nil {
				return fmt.Errorf("grade at %s: %w", transform.FormatDate(d), err)
			}
			computed[d] = map[string]grade.Result{}
			for _, r := range res {
				computed[d][r.USCC] = r
			}
		}
		var rejected []submissionReject
		checks := map[string]sheetCheck{}
		for _, ref := range refsOf(group) {
			rj, err := submissionRejects(ctx, s, ref)
			if err != nil {
				return err
			}
			rejected = append(rejected, rj...)
			checks[ref] = checkSheet(ref)
		}
		printReconciliation(w, group, computed[d], rejected, checks)
	}
	return nil
}

// refsOf lists the files (or file[sheet]) a submission's rows came from.
func refsOf(group []submittedGrade) []string {
	var refs []string
	for _, g := range group {
		if !slices.Contains(refs, g.ref) {
			refs = append(refs, g.ref)
		}
	}
	return refs
}

// submissionReject is a row of a 附件2 its import rejected.
type submissionReject struct {
	ref                         string
	line                        int
	column, value, reason, uscc string
	cells                       []string // the row as the file has it
	how                         string   // how uscc was told (institution)
}

// rejectedInstitution is the institution a rejected row is about, as far
// as it can be told: the USCC it carries, or one of candidates (the
// unit's institutions creditsync graded and the table lists nowhere
// else) whose code a cell of the row stored as a number fits, else whose
// name a cell writes. how says which ("" for the USCC as written); ""
// when it cannot be told, or several candidates fit alike.
func (rj submissionReject) institution(candidates []grade.Result) (uscc, how string) {
	if rj.uscc != "" {
		return rj.uscc, ""
	}
	for _, try := range []struct {
		how string
		fit func(cell string, r grade.Result) bool
	}{
		{"以数字存储的统一社会信用代码", func(cell string, r grade.Result) bool { return contract.StoredAsNumber(cell, r.USCC) }},
		{"机构名称", func(cell string, r grade.Result) bool {
			return strings.TrimSpace(cell) != "" && transform.NormalizeName(cell) == transform.NormalizeName(r.Name)
		}},
	} {
		var fits []string
		for _, r := range candidates {
			if slices.ContainsFunc(rj.cells, func(c string) bool { return try.fit(c, r) }) {
				fits = append(fits, r.USCC)
			}
		}
		if len(fits) == 1 {
			return fits[0], try.how
		}
	}
	return "", ""
}

func submissionRejects(ctx context.Context, s store.Store, ref string) ([]submissionReject, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/submission_rejects"), store.Params{"ref": ref})
	if err != nil {
		return nil, fmt.Errorf("rejected rows of %s: %w", ref, err)
	}
	defer rows.Close()
	var out []submissionReject
	for rows.Next() {
		r := submissionReject{ref: ref}
		var line uint32
		var raw string
		if err := rows.Scan(&line, &r.column, &r.value, &r.reason, &r.uscc, &raw); err != nil {
			return nil, fmt.Errorf("rejected rows of %s: %w", ref, err)
		}
		// Written by the load from the row's cells; a row that is not
		// read leaves only its USCC to tell the institution by.
		_ = json.Unmarshal([]byte(raw), &r.cells)
		r.line, r.uscc = int(line), transform.NormalizeUSCC(r.uscc)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rejected rows of %s: %w", ref, err)
	}
	return out, nil
}

func printReconciliation(w io.Writer, group []submittedGrade, graded map[string]grade.Result, rejected []submissionReject, checks map[string]sheetCheck) {
	unit, d := group[0].unit, transform.FormatDate(group[0].asOf)
	unitName := transform.CountyName(unit)
	var differ, unknown, foreign []submittedGrade
	seen := map[string]bool{}
	for _, g := range group {
		seen[g.uscc] = true
		r, ok := graded[g.uscc]
		county := r.CountyCode
		if !ok {
			county = transform.CountyFromUSCC(g.uscc)
		}
		switch {
		case county != "" && transform.CurrentCountyCode(county) != unit && transform.CountyName(county) != "":
			// Another unit's institution is not this unit's to grade,
			// whatever grade it was given.
			foreign = append(foreign, g)
		case !ok:
			unknown = append(unknown, g)
		case string(r.Grade) != g.grad:
			differ = append(differ, g)
		}
	}
	// The unit's institutions the table lists on no line read: left
	// out, unless a rejected row is theirs (it is reported as rejected).
	var unlisted []grade.Result
	for _, r := range graded {
		if r.CountyCode == unit && !seen[r.USCC] {
			unlisted = append(unlisted, r)
		}
	}
	sort.Slice(unlisted, func(i, j int) bool { return unlisted[i].USCC < unlisted[j].USCC })
	rejectedUSCC := map[string]bool{}
	var unknownRows []string // rejected rows whose institution cannot be told
	for i, rj := range rejected {
		u, how := rj.institution(unlisted)
		rejected[i].uscc, rejected[i].how = u, how
		if u != "" {
			rejectedUSCC[u] = true
		} else if at := fmt.Sprintf("%s 第 %d 行", rj.ref, rj.line); !slices.Contains(unknownRows, at) {
			unknownRows = append(unknownRows, at)
		}
	}
	var missing []grade.Result
	for _, r := range unlisted {
		if !rejectedUSCC[r.USCC] {
			missing = append(missing, r)
		}
	}
	var problems []string
	for _, ref := range refsOf(group) {
		problems = append(problems, checks[ref].problems(ref)...)
	}
	rejectedRows := map[string]bool{}
	for _, rj := range rejected {
		rejectedRows[fmt.Sprint(rj.ref, rj.line)] = true
	}
	agree := len(group) - len(differ) - len(unknown) - len(foreign)
	fmt.Fprintf(w, "%s %s — %s 的附件2（%s）：%d 家，一致 %d 家，不一致 %d 家", unitName, unit, d, strings.Join(refsOf(group), "、"), len(group), agree, len(differ))
	for _, part := range []struct {
		n    int
		text string
	}{{len(foreign), "非本单位机构 %d 家"}, {len(unknown), "creditsync 未评价 %d 家"}, {len(rejectedRows), "导入时被拒绝 %d 行"}, {len(missing), "漏报 %d 家"}, {len(problems), "表格问题 %d 处"}} {
		if part.n > 0 {
			fmt.Fprintf(w, "，"+part.text, part.n)
		}
	}
	fmt.Fprintln(w)
	for _, p := range problems {
		fmt.Fprintf(w, "  表格问题：%s\n", p)
	}
	for _, g := range differ {
		r := graded[g.uscc]
		fmt.Fprintf(w, "  %s %s：报送 %s 级，creditsync 评为 %s 级\n", g.uscc, transform.ShowControls(g.name), g.grad, r.Grade)
		if len(r.Clauses) == 0 {
			fmt.Fprintf(w, "    A：%s\n", grade.AText)
		}
		for _, c := range r.Clauses {
			fmt.Fprintf(w, "    %s（%s 级）%s\n", c.ID, c.Grade, c.Text)
			for _, e := range c.Evidence {
				date := transform.FormatDate(e.Date)
				if date == "" {
					date = "—"
				}
				kind := e.Kind // the list's title names the evidence's kind
				if l, ok := contract.ByEvidence(e.Kind); ok {
					kind = l.Title
				}
				fmt.Fprintf(w, "      - %s %s %s：%s\n", date, kind, transform.ShowControls(e.ID), transform.ShowControls(e.Detail))
			}
		}
	}
	if len(foreign) > 0 {
		fmt.Fprintf(w, "  不属于%s的机构（应由其所在单位评价和报送，未计入一致）：\n", unitName)
		for _, g := range foreign {
			county := transform.CountyFromUSCC(g.uscc)
			if r, ok := graded[g.uscc]; ok {
				county = r.CountyCode
			}
			fmt.Fprintf(w, "    %s %s（报送 %s 级；属%s %s）\n", g.uscc, transform.ShowControls(g.name), g.grad, transform.CountyName(county), transform.CurrentCountyCode(county))
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintf(w, "  %s creditsync 未评价（名录中没有，或当日未取得许可）：\n", d)
		for _, g := range unknown {
			fmt.Fprintf(w, "    %s %s（报送 %s 级）\n", g.uscc, transform.ShowControls(g.name), g.grad)
		}
	}
	if len(rejected) > 0 {
		fmt.Fprintf(w, "  导入时被拒绝的行（未入库，不是漏报；请更正后重新报送）：\n")
		for _, rj := range rejected {
			who := rj.uscc
			switch {
			case rj.uscc == "":
				who = "（无法确定是哪家机构）"
			case rj.how != "":
				name := rj.uscc
				if r, ok := graded[rj.uscc]; ok {
					name += " " + transform.ShowControls(r.Name)
				}
				who = fmt.Sprintf("%s（据%s认定）", name, rj.how)
			}
			fmt.Fprintf(w, "    %s 第 %d 行 %s %s：%s（%q）\n", rj.ref, rj.line, who, rj.column, rj.reason, rj.value)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "  creditsync 评价了但附件2未列出（漏报）：\n")
		if len(unknownRows) > 0 {
			fmt.Fprintf(w, "    （导入时被拒绝的 %s 无法确定是哪家机构，可能是下列之一）\n", strings.Join(unknownRows, "、"))
		}
		for _, r := range missing {
			fmt.Fprintf(w, "    %s %s（creditsync %s 级）\n", r.USCC, transform.ShowControls(r.Name), r.Grade)
		}
	}
}
