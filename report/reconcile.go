package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// submittedFiling is a unit's 附件2 for a date as the city reviews it:
// the unit's latest finished filing for the date, its tables (files, or
// file[sheet]) and its rows, none when it was filed empty.
type submittedFiling struct {
	unit   string
	asOf   time.Time
	filing string
	refs   []string
	rows   []submittedGrade
}

// submittedGrade is one row of a county's 附件2.
type submittedGrade struct {
	uscc, name, grad string
	exemplary        string // 是否选树为诚信机构典型 as stored
}

// Reconcile is the city's review of the counties' 附件2. It writes, in
// Chinese, per submission (unit and date), where the submitted grades
// differ from those creditsync's own 附件2 of that unit and date shows
// (BuildSummary: the grade in force, or the newer one publicized or
// under objection beside it, labelled), with the clauses and records
// behind them and, where the rules at that date would give another
// grade today (grades are not raised by themselves, docs/rules.md §4.5),
// that grade, labelled; and what is wrong with the table itself: rows of
// another unit, rows its import rejected, 是否选树为诚信机构典型 marked on
// an institution that is not A or more often than the rules' share
// allows, and — as the import read the table and recorded it, not from
// the file, which may have been saved over since — a 合计 line that
// disagrees with the rows and a USCC listed twice, on one sheet or on
// two, with different grades; and, as a note, that the file at its path
// has changed since it was filed, or is gone. A table
// filed empty is reviewed as one that lists none. An empty unit reviews
// every unit; a zero day, each unit's latest submission.
func Reconcile(ctx context.Context, w io.Writer, s store.Store, rules *grade.Rules, unit string, day time.Time) error {
	filings, err := submittedFilings(ctx, s, unit, day)
	if err != nil {
		return err
	}
	if len(filings) == 0 {
		fmt.Fprintln(w, "没有符合条件的附件2记录（no 附件2 recorded for this selection）；先用 creditsync import summary FILE 导入")
		return nil
	}
	src, kind, err := NewSource(ctx, s, rules)
	if err != nil {
		return err
	}
	computed := map[time.Time]map[string]grade.Result{}
	for _, f := range filings {
		rv, err := review(ctx, s, src, rules, f)
		if err != nil {
			return err
		}
		// Where grades are recorded, the rules at the date may now give
		// another grade than the one in force (an upgrade not applied
		// for, a downgrade not yet run): said beside a disagreement,
		// labelled, as what may explain the county's grade.
		if kind == SourceHistory && len(rv.differ) > 0 {
			d := f.asOf
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
			rv.byRules = computed[d]
		}
		rv.print(w)
	}
	return nil
}

