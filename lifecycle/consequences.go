package lifecycle

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// SampleGroup is the supervision sample of one grade.
type SampleGroup struct {
	Grade      grade.Grade
	Population int     // institutions with this grade in effect
	Percent    float64 // the rules' sampling ratio
	Selected   []Entry
}

// SamplingPlan draws the supervision sample (分类抽查) among the grades in
// effect on day: for each grade, ceil(percent × population / 100)
// institutions, so a grade with any institution is checked at least once
// when its ratio is above zero. The draw ranks institutions by a hash of
// seed and USCC, so the same seed and grades give the same plan on any
// machine and Go release, whatever order the rows come in.
func SamplingPlan(ctx context.Context, s store.Store, r *grade.Rules, seed int64, day time.Time) ([]SampleGroup, error) {
	grades, err := GradesOn(ctx, s, day)
	if err != nil {
		return nil, fmt.Errorf("sampling plan: %w", err)
	}
	if len(grades) == 0 {
		return nil, fmt.Errorf("sampling plan: %w for any institution on %s; run creditsync evaluate and confirm first", ErrNoGrade, transform.FormatDate(grade.Date(day)))
	}
	by := map[grade.Grade][]Entry{}
	for _, e := range grades {
		by[e.Grade] = append(by[e.Grade], e)
	}
	var out []SampleGroup
	for _, g := range grade.Grades {
		pop := by[g]
		sort.Slice(pop, func(i, j int) bool {
			a, b := drawKey(seed, pop[i].USCC), drawKey(seed, pop[j].USCC)
			if a != b {
				return a < b
			}
			return pop[i].USCC < pop[j].USCC
		})
		pct := r.SamplingPercent(g)
		n := int(math.Ceil(pct*float64(len(pop))/100 - 1e-9))
		out = append(out, SampleGroup{Grade: g, Population: len(pop), Percent: pct, Selected: pop[:min(n, len(pop))]})
	}
	return out, nil
}

func drawKey(seed int64, uscc string) uint64 {
	h := sha256.Sum256([]byte(strconv.FormatInt(seed, 10) + "|" + uscc))
	return binary.BigEndian.Uint64(h[:8])
}

// Nomination is an exemplary institution (诚信机构典型) of a year.
type Nomination struct {
	Year        int
	USCC        string
	CountyCode  string
	Reason      string
	NominatedOn time.Time
}

// ErrNomination means a nomination breaks docs/rules.md §5.
var ErrNomination = errors.New("nomination refused")

// Nominate records exemplary institutions for year. Each must have grade A
// in effect on day, and per scope (each county, or the city) at most
// floor(share × A institutions / 100) may be nominated for the year,
// counting the earlier nominations still on the list (their A in effect
// on day). Nothing is recorded unless all are valid, and every problem
// is named at once (checkNominees, then the rules' own checks).
func Nominate(ctx context.Context, s store.Store, r *grade.Rules, year int, usccs []string, reason string, day time.Time) ([]Nomination, error) {
	day = grade.Date(day)
	if err := checkNominees(ctx, s, year, usccs, day); err != nil {
		return nil, err
	}
	grades, err := GradesOn(ctx, s, day)
	if err != nil {
		return nil, fmt.Errorf("nominate: %w", err)
	}
	scope := func(e Entry) string {
		if r.Exemplary.Scope == grade.ScopeCity {
			return "city"
		}
		return e.CountyCode
	}
	byUSCC := map[string]Entry{}
	aCount := map[string]int{}
	for _, e := range grades {
		byUSCC[e.USCC] = e
		if e.Grade == grade.A && e.StatusOn(day) == StatusConfirmed {
			aCount[scope(e)]++
		}
	}
	existing, err := Nominations(ctx, s, year)
	if err != nil {
		return nil, err
	}
	used := map[string]int{}
	already := map[string]bool{}
	for _, n := range existing {
		already[n.USCC] = true
		// A nominee whose A no longer holds on day has left the 典型名单
		// (rules.md §5): its place is free. The 5% bounds the list.
		if e, ok := byUSCC[n.USCC]; ok && e.Grade == grade.A && e.StatusOn(day) == StatusConfirmed {
			used[scope(Entry{CountyCode: n.CountyCode})]++
		}
	}
	var out []Nomination
	var problems []string
	for _, u := range usccs {
		e, ok := byUSCC[u]
		switch {
		case already[u]:
			problems = append(problems, u+" is already nominated for "+strconv.Itoa(year))
			continue
		case !ok:
			problems = append(problems, u+" has no grade in effect on "+transform.FormatDate(day))
			continue
		case e.Grade != grade.A || e.StatusOn(day) != StatusConfirmed:
			problems = append(problems, fmt.Sprintf("%s has grade %s (%s), only confirmed A institutions can be exemplary", u, e.Grade, e.StatusOn(day)))
			continue
		}
		sc := scope(e)
		limit := int(math.Floor(r.Exemplary.SharePercent*float64(aCount[sc])/100 + 1e-9))
		if used[sc] >= limit {
			problems = append(problems, fmt.Sprintf("%s: %s already has %d of at most %d exemplary institutions (%.4g%% of %d A)", u, sc, used[sc], limit, r.Exemplary.SharePercent, aCount[sc]))
			continue
		}
		used[sc]++
		already[u] = true
		out = append(out, Nomination{Year: year, USCC: u, CountyCode: e.CountyCode, Reason: reason, NominatedOn: day})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNomination, strings.Join(problems, "; "))
	}
	v, err := store.Version(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("nominate: %w", err)
	}
	rows := func(yield func([]any, error) bool) {
		for _, n := range out {
			if !yield([]any{n.Year, n.USCC, n.CountyCode, n.Reason, n.NominatedOn, v}, nil) {
				return
			}
		}
	}
	if _, err := s.Insert(ctx, "exemplary", []string{"year", "uscc", "county_code", "reason", "nominated_on", "version"}, rows); err != nil {
		return nil, fmt.Errorf("nominate: %w", err)
	}
	return out, nil
}

// Nominations returns the exemplary institutions of year.
func Nominations(ctx context.Context, s store.Store, year int) ([]Nomination, error) {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "grade/exemplary_rows"), store.Params{"year": year})
	if err != nil {
		return nil, fmt.Errorf("read nominations of %d: %w", year, err)
	}
	var out []Nomination
	for rows.Next() {
		n := Nomination{Year: year}
		if err := rows.Scan(&n.USCC, &n.CountyCode, &n.Reason, &n.NominatedOn); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, n)
	}
	return out, closeRows(rows)
}
