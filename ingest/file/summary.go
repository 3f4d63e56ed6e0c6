package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// SummaryOptions tune ImportSummary.
type SummaryOptions struct {
	ImportOptions
	// Unit is the submitting unit's code (a county code or 411000), for
	// a table whose 填报单位 line names none; a table whose line names
	// another unit is refused. Without either, the 评价单位 column names
	// it.
	Unit string
	// AsOf is the date of the submitted grades, in place of the 填报时间
	// line above the table (a table `report summary` wrote dates that
	// line the day it was written). Neither may be after today.
	AsOf time.Time
	// Filing names the filing the table is part of (NewFiling); by
	// default a filing of its own. The files of one filing make one
	// table together, of one unit and one date.
	Filing string
	// Earlier are the tables the filing's files imported before this one
	// hold: a table of this file of another unit or date is refused, as
	// one sheet of the file against another is (oneTable).
	Earlier []FiledTable
}

// FiledTable is a 附件2 table as filed: the unit and the date of its
// grades it was stored under, where the date was read, and the unit's
// filing for that date it replaces.
type FiledTable struct {
	Ref  string    // the file, or file[sheet]
	Unit string    // a county code or 411000
	Day  time.Time // the date of its grades
	// From says where the date was read: "填报时间 <the line as
	// written>", or "--as-of".
	From string
	// Replaces is the unit's filing for the date that counted until this
	// one; nil when it had none.
	Replaces *EarlierFiling
}

// EarlierFiling is a finished 附件2 filing of a unit and date.
type EarlierFiling struct {
	Filing string
	Refs   []string // its tables: files, or file[sheet]
	At     string   // when it was stored, Asia/Shanghai, YYYY-MM-DD hh:mm:ss
}

// ErrMixedTables means the tables of one filing (the sheets of a
// workbook, the files of one command) carry different units or dates:
// they cannot be the pages of one table, and are refused whole.
var ErrMixedTables = errors.New("the tables of one 附件2 filing carry different units or dates")

// ErrHiddenCells means a 附件2 table's sheet hides rows or columns that
// hold values: nothing of the table is stored.
var ErrHiddenCells = errors.New("the 附件2 hides rows or columns that hold values")

// ErrRowsRejected means rows of a 附件2 table were rejected: the table is
// refused whole, nothing of it filed, and the unit's earlier filing for
// the date stands.
var ErrRowsRejected = errors.New("rows of the 附件2 were rejected")

// ErrSubmission means a 附件2 table does not say who filed it or when
// (and the caller did not either), or says it wrongly: --unit against
// its 填报单位, a unit most of its institutions are not of, a date to
// come. Nothing of the table is stored.
var ErrSubmission = errors.New("the 附件2's unit or date is missing or wrong")

