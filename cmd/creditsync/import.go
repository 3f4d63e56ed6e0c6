package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// maxRejectLines bounds how many rejected records are printed one by one;
// all of them are stored in import_rejects.
const maxRejectLines = 200

func (a *app) importCmd() *cobra.Command {
	var allowFile string
	cmd := &cobra.Command{
		Use:   "import LIST FILE...",
		Short: "Import CSV or XLSX files into one of the seven lists",
		Long: `import loads CSV (UTF-8 or GBK/GB18030, detected) or XLSX (first sheet)
files into a list: institutions, inspections, annual_reports, penalties,
abnormal, dishonest or public_eval (or its Chinese title).

Headers may be English keys or Chinese names in any order. A record that
fails validation is reported with file, line, column and reason and stored
in import_rejects; the good records of the file still load, and the
command exits with status 3. Importing the same file again changes
nothing.`,
		Example: `  creditsync import institutions 机构名录.xlsx
  creditsync import inspections 2026-Q1.csv 2026-Q2.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError{fmt.Errorf("import needs a list name and at least one file; lists: %v", contract.Names())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := contract.Lookup(args[0])
			if err != nil {
				return usageError{err}
			}
			var allow transform.USCCAllowList
			if allowFile != "" {
				f, err := os.Open(allowFile)
				if err != nil {
					return fmt.Errorf("USCC allow-list: %w", err)
				}
				allow, err = transform.LoadUSCCAllowList(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("USCC allow-list %s: %w", allowFile, err)
				}
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			var rejected int64
			for _, path := range args[1:] {
				res, err := a.importOne(cmd, s, list, path, allow)
				if err != nil {
					return err
				}
				rejected += res.Rejected
			}
			if rejected > 0 {
				return rejectedError{fmt.Errorf("%d record(s) rejected; fix them and import the file again (good records are already loaded and will not be duplicated)", rejected)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&allowFile, "uscc-allow", os.Getenv("CREDITSYNC_USCC_ALLOWLIST"), "file of legacy USCCs accepted despite a failing check character (env CREDITSYNC_USCC_ALLOWLIST)")
	return cmd
}

func (a *app) importOne(cmd *cobra.Command, s store.Store, list *contract.List, path string, allow transform.USCCAllowList) (load.Result, error) {
	start := time.Now()
	opt := file.ImportOptions{AllowList: allow, Progress: a.progress("importing "+path, start)}
	res, err := file.Import(cmd.Context(), s, list, path, opt)
	a.finishProgress()
	if err != nil {
		return res, err
	}
	printImportResult(a, path, res, time.Since(start))
	return res, nil
}

func printImportResult(a *app, path string, res load.Result, took time.Duration) {
	w := a.stdout
	fmt.Fprintf(w, "%s → %s: %d read, %d new or changed, %d unchanged", path, res.List, res.Read, res.Loaded, res.Unchanged)
	if res.Duplicates > 0 {
		fmt.Fprintf(w, ", %d repeated keys (later line kept)", res.Duplicates)
	}
	fmt.Fprintf(w, ", %d rejected (%.1fs, batch %s)\n", res.Rejected, took.Seconds(), res.BatchID)
	if len(res.Extra) > 0 {
		fmt.Fprintf(w, "  columns kept as extra (not in the contract): %v\n", res.Extra)
	}
	printed := 0
	for _, rj := range res.Rejects {
		for _, e := range rj.Errors {
			if printed == maxRejectLines {
				fmt.Fprintf(w, "  … more rejected records: SELECT * FROM import_rejects WHERE batch_id = '%s'\n", res.BatchID)
			}
			if printed < maxRejectLines {
				fmt.Fprintf(w, "  %s:%d: %s\n", path, rj.Line, e.Error())
			}
			printed++
		}
	}
	for _, reason := range res.Reasons() {
		fmt.Fprintf(w, "  rejected for %s: %d\n", reason, res.ByReason[reason])
	}
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
			if total <= 0 {
				// Workbooks written by streaming tools often carry no
				// dimension: report rows read instead of a percentage.
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