// submittedFilings reads the filings to review and their rows.
func submittedFilings(ctx context.Context, s store.Store, unit string, day time.Time) ([]submittedFiling, error) {
	t := sql.Target{Cluster: s.Cluster()}
	rows, err := s.Query(ctx, sql.MustQuery(t, "imports/submitted_filings"),
		store.Params{"unit": unit, "latest": day.IsZero(), "day": day})
	if err != nil {
		return nil, fmt.Errorf("read submitted 附件2: %w", err)
	}
	var out []submittedFiling
	for rows.Next() {
		var f submittedFiling
		if err := rows.Scan(&f.unit, &f.asOf, &f.filing, &f.refs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read submitted 附件2: %w", err)
		}
		f.asOf = grade.Date(f.asOf)
		out = append(out, f)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("read submitted 附件2: %w", err)
	}
	for i, f := range out {
		rows, err := s.Query(ctx, sql.MustQuery(t, "imports/submitted_grades"),
			store.Params{"unit": f.unit, "day": f.asOf, "filing": f.filing})
		if err != nil {
			return nil, fmt.Errorf("read submitted grades: %w", err)
		}
		for rows.Next() {
			var g submittedGrade
			if err := rows.Scan(&g.uscc, &g.name, &g.grad, &g.exemplary); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read submitted grades: %w", err)
			}
			out[i].rows = append(out[i].rows, g)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read submitted grades: %w", err)
		}
	}
	return out, nil
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
// unit's institutions creditsync's 附件2 lists and the table lists nowhere
// else) whose code a cell of the row stored as a number fits, else whose
// name a cell writes. how says which ("" for the USCC as written); ""
// when it cannot be told, or several candidates fit alike.
func (rj submissionReject) institution(candidates []SummaryRow) (uscc, how string) {
	if rj.uscc != "" {
		return rj.uscc, ""
	}
	for _, try := range []struct {
		how string
		fit func(cell string, r SummaryRow) bool
	}{
		{"以数字存储的统一社会信用代码", func(cell string, r SummaryRow) bool { return contract.StoredAsNumber(cell, r.USCC) }},
		{"机构名称", func(cell string, r SummaryRow) bool {
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

// submissionRejects reads the rows of the table ref that the import of
// filing rejected (only filings stored before a table with rejected rows
// was refused whole have any).
func submissionRejects(ctx context.Context, s store.Store, filing, ref string) ([]submissionReject, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/submission_rejects"), store.Params{"filing": filing, "ref": ref})
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

// reviewed is one filing reviewed: what its rows are against creditsync's
// 附件2 of the unit and date, and what is wrong with the table.
type reviewed struct {
	f       submittedFiling
	unit    Unit
	shown   map[string]SummaryRow       // creditsync's 附件2 of the unit and date, by USCC
	graded  map[string]InstitutionGrade // every grade on the date, by USCC
	byRules map[string]grade.Result     // the rules' grades at the date, for the notes on disagreements; nil for none

	differ, unknown, foreign []submittedGrade
	missing                  []SummaryRow
	rejected                 []submissionReject
	rejectedRows             int
	unknownRows              []string // rejected rows whose institution cannot be told
	problems                 []string
	// notes are what is not a problem of the table but is to be known:
	// the file at its path is not the one filed (sheetCheck.notes).
	notes []string
}

// review compares a filing with creditsync's 附件2 of its unit and date:
// the rows BuildSummary writes, from src — the one code path of report
// summary, so that creditsync's own 附件2 filed back agrees on any date.
func review(ctx context.Context, s store.Store, src Source, rules *grade.Rules, f submittedFiling) (*reviewed, error) {
	u, err := LookupUnit(f.unit)
	if err != nil {
		return nil, fmt.Errorf("review the 附件2 of %s: %w", f.unit, err)
	}
	sum, err := BuildSummary(ctx, src, u, f.asOf, time.Time{})
	if err != nil {
		return nil, err
	}
	gs, err := src.GradesOn(ctx, f.asOf)
	if err != nil {
		return nil, fmt.Errorf("grades on %s: %w", transform.FormatDate(f.asOf), err)
	}
	rv := &reviewed{f: f, unit: u, shown: map[string]SummaryRow{}, graded: map[string]InstitutionGrade{}}
	for _, r := range sum.Rows {
		rv.shown[r.USCC] = r
	}
	for _, g := range gs {
		rv.graded[g.USCC] = g
	}
	seen := map[string]bool{}
	for _, g := range f.rows {
		seen[g.uscc] = true
		ig, ok := rv.graded[g.uscc]
		county := ig.CountyCode
		if !ok {
			county = transform.CountyFromUSCC(g.uscc)
		}
		switch {
		case county != "" && transform.CountyName(county) != "" && !u.Contains(county):
			// Another unit's institution is not this unit's to grade,
			// whatever grade it was given.
			rv.foreign = append(rv.foreign, g)
		case !ok:
			rv.unknown = append(rv.unknown, g)
		case summaryRow(ig).Grade != GradeLabel(grade.Grade(g.grad)):
			rv.differ = append(rv.differ, g)
		}
	}
	// The unit's institutions the table lists on no line read: left
	// out, unless a rejected row is theirs (it is reported as rejected).
	var unlisted []SummaryRow
	for _, r := range sum.Rows {
		if !seen[r.USCC] {
			unlisted = append(unlisted, r)
		}
	}
	sort.Slice(unlisted, func(i, j int) bool { return unlisted[i].USCC < unlisted[j].USCC })
	checks, err := sheetChecks(ctx, s, f)
	if err != nil {
		return nil, err
	}
	for _, ref := range f.refs {
		rj, err := submissionRejects(ctx, s, f.filing, ref)
		if err != nil {
			return nil, err
		}
		rv.rejected = append(rv.rejected, rj...)
		rv.notes = append(rv.notes, checks[ref].notes(ref, file.FileDigest)...)
		rv.problems = append(rv.problems, checks[ref].problems(ref)...)
	}
	for _, d := range duplicates(f.refs, checks) {
		rv.problems = append(rv.problems, d.problem())
	}
	rv.problems = append(rv.problems, rv.exemplaryProblems(rules)...)
	rejectedUSCC := map[string]bool{}
	rows := map[string]bool{}
	for i, rj := range rv.rejected {
		rows[fmt.Sprint(rj.ref, rj.line)] = true
		code, how := rj.institution(unlisted)
		rv.rejected[i].uscc, rv.rejected[i].how = code, how
		if code != "" {
			rejectedUSCC[code] = true
		} else if at := fmt.Sprintf("%s 第 %d 行", rj.ref, rj.line); !slices.Contains(rv.unknownRows, at) {
			rv.unknownRows = append(rv.unknownRows, at)
		}
	}
	rv.rejectedRows = len(rows)
	for _, r := range unlisted {
		if !rejectedUSCC[r.USCC] {
			rv.missing = append(rv.missing, r)
		}
	}
	return rv, nil
}

// exemplaryProblems checks 是否选树为诚信机构典型 (docs/rules.md §5): only A
// institutions may be chosen — A in the table and in creditsync's 附件2
// (one creditsync does not grade is listed as such) — and at most
// floor(share × A institutions) in the rules' scope, the A counted as
// creditsync has them in force on the date (its own nominations count
// so).
func (rv *reviewed) exemplaryProblems(rules *grade.Rules) []string {
	var out []string
	marked := 0
	for _, g := range rv.f.rows {
		if !contract.Exemplary(g.exemplary) {
			continue
		}
		marked++
		who := g.uscc + " " + transform.ShowControls(g.name)
		ig, ok := rv.graded[g.uscc]
		switch {
		case g.grad != string(grade.A):
			out = append(out, fmt.Sprintf("%s 报送 %s 级，却选树为诚信机构典型：诚信机构典型只能从 A 级机构中选树", who, g.grad))
		case ok && ig.Grade != grade.A:
			out = append(out, fmt.Sprintf("%s 选树为诚信机构典型，creditsync 评为 %s：诚信机构典型只能从 A 级机构中选树", who, summaryRow(ig).Grade))
		}
	}
	if marked == 0 {
		return out
	}
	where, aCount, chosen := rv.unit.Name, 0, 0
	for _, g := range rv.graded {
		if rules.Exemplary.Scope == grade.ScopeCity || rv.unit.Contains(g.CountyCode) {
			if g.inForce() == grade.A {
				aCount++
			}
			if g.Exemplary {
				chosen++
			}
		}
	}
	if rules.Exemplary.Scope == grade.ScopeCity {
		where = "全市"
	}
	day := transform.FormatDate(rv.f.asOf)
	limit := int(math.Floor(rules.Exemplary.SharePercent*float64(aCount)/100 + 1e-9))
	basis := fmt.Sprintf("%s %s 有效等级为 A 级的机构 %d 家的 %g%%，向下取整", where, day, aCount, rules.Exemplary.SharePercent)
	if chosen > limit {
		// The share bounds a choice when it is made: those chosen then
		// stay while their A does, though the A institutions be fewer
		// since. creditsync's own 附件2 marks them, and is no excess.
		limit, basis = chosen, fmt.Sprintf("%s %s 仍有效的诚信机构典型 %d 家，选树时未超过 %g%%", where, day, chosen, rules.Exemplary.SharePercent)
	}
	if marked > limit {
		out = append(out, fmt.Sprintf("选树为诚信机构典型 %d 家，超过上限 %d 家（%s）", marked, limit, basis))
	}
	return out
}

func (rv *reviewed) print(w io.Writer) {
	f := rv.f
	unit, d := f.unit, transform.FormatDate(f.asOf)
	unitName := transform.CountyName(unit)
	agree := len(f.rows) - len(rv.differ) - len(rv.unknown) - len(rv.foreign)
	fmt.Fprintf(w, "%s %s — %s 的附件2（%s）：%d 家，一致 %d 家，不一致 %d 家", unitName, unit, d, strings.Join(f.refs, "、"), len(f.rows), agree, len(rv.differ))
	for _, part := range []struct {
		n    int
		text string
	}{{len(rv.foreign), "非本单位机构 %d 家"}, {len(rv.unknown), "creditsync 未评价 %d 家"}, {rv.rejectedRows, "导入时被拒绝 %d 行"}, {len(rv.missing), "漏报 %d 家"}, {len(rv.problems), "表格问题 %d 处"}} {
		if part.n > 0 {
			fmt.Fprintf(w, "，"+part.text, part.n)
		}
	}
	fmt.Fprintln(w)
	if len(f.rows) == 0 && rv.rejectedRows == 0 {
		fmt.Fprintln(w, "  附件2 未列出任何机构（报送了空表）")
	}
	for _, n := range rv.notes {
		fmt.Fprintf(w, "  注意：%s\n", n)
	}
	for _, p := range rv.problems {
		fmt.Fprintf(w, "  表格问题：%s\n", p)
	}
	for _, g := range rv.differ {
		rv.printDiffer(w, g)
	}
	if len(rv.foreign) > 0 {
		fmt.Fprintf(w, "  不属于%s的机构（应由其所在单位评价和报送，未计入一致）：\n", unitName)
		for _, g := range rv.foreign {
			county := transform.CountyFromUSCC(g.uscc)
			if r, ok := rv.graded[g.uscc]; ok {
				county = r.CountyCode
			}
			fmt.Fprintf(w, "    %s %s（报送 %s 级；属%s %s）\n", g.uscc, transform.ShowControls(g.name), g.grad, transform.CountyName(county), transform.CurrentCountyCode(county))
		}
	}
	if len(rv.unknown) > 0 {
		fmt.Fprintf(w, "  %s creditsync 未评价（名录中没有，或当日未取得许可）：\n", d)
		for _, g := range rv.unknown {
			fmt.Fprintf(w, "    %s %s（报送 %s 级）\n", g.uscc, transform.ShowControls(g.name), g.grad)
		}
	}
	if len(rv.rejected) > 0 {
		fmt.Fprintf(w, "  导入时被拒绝的行（未入库，不是漏报；请更正后重新报送）：\n")
		for _, rj := range rv.rejected {
			who := rj.uscc
			switch {
			case rj.uscc == "":
				who = "（无法确定是哪家机构）"
			case rj.how != "":
				name := rj.uscc
				if r, ok := rv.shown[rj.uscc]; ok {
					name += " " + transform.ShowControls(r.Name)
				}
				who = fmt.Sprintf("%s（据%s认定）", name, rj.how)
			}
			fmt.Fprintf(w, "    %s 第 %d 行 %s %s：%s（%q）\n", rj.ref, rj.line, who, rj.column, rj.reason, rj.value)
		}
	}
	if len(rv.missing) > 0 {
		fmt.Fprintf(w, "  creditsync 评价了但附件2未列出（漏报）：\n")
		if len(rv.unknownRows) > 0 {
			fmt.Fprintf(w, "    （导入时被拒绝的 %s 无法确定是哪家机构，可能是下列之一）\n", strings.Join(rv.unknownRows, "、"))
		}
		for _, r := range rv.missing {
			fmt.Fprintf(w, "    %s %s（creditsync %s）\n", r.USCC, transform.ShowControls(r.Name), r.Grade)
		}
	}
}

// printDiffer writes a submitted grade that differs from creditsync's
// 附件2: the grade it shows, labelled as there when it is not in force
// yet, and the clauses and records behind it; then, labelled, the grade
// the rules would give at the date when that is another.
func (rv *reviewed) printDiffer(w io.Writer, g submittedGrade) {
	ig := rv.graded[g.uscc]
	row := summaryRow(ig)
	var labels []string
	for _, l := range []string{StateLabel(ig), InForceLabel(ig)} {
		if l != "" {
			labels = append(labels, l)
		}
	}
	state := ""
	if len(labels) > 0 {
		state = "（" + strings.Join(labels, "；") + "）"
	}
	fmt.Fprintf(w, "  %s %s：报送 %s 级，creditsync 评为 %s%s\n", g.uscc, transform.ShowControls(g.name), g.grad, row.Grade, state)
	if ig.Grade == grade.A {
		fmt.Fprintf(w, "    A：%s\n", grade.AText)
	} else {
		for _, c := range ig.Clauses {
			level := ""
			if def, ok := grade.LookupClause(c.ID); ok {
				level = "（" + string(def.Grade) + " 级）"
			}
			fmt.Fprintf(w, "    %s%s%s\n", c.ID, level, c.Text)
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
	r, ok := rv.byRules[g.uscc]
	if !ok || r.Grade == ig.Grade {
		return
	}
	d := transform.FormatDate(rv.f.asOf)
	if grade.Worse(ig.Grade, r.Grade) {
		fmt.Fprintf(w, "    （另：依 %s 的记录按规则计算为 %s 级；信用等级不自动上调，须经机构申请，creditsync 附件2 仍列现行等级）\n", d, r.Grade)
	} else {
		fmt.Fprintf(w, "    （另：依 %s 的记录按规则计算为 %s 级，尚未重新评价降级；creditsync 附件2 仍列现行等级）\n", d, r.Grade)
	}
}