// ImportSummary records a county's 附件2 table (人力资源服务机构信用等级
// 评价汇总表) in the submissions table: the grade it gave each institution,
// with the unit that filed it and the date of its grades. It reads the
// notice's layout (title, 附件2 label, 填报单位 and 填报时间 line, header
// with or without 序号, footnote and signatures) and the one `report
// summary` writes; grades may be written A, A级 or A 级. Only the sheets
// of the 附件2 are read: one whose heading (or, without one, its name)
// names another form sent beside it — the 诚信机构典型名单, 动态调整情况 —
// is left out and named in Result.Others (notSummary). A table that
// lists no institution is a filing too, of none, when no 附件2 table of
// the file lists any. Each table stored is recorded with its unit, date
// and filing (submission_tables), and with what reconcile checks in the
// table itself (recordTables): a table with a rejected row is refused
// whole (refuseRejected). The file is recorded (and reported) by its
// absolute path, with the digest of its bytes. A filing named in
// opt.Filing (a table sent as several files) is the caller's to finish
// (FinishFiling) once every file is stored; without one, the file is a
// filing of its own, finished here. Until finished, a filing does not
// count.
func ImportSummary(ctx context.Context, s store.Store, path string, opt SummaryOptions) (Result, error) {
	if opt.Unit != "" {
		if err := knownUnit(opt.Unit); err != nil {
			return Result{Path: path}, err
		}
	}
	// The file is recorded by its absolute path: reconcile, from
	// whatever directory it runs in, tells whether it is still the file
	// filed there.
	abs, err := filepath.Abs(path)
	if err != nil {
		return Result{Path: path}, fmt.Errorf("%s: %w", path, err)
	}
	path = abs
	filing := opt.Filing
	own := filing == ""
	if own {
		filing = NewFiling(time.Now())
	}
	froms := map[string]string{} // sheet → where its date was read
	pre := &preambleFunc{
		columns: []string{contract.SubmissionUnit, contract.SubmissionDay, contract.SubmissionFiling},
		values: func(t *table, dates transform.SerialDates) ([]string, error) {
			if err := allShown(t); err != nil {
				return nil, err
			}
			unit, err := filedBy(t, opt.Unit)
			if err != nil {
				return nil, err
			}
			d, from, err := filedOn(t, dates, opt.AsOf)
			if err != nil {
				return nil, err
			}
			froms[t.sheet] = from
			if err := unitsInstitutions(ctx, s, t, unit); err != nil {
				return nil, err
			}
			return []string{unit, d.Format(time.DateOnly), filing}, nil
		},
		other: notSummary,
		// A unit with no institution to grade sends its 附件2 all the
		// same (report summary writes it): a filing that lists none.
		empty: true,
		agree: func(tables []preTable) error { return oneTable(opt.Earlier, tables, froms) },
	}
	// The file's digest before it is read and after its tables are
	// checked: the table recorded is the one read (recordTables).
	digest, err := FileDigest(path)
	if err != nil {
		return Result{Path: path}, err
	}
	res, err := importFile(ctx, s, contract.Submissions(), path, opt.ImportOptions, pre)
	if err == nil && res.Rejected > 0 {
		err = refuseRejected(ctx, s, res, filing)
	}
	if err == nil {
		err = recordTables(ctx, s, res, digest)
		if errors.Is(err, errChangedWhileRead) {
			err = errors.Join(err, WithdrawFiling(context.WithoutCancel(ctx), s, filing))
		}
	}
	if err == nil {
		err = filedTables(ctx, s, &res, filing, froms)
	}
	if err == nil && own {
		err = FinishFiling(ctx, s, filing)
	}
	return res, plainlyInterrupted(ctx, err, path, contract.Submissions())
}

// refuseRejected refuses a 附件2 table that has rejected rows, and
// withdraws what its import stored under filing (every file of it, when
// the filing has several: a filing is one table, whole or not at all).
// A county's table is one document, checked, sealed and sent whole: filed
// without its rejected rows it would replace the unit's earlier filing
// with part of the table (with none of it when every row was rejected, as
// when each 信用等级 is a formula saved without its value), and the city
// would review a table the county never sent. The filing is not finished,
// so it counts for nothing even if the withdrawal fails. The error names
// every rejected row with its file (or file[sheet]), line, column and
// reason; the rows are also in import_rejects.
func refuseRejected(ctx context.Context, s store.Store, res Result, filing string) error {
	var rows []string
	for _, sr := range res.Sheets {
		for _, rj := range sr.Rejects {
			for _, e := range rj.Errors {
				rows = append(rows, fmt.Sprintf("%s:%d: %v", sr.Ref, rj.Line, e))
			}
		}
	}
	if err := WithdrawFiling(context.WithoutCancel(ctx), s, filing); err != nil {
		return errors.Join(fmt.Errorf("%w: %s", ErrRowsRejected, strings.Join(rows, "; ")), err)
	}
	return fmt.Errorf("%w: %d row(s) of %s cannot be read, so nothing of the table was filed and the unit's earlier filing for its date stands: a 附件2 is filed whole or not at all. Correct these rows and import the whole table again:\n  %s",
		ErrRowsRejected, res.Rejected, res.Path, strings.Join(rows, "\n  "))
}

