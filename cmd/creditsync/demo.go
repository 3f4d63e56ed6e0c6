package main

import (
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
)

func (a *app) demoCmd() *cobra.Command {
	var seed int64
	var institutions int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on the bundled Xuchang sample in a fresh embedded store",
		Long: `demo shows creditsync end to end on a generated Xuchang sample (about 300
institutions over the six county-level units) in a fresh embedded store in
the data directory (default ./demo-data):

  1. imports the bureau's files (register, inspection records, annual
     reports), and shows how a file with bad rows is reported;
  2. syncs the four external lists from emulated sources on loopback (the
     publicity system's JSON API, Credit China's JSON and GBK list pages);
  3. records the annual evaluations of 2023 to 2026 (as of 31 July, 7 days
     of publicity, one objection a year reviewed, confirmation) and, between
     them, the nightly regrade at every month-end, upgrades on
     application, expiries and the exemplary institutions of 2026;
  4. runs the nightly job at today's date (sync, regrade, confirm, expire,
     reports) and prints what changed;
  5. prints the grade distribution per county and explains a few grades;
  6. writes the city overview, a county trend over the four years, its
     附件2, 诚信机构典型名单, 动态调整情况 and 附件1 letters, and the public
     list to DATA/out and prints their paths;
  7. records a county's 附件2 with one grade made more lenient and prints
     the city's reconciliation of it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("data") && os.Getenv("CREDITSYNC_DATA") == "" {
				a.dataDir = "demo-data"
			}
			a.dsn = ""
			return a.deps().Demo(cmd.Context(), a.stdout, demoNarrator{a}, a.where(), seed, institutions)
		},
	}
	cmd.Flags().Int64Var(&seed, "seed", 2023, "seed of the sample generator")
	cmd.Flags().IntVar(&institutions, "institutions", 300, "number of institutions in the sample")
	return cmd
}

// demoNarrator prints the demo's steps as the commands they stand for
// print them.
type demoNarrator struct{ a *app }

func (n demoNarrator) Imported(res file.Result, took time.Duration) {
	printImportResult(n.a, res, took)
}
func (n demoNarrator) Synced(results []listsync.Result)        { printSyncResults(n.a, results) }
func (n demoNarrator) Ran(rep jobs.Report)                     { printReport(n.a, rep) }
func (n demoNarrator) Explained(r grade.Result, day time.Time) { printExplanation(n.a.stdout, r, day) }
func (n demoNarrator) Table(rows [][]string)                   { printTable(n.a.stdout, rows) }
