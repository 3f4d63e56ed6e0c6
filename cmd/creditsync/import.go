package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// maxRejectLines bounds how many rejected records are printed one by one;
// all of them are stored in import_rejects.
const maxRejectLines = 200

func (a *app) importCmd() *cobra.Command {
	var allowFile, sheet, unit, asOf, replaces string
	cmd := &cobra.Command{
		Use:   "import LIST|summary FILE... | import DIR | import LIST=FILE...",
		Short: "Import CSV or XLSX files into one of the seven lists, or the counties' 附件2",
		Long: `import loads CSV (UTF-8 or GBK/GB18030, detected), Excel's "Unicode
text" (tab-separated UTF-16) or XLSX files into a list: institutions,
inspections, annual_reports, penalties, abnormal, dishonest or
public_eval (or its Chinese title). A file that mixes encodings is
refused whole, naming where.

The table is found in each sheet: the header row is the first of the
first 20 rows that names the list's columns (English keys or Chinese
names, any order; a two-row header with a group cell over its columns is
read as one); the rows above it (a title, the unit and date) are ignored.
Rows under it that are not records — blank rows, 合计/总计, 注/说明 notes,
signature lines (填表人, 单位负责人, 联系电话, 填报时间) — are skipped and
counted. Every visible sheet of a workbook that holds a table of the
list is imported, each as its own batch (--sheet NAME picks one); other
sheets, and hidden ones (often last year's or a draft; name one with
--sheet to import it), are reported and skipped. Rows and columns a
sheet hides (by hand, by a filter) are read, and those that hold values
are named.

A record that fails validation is reported with file (file[sheet] in a
workbook of several sheets), line, column and reason and stored in
import_rejects; the good records of a list still load, and the command
exits with status 3 (a 附件2 with a rejected row is refused whole: below). Importing the same file again changes nothing. A key that
several records of a file hold with different values (lines of a CSV
file, sheets of a workbook) rejects each of them, naming the others and
the columns they differ in: the file does not say which holds. Records
of a key alike are stored once, and their lines printed.

A record is not removed because a later file lacks it (a file may hold
part of a register). To correct a file imported by mistake — a row that
should not be there, a key mistyped (a listing's date) — import the
corrected file with --replaces BATCH, the batch the wrong file's import
printed: the records whose current version that batch wrote and the
corrected file lacks are withdrawn, and printed — none while a line of
the corrected file is rejected (it may be a record the file keeps). A
file that holds none of the batch's records nor their institutions
(another county's file), or a sheet other than the one the batch was
read from, is refused and nothing changes. A batch that read nothing, the same file imported
again, is followed to the batch that wrote its records.

import DIR imports every CSV or XLSX file of a folder, each into the list
its header names (a file whose tables belong to no list, or to several,
is reported and left out, and the command then exits with status 1);
import LIST=FILE... names each file's list. Either way the files are
imported in one process, on one open store, registers first, each as its
own batch: all of a file or none of it.

import summary records the 附件2 tables the counties send the city (their
grades, with the unit read from the 填报单位 line, else --unit, else the
评价单位 column, and the date of the grades from --as-of, else the
填报时间 line, also written 2026 年 7 月 31 日, 2026年7月31号 or
二〇二六年七月三十一日); report reconcile compares them with creditsync's
grades. Only 附件2 sheets are read: a sheet sent beside it whose title
(else its sheet's name) names another form — 诚信机构典型名单, 动态调整情况,
公示名单 — is left out and named. A table that lists no institution is a
filing of none (the empty 附件2 of a unit without institutions).
是否选树为诚信机构典型 is read as 是 or 否 (√, 1, Y, 是的 …; ×, 0, N, / …);
another value rejects its row.
A USCC a table lists twice is not rejected: the later line is kept, and
the import names the lines, whether they differ and in which columns
(reconcile reports a repeat with different grades as a problem of the
form). A table is refused whole, nothing of it stored and the unit's
earlier filing left standing, when any of its rows is rejected (a grade
优, a formula saved without its value: a county's table is filed whole or
not at all; the refusal names every such row with file, or file[sheet],
line, column and reason), when --unit names another
unit than its 填报单位 line, when fewer than half of its institutions
that the register lists belong to its unit (the refusal names the
lines of the others), when its date is after today, or when its sheet
has values in hidden rows or columns (Excel and WPS neither show nor
print them; the refusal names them: unhide and check them, or delete
them).

Each import summary command is one filing: one table, one unit's for
one date, whose pages are the command's files and sheets (a table sent a
page a file). Sheets or files that carry different units or dates are
refused, nothing of them filed, naming each with its unit and date:
import each table by itself (a sheet with --sheet NAME), or correct the
填报时间 (填报单位) line that is wrong. A unit's table for a date is its
latest filing, so a table imported later for the same unit and date
replaces the earlier one whole (a correction needs no flag). For each
table the import prints the unit and date it was filed under, where the
date was read, and the filing it replaces (its files and when it was
filed); if that was another file and this table is no correction of it
(a 填报时间 left at last year's), import the earlier file again.
`,
		Example: `  creditsync import institutions 机构名录.xlsx
  creditsync import inspections 2026-Q1.csv 2026-Q2.csv
  creditsync import institutions --sheet 禹州市 各县名册.xlsx
  creditsync import summary 附件2-禹州市.xlsx
  creditsync import 2026-07-received/
  creditsync import institutions=机构名录.xlsx penalties=处罚.csv
  creditsync import abnormal 异常名录-更正.csv --replaces 20260801T093000_1a2b3c4d`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
					return nil
				}
			}
			if len(args) >= 1 && strings.Contains(args[0], "=") {
				return nil
			}
			if len(args) < 2 {
				return usageError{fmt.Errorf("import needs a list name (or summary) and at least one file, a folder, or LIST=FILE arguments; lists: %v", contract.Names())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if plan, unrecognised, ok, err := importPlan(args); ok {
				if err != nil {
					return err
				}
				if sheet != "" || unit != "" || asOf != "" || replaces != "" {
					return usageError{fmt.Errorf("--sheet, --unit, --as-of and --replaces are for import LIST FILE...")}
				}
				return a.importPlanned(cmd, plan, unrecognised, allowFile)
			}
			summary := args[0] == "summary" || args[0] == "附件2"
			list := contract.Submissions()
			if !summary {
				l, err := contract.Lookup(args[0])
				if err != nil {
					return usageError{fmt.Errorf("%w, or summary for a county's 附件2", err)}
				}
				list = l
				if unit != "" || asOf != "" {
					return usageError{fmt.Errorf("--unit and --as-of are for import summary")}
				}
			}
			if replaces != "" && (summary || len(args) != 2) {
				return usageError{fmt.Errorf("--replaces is for one corrected file of a list: import LIST FILE --replaces BATCH (a 附件2 filing replaces the unit's earlier one by itself)")}
			}
			var day time.Time
			if asOf != "" {
				d, _, err := transform.ParseDate(asOf)
				if err != nil {
					return usageError{fmt.Errorf("--as-of: %w", err)}
				}
				day = d
			}
			allow, err := loadAllowList(allowFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "import "+args[0])
			if err != nil {
				return err
			}
			defer s.Close()
			var rejected int64
			// The files of one command are one filing of 附件2: a county's
			// table sent as several files (a page each) is read whole;
			// the next command's filing replaces it.
			filing := file.NewFiling(time.Now())
			// The tables the filing's files stored so far: a later file
			// of another unit or date is refused (file.ErrMixedTables).
			var filed []file.FiledTable
			flush := func() {}
			if summary && len(args) > 2 {
				// What each file was filed as is printed once the filing
				// is whole: a file refused withdraws those stored before
				// it, which were then said to be filed.
				out := a.stdout
				var pages bytes.Buffer
				a.stdout = &pages
				defer func() { a.stdout = out }()
				flush = func() { _, _ = out.Write(pages.Bytes()) }
			}
			var failed []string
			for _, path := range args[1:] {
				opt := file.ImportOptions{AllowList: allow, Sheet: sheet, Replaces: replaces}
				var res file.Result
				if summary {
					res, err = a.importSummary(cmd, s, path, file.SummaryOptions{ImportOptions: opt, Unit: unit, AsOf: day, Filing: filing, Earlier: filed})
					for _, sr := range res.Sheets {
						if err == nil && sr.Filed != nil {
							filed = append(filed, *sr.Filed)
						}
					}
				} else {
					res, err = a.importOne(cmd, s, list, path, opt)
				}
				if err != nil {
					if summary && path != args[1] {
						// A filing is whole or not at all: the files of
						// this command stored before are withdrawn.
						if werr := file.WithdrawFiling(context.WithoutCancel(cmd.Context()), s, filing); werr != nil {
							return errors.Join(err, werr)
						}
						return fmt.Errorf("%w; the files of this filing stored before it were withdrawn: a filing is the whole table, so the unit's earlier filing stands (import them again with this one corrected)", err)
					}
					if summary || cmd.Context().Err() != nil || len(args) == 2 {
						return err
					}
					// Each file of a list is its own batch, as in import
					// DIR: one that fails leaves the others to import,
					// and is named at the end.
					fmt.Fprintf(a.stderr, "failed: %v\n", err)
					failed = append(failed, path)
					continue
				}
				rejected += res.Rejected
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d file(s) failed and loaded nothing: %s; the other files were imported (fix them as said above and import them again)", len(failed), strings.Join(failed, ", "))
			}
			if summary {
				// Every file stored: the filing counts from now on.
				if err := file.FinishFiling(context.WithoutCancel(ctx), s, filing); err != nil {
					return err
				}
				// (A table with a rejected row is refused whole:
				// file.ErrRowsRejected.)
				flush()
			}
			if rejected > 0 {
				return rejectedError{fmt.Errorf("%d record(s) rejected; fix them and import the file again (good records are already loaded and will not be duplicated)", rejected)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&unit, "unit", "", "import summary: the unit that filed the 附件2, a county code or 411000, for a table whose 填报单位 line names none (a table whose line names another unit is refused)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "import summary: the date of the 附件2's grades, not after today (default: its 填报时间)")
	cmd.Flags().StringVar(&replaces, "replaces", "", "import LIST FILE: the batch the file corrects (as its import printed it); what that batch wrote and the file lacks is withdrawn")
	cmd.Flags().StringVar(&sheet, "sheet", "", "import only the workbook's sheet of this name (default: every sheet that holds a table of the list)")
	cmd.Flags().StringVar(&allowFile, "uscc-allow", os.Getenv("CREDITSYNC_USCC_ALLOWLIST"), "file of legacy USCCs accepted despite a failing check character (env CREDITSYNC_USCC_ALLOWLIST)")
	return cmd
}

// plannedFile is one file of import DIR or LIST=FILE, with its list.
type plannedFile struct {
	list *contract.List
	path string
	mod  time.Time // the file's modification time, for files of one list
}

// importPlan reads the arguments of import DIR and import LIST=FILE...;
// ok is false for import LIST FILE.... Files are ordered by their list's
// place in the contract (registers first), then by name; unrecognised
// holds the files of a folder that belong to no list, with the reason.
func importPlan(args []string) (plan []plannedFile, unrecognised []error, ok bool, err error) {
	switch {
	case len(args) == 1 && isDir(args[0]):
		entries, err := os.ReadDir(args[0])
		if err != nil {
			return nil, nil, true, fmt.Errorf("import %s: %w", args[0], err)
		}
		for _, e := range entries {
			if e.IsDir() || !importable[strings.ToLower(filepath.Ext(e.Name()))] || strings.HasPrefix(e.Name(), "~$") {
				continue
			}
			path := filepath.Join(args[0], e.Name())
			list, err := file.Recognize(path)
			if err != nil {
				unrecognised = append(unrecognised, err)
				continue
			}
			var mod time.Time
			if info, err := e.Info(); err == nil {
				mod = info.ModTime()
			}
			plan = append(plan, plannedFile{list, path, mod})
		}
		if len(plan) == 0 && len(unrecognised) == 0 {
			return nil, nil, true, usageError{fmt.Errorf("import %s: the folder holds no .csv or .xlsx file", args[0])}
		}
	case strings.Contains(args[0], "="):
		for _, arg := range args {
			name, path, found := strings.Cut(arg, "=")
			if !found {
				return nil, nil, true, usageError{fmt.Errorf("import LIST=FILE...: %q has no =", arg)}
			}
			list, err := contract.Lookup(name)
			if err != nil {
				return nil, nil, true, usageError{fmt.Errorf("import %s: %w", arg, err)}
			}
			plan = append(plan, plannedFile{list: list, path: path})
		}
	default:
		return nil, nil, false, nil
	}
	order := map[string]int{}
	for i, l := range contract.Lists() {
		order[l.Name] = i
	}
	// Registers first; the files of one list of a folder oldest first, so
	// that where two hold the same record the newer file's stands (a
	// name's sort order says nothing of which is newer: 机构名录(更新).csv
	// sorts before 机构名录.csv). LIST=FILE arguments keep their order.
	slices.SortStableFunc(plan, func(x, y plannedFile) int {
		if c := order[x.list.Name] - order[y.list.Name]; c != 0 {
			return c
		}
		return x.mod.Compare(y.mod)
	})
	plan, tied := withoutTies(plan)
	return plan, append(unrecognised, tied...), true, nil
}

// errSameTime marks files of a folder whose order cannot be told.
var errSameTime = errors.New("same modification time")

// withoutTies takes out of a folder's plan the files of one list that
// share their modification time (files unpacked or copied together):
// which is newer, so whose records stand where both hold one, cannot be
// told, and their names say nothing of it. Each is named, as left out.
func withoutTies(plan []plannedFile) (kept []plannedFile, tied []error) {
	for i := 0; i < len(plan); {
		j := i + 1
		for j < len(plan) && plan[j].list == plan[i].list && !plan[i].mod.IsZero() && plan[j].mod.Equal(plan[i].mod) {
			j++
		}
		if j-i == 1 {
			kept = append(kept, plan[i])
			i = j
			continue
		}
		var paths []string
		for _, p := range plan[i:j] {
			paths = append(paths, p.path)
		}
		for _, p := range plan[i:j] {
			tied = append(tied, fmt.Errorf("%s: %w as %s, another file of list %s (%s): which is newer, and so whose records stand where both hold one, cannot be told; import them one at a time, the older first (creditsync import %s FILE)",
				p.path, errSameTime, strings.Join(slices.DeleteFunc(slices.Clone(paths), func(q string) bool { return q == p.path }), ", "), p.list.Name, p.mod.Format("2006-01-02 15:04:05.000000000"), p.list.Name))
		}
		i = j
	}
	return kept, tied
}

// loadAllowList reads the file of legacy USCCs accepted despite a failing
// check character; none when path is "".
func loadAllowList(path string) (transform.USCCAllowList, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("USCC allow-list: %w", err)
	}
	defer f.Close()
	allow, err := transform.LoadUSCCAllowList(f)
	if err != nil {
		return nil, fmt.Errorf("USCC allow-list %s: %w", path, err)
	}
	return allow, nil
}

// importable are the extensions import DIR reads.
var importable = map[string]bool{".csv": true, ".tsv": true, ".txt": true, ".xlsx": true, ".xlsm": true, ".xls": true}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// importPlanned imports the files of a plan in one process, on one open
// store, each file its own batch.
func (a *app) importPlanned(cmd *cobra.Command, plan []plannedFile, unrecognised []error, allowFile string) error {
	allow, err := loadAllowList(allowFile)
	if err != nil {
		return err
	}
	for _, err := range unrecognised {
		fmt.Fprintf(a.stderr, "left out: %v\n", err)
	}
	var rejected int64
	var failed []string
	if len(plan) > 0 {
		s, err := a.openWriting(cmd.Context(), "import")
		if err != nil {
			return err
		}
		defer s.Close()
		for i, p := range plan {
			if i > 0 && plan[i-1].list == p.list && !p.mod.IsZero() {
				fmt.Fprintf(a.stderr, "%s: another file of list %s, imported after the older %s: a record in both stands as this one has it\n", p.path, p.list.Name, plan[i-1].path)
			}
			res, err := a.importOne(cmd, s, p.list, p.path, file.ImportOptions{AllowList: allow})
			if err != nil {
				if cmd.Context().Err() != nil || len(plan) == 1 {
					return err
				}
				// Each file is its own batch: one that fails leaves the
				// others to import, and is named at the end.
				fmt.Fprintf(a.stderr, "failed: %v\n", err)
				failed = append(failed, p.path)
				continue
			}
			rejected += res.Rejected
		}
	}
	var problems []string
	if len(failed) > 0 {
		problems = append(problems, fmt.Sprintf("%d file(s) failed and loaded nothing: %s; the other files were imported (fix them as said above and import them again)", len(failed), strings.Join(failed, ", ")))
	}
	if len(unrecognised) > 0 {
		unreadable, tied := 0, 0
		for _, err := range unrecognised {
			switch {
			case errors.Is(err, errSameTime):
				tied++
			case !errors.Is(err, file.ErrUnrecognized):
				unreadable++
			}
		}
		var why []string
		if n := len(unrecognised) - unreadable - tied; n > 0 {
			why = append(why, fmt.Sprintf("%d whose tables belong to no list, or to several (import them with LIST=FILE)", n))
		}
		if tied > 0 {
			why = append(why, fmt.Sprintf("%d of one list changed at the same moment as another, so which is newer cannot be told (import them one at a time, the older first)", tied))
		}
		if unreadable > 0 {
			why = append(why, fmt.Sprintf("%d that could not be read (fix them as said above and import them again)", unreadable))
		}
		problems = append(problems, fmt.Sprintf("%d file(s) left out: %s", len(unrecognised), strings.Join(why, "; ")))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	if rejected > 0 {
		return rejectedError{fmt.Errorf("%d record(s) rejected; fix them and import the file again (good records are already loaded and will not be duplicated)", rejected)}
	}
	return nil
}

func (a *app) importOne(cmd *cobra.Command, s store.Store, list *contract.List, path string, opt file.ImportOptions) (file.Result, error) {
	start := time.Now()
	opt.Progress = a.progress("importing "+path, start)
	res, err := file.Import(cmd.Context(), s, list, path, opt)
	a.finishProgress()
	if err != nil {
		return res, err
	}
	printImportResult(a, res, time.Since(start))
	// The import is done; naming its repeated keys reads the file again.
	reps, err := file.Repeats(cmd.Context(), list, res, opt)
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: imported, but its repeated keys could not be named: %v\n", path, err)
	}
	printRepeats(a.stdout, reps)
	return res, nil
}

// printRepeats names the keys several records of a file hold: one record
// of each is stored. (Records of a key that differ are rejected, each
// naming the others, except in a 附件2: file.KeepsLater.)
func printRepeats(w io.Writer, reps []file.Repeat) {
	for i, r := range reps {
		if i == maxRejectLines {
			fmt.Fprintf(w, "  … and %d more repeated keys\n", len(reps)-i)
			break
		}
		fmt.Fprintf(w, "  repeated key: %s\n", r)
	}
}

// importSummary records a county's 附件2 (see file.ImportSummary).
func (a *app) importSummary(cmd *cobra.Command, s store.Store, path string, opt file.SummaryOptions) (file.Result, error) {
	start := time.Now()
	opt.Progress = a.progress("importing "+path, start)
	res, err := file.ImportSummary(cmd.Context(), s, path, opt)
	a.finishProgress()
	if err != nil {
		return res, err
	}
	printImportResult(a, res, time.Since(start))
	if res.Read == 0 && res.Rejected == 0 {
		fmt.Fprintf(a.stdout, "%s: lists no institution: recorded as a 附件2 filed empty (reconcile lists the institutions creditsync grades in the unit as left out)\n", res.Path)
	}
	reps, err := file.Repeats(cmd.Context(), contract.Submissions(), res, opt.ImportOptions)
	if err != nil {
		fmt.Fprintf(a.stderr, "%s: imported, but its repeated keys could not be named: %v\n", path, err)
	}
	printRepeats(a.stdout, reps)
	return res, nil
}

// printImportResult writes one summary line per sheet imported, then what
// was skipped and rejected in it, with file (or file[sheet]) and line.
func printImportResult(a *app, res file.Result, took time.Duration) {
	w := a.stdout
	for _, sr := range res.Sheets {
		for _, st := range sr.Steps {
			a.log.Debug("import step", "sheet", sr.Ref, "step", st.Name, "took", st.Duration.Round(time.Millisecond))
		}
		fmt.Fprintf(w, "%s → %s: %d read, %d new or changed, %d unchanged", sr.Ref, sr.List, sr.Read, sr.Loaded, sr.Unchanged)
		if sr.Duplicates > 0 {
			kept := "alike: one kept"
			if sr.KeepsLater {
				kept = "the later line kept, named below"
			}
			fmt.Fprintf(w, ", %d repeated keys (%s)", sr.Duplicates, kept)
		}
		fmt.Fprintf(w, ", %d rejected", sr.Rejected)
		if n := sr.SkippedTotal(); n > 0 {
			fmt.Fprintf(w, ", %d skipped", n)
		}
		if sr.Repeats != "" {
			fmt.Fprintf(w, "; the same file as batch %s, the last written to %s, so nothing was read again", sr.Repeats, sr.List)
		}
		if len(res.Sheets) == 1 {
			fmt.Fprintf(w, " (%.1fs, batch %s)\n", took.Seconds(), sr.BatchID)
		} else {
			fmt.Fprintf(w, " (batch %s)\n", sr.BatchID)
		}
		printSheetDetails(w, sr)
	}
	for _, o := range res.Others {
		fmt.Fprintf(w, "%s[%s]: skipped, %s\n", res.Path, o.Sheet, o.Reason)
	}
	if len(res.Sheets) > 1 {
		fmt.Fprintf(w, "%s: %d sheets, %d read, %d new or changed, %d unchanged, %d rejected, %d skipped (%.1fs)\n",
			res.Path, len(res.Sheets), res.Read, res.Loaded, res.Unchanged, res.Rejected, res.Skipped, took.Seconds())
	}
}

func printSheetDetails(w io.Writer, sr file.SheetResult) {
	printFiled(w, sr)
	if sr.HeaderFirst > 1 || sr.HeaderLast > sr.HeaderFirst {
		where := fmt.Sprintf("row %d", sr.HeaderFirst)
		if sr.HeaderLast > sr.HeaderFirst {
			where = fmt.Sprintf("rows %d–%d", sr.HeaderFirst, sr.HeaderLast)
		}
		fmt.Fprintf(w, "  header found on %s", where)
		if sr.Above > 0 {
			fmt.Fprintf(w, " (%d row(s) above it ignored)", sr.Above)
		}
		fmt.Fprintln(w)
	}
	if len(sr.Extra) > 0 {
		fmt.Fprintf(w, "  columns kept as extra (not in the contract): %v\n", sr.Extra)
	}
	for _, q := range misnamed(sr) {
		fmt.Fprintf(w, "  %s\n", q)
	}
	if sr.Replaced != "" {
		fmt.Fprintf(w, "  the batch named after --replaces read nothing (the same file as batch %s, imported again): batch %s, which wrote its records, is the one replaced\n", sr.Replaced, sr.Replaced)
	}
	if sr.WithdrawalHeld {
		fmt.Fprintf(w, "  nothing withdrawn: %d line(s) of the file were rejected, and a rejected line may be a record the file keeps; correct them and import the file again with the same --replaces\n", sr.Rejected)
	}
	if len(sr.Withdrawn) > 0 {
		shown := sr.Withdrawn
		if len(shown) > 20 {
			shown = shown[:20]
		}
		fmt.Fprintf(w, "  withdrawn, written by the batch this file replaces and not in it: %d record(s): %s", len(sr.Withdrawn), strings.Join(shown, "; "))
		if len(shown) < len(sr.Withdrawn) {
			fmt.Fprintf(w, "; and %d more", len(sr.Withdrawn)-len(shown))
		}
		fmt.Fprintln(w)
	}
	if ahead := sr.DatedAhead; ahead.Rows > 0 {
		fmt.Fprintf(w, "  warning: %d row(s) dated after today, stored as written — a year mistyped? (%s", ahead.Rows, strings.Join(ahead.First, "; "))
		if int64(len(ahead.First)) < ahead.Rows {
			fmt.Fprint(w, "; …")
		}
		fmt.Fprintln(w, ")")
	}
	if !sr.Hidden.Empty() {
		// Read, since the records are in the file, but never without a
		// word: the person sees and prints the sheet without them.
		fmt.Fprintf(w, "  read although hidden in the sheet: the values in hidden %s (Excel and WPS neither show nor print hidden rows and columns; a filter hides rows): check them, and if they do not belong to %s, delete them and import the file again with --replaces %s\n", sr.Hidden, sr.List, sr.BatchID)
	}
	if len(sr.Kept) > 0 {
		fmt.Fprintf(w, "  not in the file, so records already stored keep their values there (new ones take the defaults): %s\n", listColumnNames(sr.List, sr.Kept))
	}
	if kinds := sr.SkipKinds(); len(kinds) > 0 {
		parts := make([]string, len(kinds))
		for i, k := range kinds {
			parts[i] = fmt.Sprintf("%d %s", sr.Skipped[k], k)
		}
		fmt.Fprintf(w, "  skipped, not records: %s\n", strings.Join(parts, ", "))
	}
	for _, sk := range sr.SkippedRows {
		fmt.Fprintf(w, "  %s:%d: skipped: %s\n", sr.Ref, sk.Line, sk.Reason)
	}
	printed := 0
	for _, rj := range sr.Rejects {
		for _, e := range rj.Errors {
			if printed == maxRejectLines {
				fmt.Fprintf(w, "  … more rejected records: SELECT * FROM import_rejects WHERE batch_id = '%s'\n", sr.BatchID)
			}
			if printed < maxRejectLines {
				fmt.Fprintf(w, "  %s:%d: %s\n", sr.Ref, rj.Line, e.Error())
			}
			printed++
		}
	}
	for _, reason := range sr.Reasons() {
		fmt.Fprintf(w, "  rejected for %s: %d\n", reason, sr.ByReason[reason])
	}
}

// printFiled says what a 附件2 table was filed as — its unit and date,
// which its rows were stored under — and the filing of that unit and
// date it replaces: a later filing replaces the earlier table whole,
// and a table whose 填报时间 was not updated replaced another date's real
// filing without a word.
func printFiled(w io.Writer, sr file.SheetResult) {
	f := sr.Filed
	if f == nil {
		return
	}
	unit := transform.CountyName(f.Unit) + " " + f.Unit
	day := f.Day.Format(time.DateOnly)
	fmt.Fprintf(w, "  filed as %s's 附件2 of %s (the date from %s): %d institution(s)\n", unit, day, f.From, sr.Loaded+sr.Unchanged)
	e := f.Replaces
	if e == nil {
		fmt.Fprintf(w, "  %s had no 附件2 of %s before\n", unit, day)
		return
	}
	fmt.Fprintf(w, "  it replaces %s's 附件2 of %s filed %s from %s", unit, day, e.At, strings.Join(e.Refs, ", "))
	this := sr.Ref
	if sr.Sheet != "" {
		this = strings.TrimSuffix(this, "["+sr.Sheet+"]")
	}
	if !slices.ContainsFunc(e.Refs, func(ref string) bool { return ref == this || strings.HasPrefix(ref, this+"[") }) {
		// Another file: a correction, or a table filed under the wrong
		// date or unit. Only the person can tell; say how to undo it.
		fmt.Fprintf(w, " (another file: if this table is not a correction of it, check its 填报时间 and 填报单位, and import the earlier one again to make it count again)")
	}
	fmt.Fprintln(w)
}

// progress returns a callback that draws a bar on a terminal, or logs a
// line every few seconds otherwise (cron, CI, pipes).
func (a *app) progress(what string, start time.Time) func(done, total int64) {
	if isTerminal(a.stderr) {
		var bar *progressbar.ProgressBar
		return func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription(what),
					progressbar.OptionShowBytes(true), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
				a.bar = bar
			}
			_ = bar.Set64(done)
		}
	}
	last := start
	return func(done, total int64) {
		if now := time.Now(); now.Sub(last) >= 5*time.Second {
			last = now
			if total <= 0 || done > total {
				// Workbooks written by streaming tools often carry no
				// dimension, and tools that append rows leave the one
				// they found (A1:I58 over a million rows): report rows
				// read instead of a percentage.
				a.log.Info(what, "read", done, "elapsed", now.Sub(start).Round(time.Second))
				return
			}
			a.log.Info(what, "progress_pct", fmt.Sprintf("%.0f", 100*float64(done)/float64(total)), "elapsed", now.Sub(start).Round(time.Second))
		}
	}
}

