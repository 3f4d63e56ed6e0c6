package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

// ErrFormat marks a format a report cannot be written in.
var ErrFormat = errors.New("unsupported report format")

type (
	htmlWriter interface{ WriteHTML(io.Writer) error }
	csvWriter  interface{ WriteCSV(io.Writer) error }
	xlsxWriter interface{ WriteXLSX(io.Writer) error }
)

// Formats lists the formats doc (a *Trend, *Overview, *Summary or
// *PublicList) can be written in.
func Formats(doc any) []string {
	var out []string
	if _, ok := doc.(htmlWriter); ok {
		out = append(out, "html")
	}
	if _, ok := doc.(csvWriter); ok {
		out = append(out, "csv")
	}
	if _, ok := doc.(xlsxWriter); ok {
		out = append(out, "xlsx")
	}
	return out
}

// Write writes doc in format: html, csv or xlsx.
func Write(w io.Writer, doc any, format string) error {
	switch format {
	case "html":
		if d, ok := doc.(htmlWriter); ok {
			return d.WriteHTML(w)
		}
	case "csv":
		if d, ok := doc.(csvWriter); ok {
			return d.WriteCSV(w)
		}
	case "xlsx":
		if d, ok := doc.(xlsxWriter); ok {
			return d.WriteXLSX(w)
		}
	}
	return fmt.Errorf("%w %q: this report is written as %s", ErrFormat, format, strings.Join(Formats(doc), ", "))
}

// WriteFile writes path through a temporary file renamed into place, so
// a failure never leaves half a report where the last good one was.
func WriteFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// FormatOf returns the format named explicitly, else the one a file's
// extension names (.htm counts as html), among the formats the report is
// written in: an error names those, not every format of every report
// (附件1 is html only, and its -o x.pdf was told "want html, csv or xlsx").
func FormatOf(path, explicit string, formats []string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(explicit))
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	}
	if f == "htm" {
		f = "html"
	}
	want := strings.Join(formats, ", ")
	switch {
	case slices.Contains(formats, f):
		return f, nil
	case f == "":
		return "", fmt.Errorf("%w: %q has no extension; name the format with --format (%s)", ErrFormat, path, want)
	}
	return "", fmt.Errorf("%w %q: this report is written as %s", ErrFormat, f, want)
}

// ContentType is the MIME type of a format, for downloads.
func ContentType(format string) string {
	switch format {
	case "html":
		return "text/html; charset=utf-8"
	case "csv":
		return "text/csv; charset=utf-8"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Nothing says why a document has nothing to show, or "" when it is to
// be written. An empty form would read as "no institutions" — a 附件2 of
// no rows, a public list of 共 0 家 — where the truth is that nothing was
// evaluated by then: the command line and the web pages say why instead,
// and write nothing. An empty 附件2 is written when other units have
// grades that day (every unit sends one, one with no institution too:
// the notice, 六(十)), and an empty 诚信机构典型名单 once its year's
// evaluation was publicized (a year may name none).
func Nothing(ctx context.Context, src Source, doc any) (string, error) {
	empty, day := Empty(doc)
	if !empty {
		return "", nil
	}
	if h, ok := src.(*HistorySource); ok {
		why, err := lifecycle.WhyNothingOn(ctx, h.Store, day)
		if err != nil || why != "" {
			return why, err
		}
	}
	switch d := doc.(type) {
	case *Summary:
		all, err := src.GradesOn(ctx, day)
		if err != nil {
			return "", err
		}
		if len(all) > 0 {
			return "", nil
		}
	case *Typical:
		return noTypical(ctx, src, d)
	}
	return "no institution of this unit has a grade in force or publicized on " + transform.FormatDate(day), nil
}

// noTypical says why an empty 诚信机构典型名单 is not written: its year's
// evaluation is not recorded, or not publicized by its day. An empty list
// of a year evaluated and publicized is written — a year may name none —
// but one of a year never evaluated (--year 2027) would read as such a
// year's.
func noTypical(ctx context.Context, src Source, t *Typical) (string, error) {
	var h *HistorySource
	switch s := src.(type) {
	case *ComputeSource:
		// Grades are computed when no evaluation is recorded: nobody was
		// chosen under them.
		return fmt.Sprintf("no evaluation is recorded, so no institution was chosen for %d", t.Year), nil
	case *HistorySource:
		h = s
	default:
		return "", nil // a source of given grades: its flags are the answer
	}
	evs, err := lifecycle.Evaluations(ctx, h.Store)
	if err != nil {
		return "", err
	}
	var years []string
	for _, e := range evs {
		if e.Year != t.Year {
			years = append(years, strconv.Itoa(e.Year))
			continue
		}
		if t.Day.Before(e.PublicizedFrom) {
			return fmt.Sprintf("the evaluation of %d is publicized from %s, after %s: ask for a date from then on",
				t.Year, transform.FormatDate(e.PublicizedFrom), transform.FormatDate(t.Day)), nil
		}
		return "", nil
	}
	return fmt.Sprintf("no evaluation of %d is recorded (recorded: %s)", t.Year, strings.Join(years, ", ")), nil
}

// Empty reports whether a document has nothing to show, and the day it
// was asked for (the last month-end of a trend); Nothing says why.
func Empty(doc any) (bool, time.Time) {
	switch d := doc.(type) {
	case *Summary:
		return len(d.Rows) == 0, d.Day
	case *PublicList:
		return len(d.Rows) == 0, d.Day
	case *Typical:
		return len(d.Rows) == 0, d.Day
	case *Trend:
		return d.empty(), d.Latest().End
	case *Overview:
		return d.City.empty(), d.City.Latest().End
	}
	return false, time.Time{}
}

// empty: no month of the trend has an institution of its unit.
func (t *Trend) empty() bool {
	for _, p := range t.Periods {
		if !p.NoData && p.Dist.Total() > 0 {
			return false
		}
	}
	return true
}
