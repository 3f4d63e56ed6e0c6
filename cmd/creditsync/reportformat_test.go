package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/report"
)

// Each report's --format names the formats it writes and no other:
// `report summary --format csv` was offered by the help and refused.
// A format refused is refused before anything is read; one offered goes
// on to load the rules, which here are missing.
func TestReportFormatsAreTheOnesItsHelpNames(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CREDITSYNC_DATA", dir)
	missing := filepath.Join(dir, "no-rules.toml")
	reports := 0
	for _, c := range newApp().root().Commands() {
		if c.Name() != "report" {
			continue
		}
		for _, sub := range c.Commands() {
			f := sub.Flag("format")
			if f == nil {
				continue // reconcile writes text
			}
			reports++
			offered, _, _ := strings.Cut(f.Usage, " (default")
			for _, format := range []string{"html", "csv", "xlsx"} {
				args := []string{"report", sub.Name()}
				if strings.Contains(sub.Use, " ") {
					args = append(args, "411002")
				}
				args = append(args, "-o", filepath.Join(dir, "out."+format), "--rules", missing)
				root := newApp().root()
				root.SetArgs(args)
				err := root.Execute()
				switch listed := strings.Contains(offered, format); {
				case listed && errors.Is(err, report.ErrFormat):
					t.Errorf("report %s: --format offers %s (%q), which it refuses: %v", sub.Name(), format, f.Usage, err)
				case !listed && !errors.Is(err, report.ErrFormat):
					t.Errorf("report %s -o out.%s: %v; --format (%q) does not offer %s, so it must be refused", sub.Name(), format, err, f.Usage, format)
				}
			}
		}
	}
	if reports < 8 {
		t.Errorf("%d reports with --format, want the 8 that write files", reports)
	}
}
