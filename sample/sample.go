// Package sample writes a realistic, deterministic sample of Xuchang's
// licensed human-resource service institutions and the lists they are graded
// against, for `creditsync demo` and for tests.
//
// The sample is built around a reference date: every clause of docs/rules.md
// holds for at least three institutions at that date, most institutions are
// plainly A, and near-miss cases sit one day or one rule away from a clause.
// The files exercise the import formats of docs/data.md: Chinese and
// English headers, mixed date spellings and booleans, Chinese and English
// enum values, full-width brackets and ideographic spaces in names, external
// rows without a USCC, and many external rows about other enterprises.
//
// Write also returns, per institution, the clauses that hold at the reference
// date. They are computed from the generated records by a small reference
// implementation of docs/rules.md inside this package, independent of the real
// grader, and agree with what each scenario was designed to produce.
package sample

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options controls a sample.
type Options struct {
	Seed         int64     // same seed → byte-identical files
	Institutions int       // default 300 when 0
	AsOf         time.Time // the reference date the scenarios are built around (e.g. 2026-07-31); required
}

// Files maps a list name to the path written. Keys: institutions,
// inspections, annual_reports, penalties, abnormal, dishonest, public_eval.
type Files map[string]string

// Expectation says which clauses the generator designed to hold for an
// institution at AsOf.
type Expectation struct {
	USCC, Name, CountyCode string
	Clauses                []string // e.g. ["C5","B1"], sorted D,C,B then number; empty for grade A
	Graded                 bool     // false when cancelled or licensed after AsOf
}

// BadInstitutionsFile is written beside the sample and kept out of Files: an
// institutions file of 8 rows of which 3 must be rejected (a wrong USCC check
// character, the impossible date 2023-02-30, a missing name). Its 5 good rows
// repeat rows of institutions.csv, so importing it on top of the sample
// changes nothing and the expectations stay valid.
const BadInstitutionsFile = "institutions_bad.csv"

// Write generates the sample into dir (created if missing), one
// `<list>.csv` per list with a header row, plus BadInstitutionsFile. It
// returns the paths and one Expectation per institution in file order.
//
// The calendar date of opt.AsOf in its own location is the reference date:
// pass a date, not an instant, when the location matters. Institutions
// below the number of designed scenarios (about 70) is an error.
func Write(dir string, opt Options) (Files, []Expectation, error) {
	g, err := generate(opt)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("sample: create %s: %w", dir, err)
	}
	ds := &g.ds
	rd := &renderer{r: newRNG(opt.Seed, 2)}

	instRows := make([][]string, len(ds.institutions))
	for i, in := range ds.institutions {
		instRows[i] = rd.institutionRow(in)
	}
	tables := []struct {
		list   string
		header []string
		rows   [][]string
	}{
		{"institutions", institutionHeader, instRows},
		{"inspections", inspectionHeader, rowsOf(ds.inspections, rd.inspectionRow)},
		{"annual_reports", reportHeader, rowsOf(ds.reports, rd.reportRow)},
		{"penalties", penaltyHeader, rowsOf(ds.penalties, rd.penaltyRow)},
		{"abnormal", abnormalHeader, rowsOf(ds.abnormal, rd.abnormalRow)},
		{"dishonest", dishonestHeader, rowsOf(ds.dishonest, rd.dishonestRow)},
		{"public_eval", evalHeader, rowsOf(ds.evals, rd.evalRow)},
	}
	files := Files{}
	for _, t := range tables {
		path := filepath.Join(dir, t.list+".csv")
		if err := writeCSV(path, t.header, t.rows); err != nil {
			return nil, nil, err
		}
		files[t.list] = path
	}

	bad, err := g.badRows(rd, instRows)
	if err != nil {
		return nil, nil, err
	}
	if err := writeCSV(filepath.Join(dir, BadInstitutionsFile), institutionHeader, bad); err != nil {
		return nil, nil, err
	}

	verdicts := ds.grade(g.t)
	exps := make([]Expectation, len(ds.institutions))
	for i, in := range ds.institutions {
		v := verdicts[in.USCC]
		exps[i] = Expectation{USCC: in.USCC, Name: in.Name, CountyCode: g.countyOf(in), Clauses: v.clauses, Graded: v.graded}
	}
	return files, exps, nil
}

func rowsOf[T any](recs []T, row func(T) []string) [][]string {
	out := make([][]string, len(recs))
	for i, r := range recs {
		out[i] = row(r)
	}
	return out
}

// badRows builds the 8 rows of BadInstitutionsFile. The 3 bad rows are new
// institutions, valid in every other column, so each is rejected for exactly
// one reason.
func (g *generator) badRows(rd *renderer, good [][]string) ([][]string, error) {
	const (
		colName     = 1
		colUSCC     = 3
		colLicensed = 4
	)
	rows := make([][]string, 0, 8)
	for _, i := range g.r.perm(len(good))[:5] {
		rows = append(rows, good[i])
	}
	for k := 0; k < 3; k++ {
		in, err := g.newInstitution(anyName)
		if err != nil {
			return nil, err
		}
		in.LicensedOn = g.plainLicence()
		if k == 1 {
			in.LicensedOn = ymd(2023, time.February, 28) // the clerk's 30 February
		}
		in.Commitment = days(in.LicensedOn, g.r.intn(61))
		in.LicenseNo = g.licenceNo(in)
		row := rd.institutionRow(in)
		switch k {
		case 0:
			i := strings.IndexByte(orgAlphabet, in.USCC[17])
			row[colUSCC] = in.USCC[:17] + string(orgAlphabet[(i+1+g.r.intn(len(orgAlphabet)-1))%len(orgAlphabet)])
		case 1:
			row[colLicensed] = "2023-02-30"
		case 2:
			row[colName] = ""
		}
		// Spread the bad rows among the good ones at seed-chosen places.
		at := g.r.intn(len(rows) + 1)
		rows = append(rows[:at], append([][]string{row}, rows[at:]...)...)
	}
	return rows, nil
}