// allShown refuses a 附件2 table whose sheet hides rows or columns that
// hold values. Excel and WPS neither show nor print them, so the table
// the unit checked, printed and sealed is not the one that would be
// filed: a hidden repeat of an institution would decide its grade (the
// later line is kept), a hidden row stand as the unit's report, a hidden
// 是 count. The import cannot tell a forgotten row from a deliberate
// one, so the person who can see both decides. It reads the whole sheet,
// which a 附件2 (a county's institutions) allows.
func allShown(t *table) error {
	if err := t.readAll(); err != nil {
		return err
	}
	h := t.rows.hiddenCells()
	if h.Empty() {
		return nil
	}
	return fmt.Errorf("%w: sheet %s has values in hidden %s; Excel and WPS neither show nor print hidden rows and columns, so the table as seen, printed and sealed is not all that the file holds. Nothing was filed: unhide them (select the whole sheet, right-click the row or column headings → 取消隐藏, or clear the filter) and check them, keep what belongs to the table and delete the rest, then import the file again",
		ErrHiddenCells, t.sheet, h)
}

// errChangedWhileRead means a 附件2's file changed while it was imported.
var errChangedWhileRead = errors.New("the file changed while it was being imported")

// recordTables records each table of a 附件2 file stored, with the unit,
// date and filing it was stored under: the filing is known by its tables,
// so one that lists no institution is a filing too. Each is recorded
// with what reconcile checks in the table itself (its 合计 line, its rows
// with a USCC: sheetCheck) and the digest of the file (digest, taken
// before the import read it): reconcile never reads the file again, which
// may since have been saved over. A file whose bytes changed between
// the import and the checks is refused: its rows and its checks would be
// of two tables.
func recordTables(ctx context.Context, s store.Store, res Result, digest string) error {
	type record struct {
		f      filed
		ref    string
		params store.Params
	}
	var records []record
	for _, sr := range res.Sheets {
		f, ok, err := filedAs(sr.values, sr.Ref)
		if err != nil {
			return fmt.Errorf("record the table: %w", err)
		}
		if !ok {
			continue
		}
		check, err := checkSheet(res.Path, sr.Sheet)
		checkError := ""
		if err != nil {
			checkError = err.Error()
		}
		if check.rows == nil {
			check.rows = []listedCode{}
		}
		rows, err := json.Marshal(check.rows)
		if err != nil {
			return fmt.Errorf("record the table %s: %w", sr.Ref, err)
		}
		records = append(records, record{f, sr.Ref, store.Params{
			"filing": f.filing, "unit": f.unit, "day": f.day, "ref": sr.Ref,
			"check_error": checkError, "path": res.Path, "digest": digest,
			"declared": uint32(check.declared), "declared_line": uint32(check.declaredLine), "rows": string(rows),
		}})
	}
	if len(records) == 0 {
		return nil
	}
	if now, err := FileDigest(res.Path); err != nil || now != digest {
		return fmt.Errorf("%s: %w (saved while it was read?); nothing of it was filed, and the unit's earlier filing stands: import it again", res.Path, errChangedWhileRead)
	}
	for _, r := range records {
		if err := s.Exec(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/record_submission_table"), r.params); err != nil {
			return fmt.Errorf("record the table %s of filing %s: %w", r.ref, r.f.filing, err)
		}
	}
	return nil
}

// filed is what the preamble gave a table (preambleFunc.columns, in
// their order): its unit, the date of its grades, its filing.
type filed struct {
	unit, filing string
	day          time.Time
}

// filedAs reads the values the preamble gave the table ref; ok is false
// for a table that has none (no table was stored from it).
func filedAs(values []string, ref string) (filed, bool, error) {
	if len(values) != 3 {
		return filed{}, false, nil
	}
	day, err := time.Parse(time.DateOnly, values[1])
	if err != nil {
		return filed{}, false, fmt.Errorf("the date of %s: %w", ref, err)
	}
	return filed{unit: values[0], day: day, filing: values[2]}, true, nil
}