func (a *app) finishProgress() {
	if a.bar != nil {
		_ = a.bar.Finish()
		a.bar = nil
	}
}

// listColumnNames names a list's columns as the bureau's files head them,
// with the contract key beside: 承诺书签订日期 (commitment_signed_on).
// misnamed asks about each extra column that resembles a column of the
// list the file lacks (contract.List.Resembles): an unknown column never
// fails an import, so a misspelt header (承诺书签定日期) would keep the
// column's values out of the records without a word. The load names
// the columns the file lacks, apart from the key, when records were
// stored before (a first load keeps none); for a column it cannot say
// of, the question is asked without its answer. A required column is
// in the file, or nothing would have been imported.
func misnamed(sr file.SheetResult) []string {
	l, err := contract.Lookup(sr.List)
	if err != nil {
		return nil
	}
	var out []string
	for _, h := range sr.Extra {
		c, ok := l.Resembles(h)
		if !ok || c.Required {
			continue
		}
		q := fmt.Sprintf("column %s is kept as extra: did you mean %s (%s)?", h, c.Chinese, c.Key)
		switch {
		case slices.Contains(sr.Kept, c.Key):
			out = append(out, q+" The file has no such column, so stored values were kept")
		case len(sr.Kept) == 0 || slices.Contains(l.Key, c.Key):
			out = append(out, q)
		}
	}
	return out
}

func listColumnNames(list string, keys []string) string {
	l, err := contract.Lookup(list)
	if err != nil {
		return strings.Join(keys, ", ")
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		if c, ok := l.Column(k); ok && c.Chinese != "" {
			names = append(names, c.Chinese+" ("+k+")")
			continue
		}
		names = append(names, k)
	}
	return strings.Join(names, ", ")
}
