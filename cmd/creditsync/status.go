package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/lease"
	"github.com/xuchang-hrss/creditsync/zone"
)

// statusSections are the parts of status, in the order they print.
var statusSections = []string{"sources", "jobs", "lists", "grades", "waiting"}

func (a *app) statusCmd() *cobra.Command {
	var out outputFlags
	var only string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the last run of every job and step, and the state of the data",
		Long: `status shows, for operators: each external source's last success and
staleness (sources); the last run of each job with each step's status,
duration, counts and error (jobs); how many records each list holds with
the time of its last load (lists); the grades in effect per county
(grades); and what waits on people — open objections and publicity
periods ending within a week (waiting).

--section NAME prints one of them. In a table long values are cut to one
line; csv (one section: --section is required) and json (one object per
line, its first key "section") hold them whole. Times are Xuchang's
(Asia/Shanghai, CST), whatever the host's zone.`,
		Example: `  creditsync status
  creditsync status --section jobs --format csv
  creditsync status --format json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := out.get()
			if err != nil {
				return err
			}
			sections := statusSections
			if only != "" {
				if !slices.Contains(statusSections, only) {
					return usageError{fmt.Errorf("--section must be one of %s, not %q", strings.Join(statusSections, ", "), only)}
				}
				sections = []string{only}
			}
			if format == "csv" && len(sections) > 1 {
				return usageError{fmt.Errorf("--format csv prints one section: add --section (%s)", strings.Join(statusSections, ", "))}
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			for i, sec := range sections {
				if format == "table" {
					if i > 0 {
						fmt.Fprintln(a.stdout)
					}
					fmt.Fprintln(a.stdout, statusTitles[sec]+":")
				}
				w := sectionWriter{w: a.stdout, format: format, section: sec, tagged: format == "json"}
				if err := a.printStatusSection(ctx, s, sec, w); err != nil {
					return fmt.Errorf("status %s: %w", sec, err)
				}
			}
			return nil
		},
	}
	out.register(cmd, false)
	cmd.Flags().StringVar(&only, "section", "", "print one section: "+strings.Join(statusSections, ", "))
	return cmd
}

var statusTitles = map[string]string{
	"sources": "External sources",
	"jobs":    "Last run of each job",
	"lists":   "Lists",
	"grades":  "Grades in effect today by county",
	"waiting": "Open objections and publicity ending within 7 days",
}

// sectionWriter opens the record writer of one status section; in JSON
// every record starts with the section's name, so the sections can share
// one stream.
type sectionWriter struct {
	w       io.Writer
	format  string
	section string
	tagged  bool
}

func (sw sectionWriter) open(cols ...string) (*sectionRecords, error) {
	if sw.tagged {
		cols = append([]string{"section"}, cols...)
	}
	rw, err := newRecordWriter(sw.w, sw.format, cols...)
	if err != nil {
		return nil, err
	}
	return &sectionRecords{rw: rw, sw: sw}, nil
}

type sectionRecords struct {
	rw *recordWriter
	sw sectionWriter
}

func (r *sectionRecords) Write(vals ...any) error {
	if r.sw.tagged {
		vals = append([]any{r.sw.section}, vals...)
	}
	return r.rw.Write(vals...)
}

func (r *sectionRecords) Close() error { return r.rw.Close() }

func (a *app) printStatusSection(ctx context.Context, s store.Store, section string, w sectionWriter) error {
	t := sql.Target{Cluster: s.Cluster()}
	today := grade.Today(time.Now())
	queries := map[string]struct {
		name   string
		params store.Params
	}{
		"jobs":    {"jobs/last_runs", nil},
		"lists":   {"report/list_freshness", nil},
		"grades":  {"report/status_grades", store.Params{"day": today}},
		"waiting": {"report/status_lifecycle", store.Params{"day": today, "days": uint16(7)}},
	}
	if section == "sources" {
		return a.printSourceStatus(ctx, s, w)
	}
	q := queries[section]
	if section == "jobs" {
		// Runs recorded running with no process holding the jobs lease
		// are a dead one's: shown died, not running until the next run.
		holder, err := lease.Holder(ctx, s, lease.Jobs)
		if err != nil {
			return err
		}
		q.params = store.Params{"holder_gone": holder == ""}
	}
	rows, err := s.Query(ctx, sql.MustQuery(t, q.name), q.params)
	if err != nil {
		return err
	}
	defer rows.Close()
	rec, err := w.open(columnNames(rows)...)
	if err != nil {
		return err
	}
	// In Xuchang's time, as sources, sql and the lock's messages are,
	// whatever the host's zone: the columns are stored in UTC.
	if err := copyRowsIn(rows, zone.Shanghai, rec.Write); err != nil {
		return err
	}
	return rec.Close()
}

// printSourceStatus lists the configured sources and their staleness,
// or says that none are configured.
func (a *app) printSourceStatus(ctx context.Context, s store.Store, w sectionWriter) error {
	cfg, configured, err := a.deps().SyncConfig()
	if err != nil {
		return err
	}
	if !configured {
		if w.format == "table" {
			fmt.Fprintln(a.stdout, "none configured (creditsync.toml); see creditsync.example.toml")
		}
		return nil
	}
	statuses, err := listsync.Sources(ctx, s, cfg, time.Now())
	if err != nil {
		return err
	}
	rec, err := w.open("source", "list", "last_success", "age", "stale", "listed", "last_error")
	if err != nil {
		return err
	}
	for _, st := range statuses {
		var last, age any
		if st.LastSuccess != nil {
			last = st.LastSuccess.In(zone.Shanghai)
			age = st.Age.Round(time.Minute).String()
		}
		if err := rec.Write(st.Source, st.List, last, age, st.Stale, st.Listed, st.LastError); err != nil {
			return err
		}
	}
	return rec.Close()
}