// oneTable refuses the tables of one filing — the earlier files' tables
// and those of this file — unless they carry one unit and one date. A
// filing is one table sent as pages (docs/guide.md), and a unit's table
// for a date is its latest filing: a sheet of last year's draft left in
// the workbook, or a page whose 填报时间 was not updated, was filed under
// its own date and silently replaced that date's real filing. Which
// sheet is right the file does not say, so nothing is filed.
func oneTable(earlier []FiledTable, tables []preTable, froms map[string]string) error {
	all := append([]FiledTable{}, earlier...)
	for _, t := range tables {
		f, ok, err := filedAs(t.Values, t.Ref)
		if err != nil {
			return err
		}
		if ok {
			all = append(all, FiledTable{Ref: t.Ref, Unit: f.unit, Day: f.day, From: froms[t.Sheet]})
		}
	}
	units, days := map[string]bool{}, map[time.Time]bool{}
	for _, f := range all {
		units[f.Unit], days[f.Day] = true, true
	}
	if len(units) <= 1 && len(days) <= 1 {
		return nil
	}
	what, fix := "different dates", "correct the 填报时间 line of the one that is wrong (or give --as-of)"
	switch {
	case len(days) == 1:
		what, fix = "different units", "correct the 填报单位 line of the one that is wrong"
	case len(units) > 1:
		what, fix = "different units and dates", "correct the 填报单位 and 填报时间 lines of the ones that are wrong"
	}
	each := make([]string, len(all))
	for i, f := range all {
		each[i] = fmt.Sprintf("%s is %s %s's of %s (%s)", f.Ref, transform.CountyName(f.Unit), f.Unit, f.Day.Format(time.DateOnly), f.From)
	}
	return fmt.Errorf("%w: the sheets and files of one import summary command are the pages of one table, one unit's for one date, but these carry %s: %s. Nothing was filed, and the earlier filings stand: import each table by itself (a file alone, or a sheet of a workbook with --sheet NAME) if they are different tables, or, if they are pages of one table, %s",
		ErrMixedTables, what, strings.Join(each, "; "), fix)
}

// filedTables sets what each table of res was filed as, and which
// filing of its unit and date it replaces (the latest finished one other
// than filing): the import says so, since a table filed under a stale
// 填报时间 replaces that date's real filing.
func filedTables(ctx context.Context, s store.Store, res *Result, filing string, froms map[string]string) error {
	replaced := map[string]*EarlierFiling{}
	for i, sr := range res.Sheets {
		f, ok, err := filedAs(sr.values, sr.Ref)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		key := f.unit + " " + f.day.Format(time.DateOnly)
		earlier, seen := replaced[key]
		if !seen {
			if earlier, err = replacedFiling(ctx, s, f.unit, f.day, filing); err != nil {
				return err
			}
			replaced[key] = earlier
		}
		res.Sheets[i].Filed = &FiledTable{Ref: sr.Ref, Unit: f.unit, Day: f.day, From: froms[sr.Sheet], Replaces: earlier}
	}
	return nil
}

// replacedFiling returns the unit's latest finished filing for day other
// than filing, nil when there is none.
func replacedFiling(ctx context.Context, s store.Store, unit string, day time.Time, filing string) (*EarlierFiling, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/replaced_filing"),
		store.Params{"unit": unit, "day": day, "filing": filing})
	if err != nil {
		return nil, fmt.Errorf("read the filing %s %s had for %s: %w", transform.CountyName(unit), unit, day.Format(time.DateOnly), err)
	}
	defer rows.Close()
	var out *EarlierFiling
	for rows.Next() {
		var e EarlierFiling
		if err := rows.Scan(&e.Filing, &e.Refs, &e.At); err != nil {
			return nil, fmt.Errorf("read the filing %s had for %s: %w", unit, day.Format(time.DateOnly), err)
		}
		out = &e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the filing %s had for %s: %w", unit, day.Format(time.DateOnly), err)
	}
	return out, nil
}

// The forms a county sends the city beside its 附件2 (the notice's (十):
// 汇总表（附件2）和诚信机构典型名单, and 评价结果动态调整情况), and the public
// list, whose tables name 机构名称, 统一社会信用代码 and 信用等级 too: the
// words of their titles, as creditsync writes them (report typical,
// adjustments, public) and as the notice names them, each with the form's
// name.
var otherForms = []struct{ word, form string }{
	{"典型名单", "诚信机构典型名单"},
	{"动态调整", "评价结果动态调整情况"},
	{"公示名单", "信用等级公示名单"},
	{"承诺书", "附件1 诚信承诺书"},
	{"附件1", "附件1 诚信承诺书"},
}

// summaryWords name the 附件2 in a heading: its title (人力资源服务机构信用
// 等级评价汇总表, or a unit's own ending in 汇总表) or its label 附件2, as
// squeeze spells them (附件 2 is 附件2).
var summaryWords = []string{"汇总表", "附件2", "附件二"}

