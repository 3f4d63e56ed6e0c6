package workflows

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// reportsDir is where scheduled runs write the reports of a day.
func (d Deps) reportsDir(day time.Time) string {
	return filepath.Join(d.DataDir, "reports", transform.FormatDate(day))
}

// reportFile is one report a job writes.
type reportFile struct {
	name   string
	format string
	build  func(ctx context.Context, src report.Source) (any, error)
}

// writeReports builds and writes files into dir, each through a temporary
// file, and returns the paths written.
func writeReports(ctx context.Context, s store.Store, rules *grade.Rules, dir string, files []reportFile) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	// The history once an evaluation is recorded; the rules before.
	src, _, err := report.NewSource(ctx, s, rules)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var paths []string
	for _, f := range files {
		doc, err := f.build(ctx, src)
		if err != nil {
			return paths, fmt.Errorf("report %s: %w", f.name, err)
		}
		path := filepath.Join(dir, f.name)
		if err := report.WriteFile(path, func(w io.Writer) error { return report.Write(w, doc, f.format) }); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func cityOverviewFiles(today, now time.Time) []reportFile {
	overview := func(ctx context.Context, src report.Source) (any, error) {
		m, err := report.ParseMonths("", "", today)
		if err != nil {
			return nil, err
		}
		return report.CityOverview(ctx, src, m, now)
	}
	return []reportFile{
		{"city-overview.html", "html", overview},
		{"city-overview.xlsx", "xlsx", overview},
	}
}

func (d Deps) publicListFiles(today, now time.Time) []reportFile {
	public := func(ctx context.Context, src report.Source) (any, error) {
		contacts, err := d.contacts()
		if err != nil {
			return nil, err
		}
		l, err := report.BuildPublicList(ctx, src, report.City(), today, now)
		if err != nil {
			return nil, err
		}
		l.Contact = contacts.For(l.Unit)
		return l, nil
	}
	return []reportFile{
		{"public-list.html", "html", public},
		{"public-list.csv", "csv", public},
		{"public-list.xlsx", "xlsx", public},
	}
}

// countyFiles are every county's trend report and 附件2 table, and the
// city's own 附件2 (市本级 and institutions registered elsewhere).
func countyFiles(today, now time.Time) []reportFile {
	var files []reportFile
	for _, u := range report.Units() {
		u := u
		if u.Code != report.City().Code {
			files = append(files, reportFile{"county-" + u.Code + ".html", "html", func(ctx context.Context, src report.Source) (any, error) {
				m, err := report.ParseMonths("", "", today)
				if err != nil {
					return nil, err
				}
				return report.CountyTrend(ctx, src, u, m, now)
			}})
		}
		files = append(files, reportFile{"附件2-" + u.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			return report.BuildSummary(ctx, src, u, today, today)
		}})
	}
	return files
}

// writeDailyReports writes what the nightly run leaves for people each
// day: the city overview and the public list.
func (d Deps) writeDailyReports(ctx context.Context, s store.Store, rules *grade.Rules, dir string, today, now time.Time) ([]string, error) {
	return writeReports(ctx, s, rules, dir, append(cityOverviewFiles(today, now), d.publicListFiles(today, now)...))
}

// reportJob is a scheduled report job writing files into DATA/reports/DAY.
func reportJob(files func(d Deps, today, now time.Time) []reportFile) job {
	return func(d Deps, s store.Store) []jobs.Step {
		return []jobs.Step{{Name: "write", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			rules, err := d.rules()
			if err != nil {
				return jobs.Outcome{}, err
			}
			now := time.Now()
			today := grade.Today(now)
			paths, err := writeReports(ctx, s, rules, d.reportsDir(today), files(d, today, now))
			return jobs.Outcome{Counts: map[string]int64{"files": int64(len(paths))}, Summary: strings.Join(paths, "\n")}, err
		}}}
	}
}
