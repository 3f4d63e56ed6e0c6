package grade

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Rules holds every threshold docs/rules.md marks (config). The rules file is
// TOML with the sections and keys below; rules.default.toml, embedded in
// the binary, holds the 2023 Xuchang values and documents each key.
//
//	[window]        months
//	[clauses]       c1_violations, c4_lost_contact_months, c5_missing_report_years
//	[annual_report] due ("MM-DD")
//	[lifecycle]     publicity_days
//	[sampling]      a_percent, b_percent, c_percent, d_percent
//	[exemplary]     share_percent, scope ("county" or "city")
type Rules struct {
	Window       WindowRules       `toml:"window"`
	Clauses      ClauseRules       `toml:"clauses"`
	AnnualReport AnnualReportRules `toml:"annual_report"`
	Lifecycle    LifecycleRules    `toml:"lifecycle"`
	Sampling     SamplingRules     `toml:"sampling"`
	Exemplary    ExemplaryRules    `toml:"exemplary"`
}

// WindowRules sets the window W(T) = (T − Months, T].
type WindowRules struct {
	Months int `toml:"months"`
}

// ClauseRules holds the counting thresholds of clauses C1, C4 and C5.
type ClauseRules struct {
	C1Violations         int `toml:"c1_violations"`
	C4LostContactMonths  int `toml:"c4_lost_contact_months"`
	C5MissingReportYears int `toml:"c5_missing_report_years"`
}

// AnnualReportRules says when the report for year N is due: on Due
// ("MM-DD") of year N+1.
type AnnualReportRules struct {
	Due string `toml:"due"`
}

// LifecycleRules holds the procedure's periods (docs/rules.md §4).
type LifecycleRules struct {
	PublicityDays int `toml:"publicity_days"`
}

// SamplingRules holds the supervision sampling ratio per grade, in percent.
type SamplingRules struct {
	APercent float64 `toml:"a_percent"`
	BPercent float64 `toml:"b_percent"`
	CPercent float64 `toml:"c_percent"`
	DPercent float64 `toml:"d_percent"`
}

// ExemplaryRules caps the exemplary institutions chosen among A ones.
type ExemplaryRules struct {
	SharePercent float64 `toml:"share_percent"`
	Scope        string  `toml:"scope"` // ScopeCounty or ScopeCity
}

// Exemplary scopes.
const (
	ScopeCounty = "county"
	ScopeCity   = "city"
)

// ErrRules marks a rules file that cannot be used.
var ErrRules = errors.New("invalid grading rules")

//go:embed rules.default.toml
var defaultRules []byte

// DefaultRules returns the 2023 Xuchang defaults.
func DefaultRules() *Rules {
	r, err := parse(defaultRules, &Rules{})
	if err != nil {
		// The embedded file is tested; failing here is a build defect.
		panic("grade: embedded rules.default.toml: " + err.Error())
	}
	return r
}

// DefaultRulesTOML returns the embedded default rules file, comments
// included, as a starting point for a custom one.
func DefaultRulesTOML() []byte { return bytes.Clone(defaultRules) }

// Load reads a rules file over the defaults: keys the file leaves out keep
// their default value. An empty path returns the defaults.
func Load(path string) (*Rules, error) {
	if path == "" {
		return DefaultRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules file: %w", err)
	}
	r, err := parse(b, DefaultRules())
	if err != nil {
		return nil, fmt.Errorf("rules file %s: %w", path, err)
	}
	return r, nil
}

// parse decodes b over base and validates the result.
func parse(b []byte, base *Rules) (*Rules, error) {
	md, err := toml.Decode(string(b), base)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRules, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%w: unknown key(s) %s; the keys are documented in the default file (creditsync grade --print-rules)", ErrRules, strings.Join(keys, ", "))
	}
	if err := base.Validate(); err != nil {
		return nil, err
	}
	return base, nil
}

// Validate checks that every threshold is usable.
func (r *Rules) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.Window.Months < 1 || r.Window.Months > 120 {
		bad("window.months = %d, want 1–120", r.Window.Months)
	}
	if r.Clauses.C1Violations < 1 {
		bad("clauses.c1_violations = %d, want at least 1", r.Clauses.C1Violations)
	}
	if r.Clauses.C4LostContactMonths < 0 || r.Clauses.C4LostContactMonths > 120 {
		bad("clauses.c4_lost_contact_months = %d, want 0–120", r.Clauses.C4LostContactMonths)
	}
	if r.Clauses.C5MissingReportYears < 1 || r.Clauses.C5MissingReportYears > 50 {
		bad("clauses.c5_missing_report_years = %d, want 1–50", r.Clauses.C5MissingReportYears)
	}
	if _, _, err := r.dueMonthDay(); err != nil {
		bad("%v", err)
	}
	if r.Lifecycle.PublicityDays < 0 || r.Lifecycle.PublicityDays > 365 {
		bad("lifecycle.publicity_days = %d, want 0–365", r.Lifecycle.PublicityDays)
	}
	for _, p := range []struct {
		key string
		v   float64
	}{
		{"sampling.a_percent", r.Sampling.APercent}, {"sampling.b_percent", r.Sampling.BPercent},
		{"sampling.c_percent", r.Sampling.CPercent}, {"sampling.d_percent", r.Sampling.DPercent},
		{"exemplary.share_percent", r.Exemplary.SharePercent},
	} {
		if p.v < 0 || p.v > 100 {
			bad("%s = %v, want 0–100", p.key, p.v)
		}
	}
	if r.Exemplary.Scope != ScopeCounty && r.Exemplary.Scope != ScopeCity {
		bad("exemplary.scope = %q, want %q or %q", r.Exemplary.Scope, ScopeCounty, ScopeCity)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrRules, strings.Join(problems, "; "))
	}
	return nil
}

// dueMonthDay parses annual_report.due. 29 February is refused because
// the due date must exist in every year.
func (r *Rules) dueMonthDay() (time.Month, int, error) {
	d, err := time.Parse("01-02", r.AnnualReport.Due)
	if err != nil || (d.Month() == time.February && d.Day() == 29) {
		return 0, 0, fmt.Errorf("annual_report.due = %q, want MM-DD of a day every year has, e.g. \"03-31\"", r.AnnualReport.Due)
	}
	return d.Month(), d.Day(), nil
}

// ReportDue returns the due date of the annual report for year n.
func (r *Rules) ReportDue(n int) time.Time {
	m, d, _ := r.dueMonthDay()
	return time.Date(n+1, m, d, 0, 0, 0, 0, time.UTC)
}

// SamplingPercent returns the sampling ratio for a grade, in percent.
func (r *Rules) SamplingPercent(grade Grade) float64 {
	switch grade {
	case A:
		return r.Sampling.APercent
	case B:
		return r.Sampling.BPercent
	case C:
		return r.Sampling.CPercent
	case D:
		return r.Sampling.DPercent
	}
	return 0
}

// Checksum identifies the effective rules (after defaults are applied), so
// a stored grade says which thresholds produced it.
func (r *Rules) Checksum() string {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(r); err != nil {
		// Encoding a struct of ints, floats and strings cannot fail.
		panic("grade: encode rules: " + err.Error())
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:8])
}