// notSummary says why a sheet's table is not a 附件2, "" when it is one:
// the heading above its table (the rows other than the 填报单位 and 填报时间
// lines) names another form, or, when the heading names neither, the
// sheet's name does. A heading that names the 附件2 decides; a table
// whose heading and sheet name no form is taken as the 附件2 (a county's
// own title, a CSV of its rows).
func notSummary(t *table) string {
	var heading []string
	for _, cells := range t.preamble {
		if labelled(cells, "填报单位", "填报时间", "填报日期") != "" {
			continue
		}
		if text := strings.Join(strings.Fields(strings.Join(cells, " ")), " "); text != "" {
			heading = append(heading, text)
		}
	}
	for _, c := range []struct{ text, what string }{
		{strings.Join(heading, " "), "its heading"},
		{t.sheet, "the sheet's name"},
	} {
		sq := squeeze(c.text)
		for _, w := range summaryWords {
			if strings.Contains(sq, w) {
				return ""
			}
		}
		for _, o := range otherForms {
			if strings.Contains(sq, o.word) {
				return fmt.Sprintf("not a 附件2: %s %q names the %s, a form sent beside it; import summary records only the 附件2 (人力资源服务机构信用等级评价汇总表)", c.what, c.text, o.form)
			}
		}
	}
	return ""
}

// filedBy returns the unit that filed the table: the one its 填报单位 line
// names, which --unit (given) may only repeat; else given; else the one
// its 评价单位 column names.
func filedBy(t *table, given string) (string, error) {
	named, line := "", ""
	for _, cells := range t.preamble {
		if text := labelled(cells, "填报单位"); text != "" {
			units := unitsIn(squeeze(text))
			if len(units) > 1 {
				var names []string
				for _, u := range units {
					names = append(names, fmt.Sprintf("%s %s", transform.CountyName(u), u))
				}
				return "", fmt.Errorf("%w: its 填报单位 line (%s) names %s: a table is filed by the one unit that signs it; name that unit alone", ErrSubmission, text, strings.Join(names, " and "))
			}
			if len(units) == 1 {
				named, line = units[0], text
				break
			}
		}
	}
	switch {
	case named != "" && given != "" && named != given:
		return "", fmt.Errorf("%w: its 填报单位 line names %s %s (%s), but --unit says %s %s; a table is filed by the unit that signs it: correct the 填报单位 line or leave out --unit",
			ErrSubmission, transform.CountyName(named), named, line, transform.CountyName(given), given)
	case named != "":
		return named, nil
	case given != "":
		return given, nil
	}
	if u := t.evaluator(); u != "" {
		return u, nil
	}
	return "", fmt.Errorf("%w: no 填报单位 line above the table names a county of Xuchang, nor does its 评价单位 column; give the unit with --unit CODE", ErrSubmission)
}

// filedOn returns the date of the table's grades, and where it was read:
// given (--as-of), else its 填报时间 line. Grades are given on a day that has come: a date after
// today in Xuchang is a typing error, and would make the table its unit's
// latest filing for years.
func filedOn(t *table, dates transform.SerialDates, given time.Time) (time.Time, string, error) {
	d, from, source := given, "--as-of", "--as-of"
	if d.IsZero() {
		text := ""
		for _, cells := range t.preamble {
			if text = labelled(cells, "填报时间", "填报日期"); text != "" {
				break
			}
		}
		if text == "" {
			return time.Time{}, "", fmt.Errorf("%w: no 填报时间 line above the table; give the date of its grades with --as-of YYYY-MM-DD", ErrSubmission)
		}
		var err error
		if d, err = filedDate(text); err != nil {
			// A date typed into its own cell of a workbook is a day
			// number formatted as a date (46234), as in the table's
			// date columns.
			serial, ok := dates.Parse(text)
			if !ok {
				return time.Time{}, "", fmt.Errorf("%w: 填报时间 %q: %v; give the date of its grades with --as-of YYYY-MM-DD", ErrSubmission, text, err)
			}
			d = serial
		}
		from = fmt.Sprintf("its 填报时间 (%s)", text)
		source = "填报时间 " + text
	}
	if today := zone.Day(time.Now()); d.After(today) {
		return time.Time{}, "", fmt.Errorf("%w: %s is %s, after today (%s in %s): grades are filed for a day that has come; correct the date",
			ErrSubmission, from, d.Format(time.DateOnly), today.Format(time.DateOnly), zone.Name)
	}
	return d, source, nil
}

// filedDate reads the date of a 填报时间 line: any date spelling of
// docs/data.md, and the ways a form's blank 年 月 日 is filled in by hand
// or in an official document — spaces around 年, 月 and 日 (2026 年 11 月
// 30 日, 2026年 11月 30日), 号 for 日, and the date in Chinese numerals
// (二〇二六年十一月三十日, 二0二六年…). Only here: a list's date columns
// hold the data contract's spellings.
func filedDate(text string) (time.Time, error) {
	d, _, err := transform.ParseDate(text)
	if err == nil {
		return d, nil
	}
	written := writtenDateSpaces.ReplaceAllString(transform.NormalizeText(text), "$1")
	if m := writtenDate.FindStringSubmatch(written); m != nil {
		y, mo, day := chineseDigits(m[1]), chineseNumber(m[2]), chineseNumber(m[3])
		if y != "" && mo != "" && day != "" {
			written = y + "年" + mo + "月" + day + "日" + m[4]
		}
	}
	d, _, werr := transform.ParseDate(written)
	if werr == nil {
		return d, nil
	}
	// What is wrong with the date as read (二〇二五年二月二十九日: 2025-02
	// has no day 29), unless it is no date of these spellings at all;
	// told with the text as written and the spellings this line takes.
	var de *transform.DateError
	if written != transform.NormalizeText(text) {
		errors.As(werr, &de)
	} else {
		errors.As(err, &de)
	}
	if de == nil {
		return time.Time{}, err
	}
	told := *de
	told.Text, told.Accepted = text, filedDateSpellings
	return time.Time{}, &told
}

// filedDateSpellings are the spellings filedDate reads, as its errors
// tell them.
const filedDateSpellings = "accepted: 2023-07-31, 2023/7/31, 2023.07.31, 20230731, 2023年7月31日, 2023 年 7 月 31 日, 2023年7月31号, 二〇二三年七月三十一日"

var (
	// writtenDateSpaces are the spaces around 年, 月, 日 (and 号, read as 日).
	writtenDateSpaces = regexp.MustCompile(`\s*([年月日号])\s*`)
	// writtenDate is a Chinese date of digits or Chinese numerals, spaces
	// taken out, 号 for 日, and whatever follows it (a time of day).
	writtenDate = regexp.MustCompile(`^([0-9〇零○Oo一二三四五六七八九]{4})年([0-9一二三四五六七八九十]{1,3})月([0-9一二三四五六七八九十]{1,3})[日号](.*)$`)
)

// chineseDigit are the digits a year is written with, one a digit:
// 二〇二六, 二0二六, 二零二六.
var chineseDigit = map[rune]rune{'〇': '0', '零': '0', '○': '0', 'O': '0', 'o': '0',
	'一': '1', '二': '2', '三': '3', '四': '4', '五': '5', '六': '6', '七': '7', '八': '8', '九': '9'}

// chineseDigits writes a year digit by digit in ASCII digits.
func chineseDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if d, ok := chineseDigit[r]; ok {
			r = d
		}
		b.WriteRune(r)
	}
	return b.String()
}

// chineseNumber writes a month or a day (1–31) in ASCII digits: 11, 十一,
// 三十, 二十一; "" for what is not one.
func chineseNumber(s string) string {
	if strings.Trim(s, "0123456789") == "" {
		return s
	}
	tens, units, ten := "", s, strings.Contains(s, "十")
	if ten {
		tens, units, _ = strings.Cut(s, "十")
	}
	digit := func(s string, empty int) (int, bool) {
		if s == "" {
			return empty, true
		}
		d, ok := chineseDigit[[]rune(s)[0]]
		if utf8.RuneCountInString(s) != 1 || !ok || d == '0' {
			return 0, false
		}
		return int(d - '0'), true
	}
	t, ok1 := digit(tens, 1)
	u, ok2 := digit(units, 0)
	if !ok1 || !ok2 || (!ten && u == 0) {
		return ""
	}
	if !ten {
		t = 0
	}
	return strconv.Itoa(10*t + u)
}

// unitsInstitutions refuses a table most of whose institutions, of those
// the register lists, belong to another unit: a table filed under the
// wrong 填报单位 (or --unit) would otherwise replace that unit's real
// filing. A unit may list a few institutions of other counties (moved,
// or licensed elsewhere; reconcile reports them), so the table is refused
// only when fewer than half of those the register knows are its own.
// Institutions the register does not list say nothing either way. It
// reads the whole sheet, which a 附件2 (a county's institutions) allows.
func unitsInstitutions(ctx context.Context, s store.Store, t *table, unit string) error {
	col := -1
	for i, h := range t.header {
		if t.list.HeaderKey(h) == "uscc" {
			col = i
		}
	}
	if col < 0 {
		return nil
	}
	if err := t.readAll(); err != nil {
		return err
	}
	type listed struct {
		line int
		uscc string
	}
	var rows []listed
	var codes []string
	for _, r := range t.pending {
		if blank(r.cells) || col >= len(r.cells) || t.classify(r.cells) != "" {
			continue
		}
		u := transform.NormalizeUSCC(r.cells[col])
		if u == "" {
			continue
		}
		rows = append(rows, listed{r.n, u})
		codes = append(codes, u)
	}
	if len(codes) == 0 {
		return nil
	}
	county, err := registerCounties(ctx, s, codes)
	if err != nil {
		return err
	}
	var known, own int
	var others []string
	for _, r := range rows {
		c, ok := county[r.uscc]
		if !ok {
			continue
		}
		known++
		if c == unit {
			own++
			continue
		}
		if len(others) < maxForeignShown {
			name := transform.CountyName(c)
			if name == "" {
				name = "outside Xuchang"
			}
			others = append(others, fmt.Sprintf("line %d %s is %s's (%s)", r.line, r.uscc, name, c))
		}
	}
	if known == 0 || 2*own >= known {
		return nil
	}
	more := ""
	if n := known - own - len(others); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Errorf("%w: it is filed as %s %s's, but %d of the %d institutions of the register it lists belong to other units (%s%s); a unit's table lists mostly its own institutions: check its 填报单位 line (or --unit), or whether this is another unit's table",
		ErrSubmission, transform.CountyName(unit), unit, known-own, known, strings.Join(others, "; "), more)
}

// maxForeignShown bounds the rows of other units a refusal names.
const maxForeignShown = 5

// registerCounties returns the county of each of codes the register lists.
func registerCounties(ctx context.Context, s store.Store, codes []string) (map[string]string, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/register_counties"), store.Params{"usccs": codes})
	if err != nil {
		return nil, fmt.Errorf("read the register's counties: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var u, c string
		if err := rows.Scan(&u, &c); err != nil {
			return nil, fmt.Errorf("read the register's counties: %w", err)
		}
		out[u] = transform.CurrentCountyCode(c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the register's counties: %w", err)
	}
	return out, nil
}

// readAll reads the rest of the sheet into the rows pending, to be read
// as records as usual after the checks that need the table whole.
func (t *table) readAll() error {
	for !t.eof {
		n, cells, err := t.rows.next()
		if errors.Is(err, io.EOF) {
			t.eof = true
			break
		}
		if err != nil {
			return err
		}
		t.pending = append(t.pending, row{n, cells})
	}
	return nil
}

// FinishFiling records a filing whose every file was read and stored:
// only such filings count (sql/queries/imports/submitted_filings.sql).
func FinishFiling(ctx context.Context, s store.Store, filing string) error {
	if err := s.Exec(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/finish_filing"), store.Params{"filing": filing}); err != nil {
		return fmt.Errorf("record filing %s as whole: %w", filing, err)
	}
	return nil
}

// WithdrawFiling removes the rows of a filing whose command failed after
// some of its files were stored: a filing is whole or not at all, as the
// unit's table it replaces.
func WithdrawFiling(ctx context.Context, s store.Store, filing string) error {
	for _, q := range []string{"imports/withdraw_filing", "imports/withdraw_filing_tables"} {
		if err := s.Exec(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, q), store.Params{"filing": filing}); err != nil {
			return fmt.Errorf("withdraw the files of filing %s stored before the one that failed: %w", filing, err)
		}
	}
	return nil
}

// NewFiling names a filing of a 附件2 made at t (contract.SubmissionFiling):
// UTC to the nanosecond, of fixed width, so that later sorts after.
func NewFiling(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func knownUnit(code string) error {
	if transform.CountyName(code) != "" {
		return nil
	}
	return fmt.Errorf("unit %q: want 411000 (市本级) or a county of Xuchang: %s", code, countyCodes())
}

func countyCodes() string {
	var out []string
	for _, c := range transform.XuchangCounties() {
		out = append(out, c.Code+" "+c.Name)
	}
	return strings.Join(out, ", ")
}

// labelled returns the text after the first of labels in a row, as it
// was typed: in the same cell (填报时间：2026年7月31日) or, when that cell
// holds only the label, in the next non-empty one. The labels are found
// in the cells squeezed (full-width forms folded, spaces left out: 填 报
// 时 间), the text is taken from the cell as written: squeezed, the
// space between a date and its time (2026-07-31 23:30) was lost, and
// messages quoted text nobody typed.
func labelled(cells []string, labels ...string) string {
	for i, c := range cells {
		s, at := squeezeAt(c)
		for _, l := range labels {
			from := strings.Index(s, l)
			if from < 0 {
				continue
			}
			from += len(l)
			rest := s[from:]
			// （盖章） after 填报单位, then the colon.
			if strings.HasPrefix(rest, "(") {
				if _, after, ok := strings.Cut(rest, ")"); ok {
					from += len(rest) - len(after)
				}
			}
			from += len(s[from:]) - len(strings.TrimLeft(s[from:], ":："))
			to := len(s)
			// Both labels in one cell: 填报单位：… 填报时间：…
			for _, other := range []string{"填报时间", "填报日期", "填报单位"} {
				if k := strings.Index(s[from:to], other); k > 0 {
					to = from + k
				}
			}
			if from < to {
				return strings.Join(strings.Fields(c[at[from]:at[to]]), " ")
			}
			for _, next := range cells[i+1:] {
				if n := squeeze(next); n != "" && n != s {
					return strings.Join(strings.Fields(next), " ")
				}
			}
		}
	}
	return ""
}

// squeezeAt is squeeze(c) with, for each of its bytes and its end, the
// offset in c of the character it comes from: each character is
// squeezed alone.
func squeezeAt(c string) (string, []int) {
	var b strings.Builder
	var at []int
	for i, r := range c {
		n := squeeze(string(r))
		b.WriteString(n)
		for range len(n) {
			at = append(at, i)
		}
	}
	return b.String(), append(at, len(c))
}

// unitIn returns the code of the unit a bureau's name names: a county of
// Xuchang (魏都区人力资源和社会保障局), else the city (许昌市人力资源和
// 社会保障局), or "" — "" too when it names two counties.
func unitIn(text string) string {
	if units := unitsIn(text); len(units) == 1 {
		return units[0]
	}
	return ""
}

// unitsIn returns the codes of the counties of Xuchang a text names, in
// code order; else the city's when it names the city; else none.
// (许昌市魏都区… names the county: the city's name is part of many.)
func unitsIn(text string) []string {
	if text == "" {
		return nil
	}
	var out []string
	for _, c := range transform.XuchangCounties() {
		if strings.Contains(text, c.Name) {
			out = append(out, c.Code)
		}
	}
	if len(out) == 0 && strings.Contains(text, transform.CountyName(transform.CityCode)) {
		out = append(out, transform.CityCode)
	}
	return out
}

// evaluator returns the unit named in the 评价单位 column of the first
// records read while looking for the header.
func (t *table) evaluator() string {
	fi := -1
	for i, h := range t.header {
		if t.list.HeaderKey(h) == "evaluator" {
			fi = i
		}
	}
	if fi < 0 {
		return ""
	}
	for _, r := range t.pending {
		if fi < len(r.cells) {
			if u := unitIn(r.cells[fi]); u != "" {
				return u
			}
		}
	}
	return ""
}
