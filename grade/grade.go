// Package grade computes the A/B/C/D credit grade of every institution at
// an as-of date, exactly as docs/rules.md specifies, and explains it: each
// result lists every clause that holds with the records that made it hold.
//
// The rules run in ClickHouse, one query per family of clauses under
// sql/queries/grade; Go only passes the thresholds from the Rules as query
// parameters and assembles the per-institution results. Whole lists are
// never loaded into Go.
//
// Computing writes nothing. Package lifecycle records the grades computed
// here and moves them through publicity, objection, confirmation,
// downgrade, upgrade and expiry (docs/rules.md §4).
package grade

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Evidence is one record that makes a clause hold.
type Evidence struct {
	// Kind is where the record lives: institution, inspection,
	// annual_report, penalty, abnormal, dishonest or public_eval.
	Kind string
	// ID identifies the record in that list: the record id or decision
	// number, the report year, the USCC for the register, or the list key
	// "<uscc or name_key>|<date>" for the other external lists.
	ID string
	// Date is the record's deciding date (handled, decided, listed, due …);
	// zero when the evidence is the absence of a date (no commitment).
	Date time.Time
	// Detail says what the record shows, for people.
	Detail string
}

// evidenceJSON is Evidence with the date written as a calendar day.
type evidenceJSON struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Date   string `json:"date,omitempty"`
	Detail string `json:"detail"`
}

// MarshalJSON writes the date as YYYY-MM-DD, omitted when zero.
func (e Evidence) MarshalJSON() ([]byte, error) {
	return json.Marshal(evidenceJSON{Kind: e.Kind, ID: e.ID, Date: transform.FormatDate(e.Date), Detail: e.Detail})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Evidence) UnmarshalJSON(b []byte) error {
	var j evidenceJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Evidence{Kind: j.Kind, ID: j.ID, Detail: j.Detail}
	if j.Date != "" {
		d, err := transform.ParseISODate(j.Date)
		if err != nil {
			return fmt.Errorf("evidence %s %s: %w", j.Kind, j.ID, err)
		}
		e.Date = d
	}
	return nil
}

// Clause is a clause that holds for an institution, with its evidence.
type Clause struct {
	ID       string     `json:"id"`
	Grade    Grade      `json:"grade"`
	Text     string     `json:"text"` // the notice's wording
	Evidence []Evidence `json:"evidence"`
}

// Result is one institution's grade at the as-of date.
type Result struct {
	USCC       string   `json:"uscc"`
	Name       string   `json:"name"`
	CountyCode string   `json:"county_code"`
	Grade      Grade    `json:"grade"`
	Clauses    []Clause `json:"clauses"` // report order; empty for A
}

// ClauseIDs returns the IDs of the clauses that hold, in report order.
func (r Result) ClauseIDs() []string {
	ids := make([]string, len(r.Clauses))
	for i, c := range r.Clauses {
		ids[i] = c.ID
	}
	return ids
}

// finish orders clauses and evidence and sets the grade: the worst among
// the clauses that hold, A when none does.
func (r *Result) finish() {
	if r.Clauses == nil {
		r.Clauses = []Clause{} // JSON [] rather than null for A
	}
	sort.Slice(r.Clauses, func(i, j int) bool { return clauseRank(r.Clauses[i].ID) < clauseRank(r.Clauses[j].ID) })
	r.Grade = A
	for i := range r.Clauses {
		c := &r.Clauses[i]
		sort.Slice(c.Evidence, func(i, j int) bool {
			a, b := c.Evidence[i], c.Evidence[j]
			if !a.Date.Equal(b.Date) {
				return a.Date.Before(b.Date)
			}
			if a.Kind != b.Kind {
				return a.Kind < b.Kind
			}
			return a.ID < b.ID
		})
		if Worse(c.Grade, r.Grade) {
			r.Grade = c.Grade
		}
	}
}

// Date returns the calendar date of t as seen in t's own location, as
// midnight UTC: the form dates take in queries and results.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Today returns the calendar date of now in Asia/Shanghai, the bureau's
// date, whatever the machine's zone.
func Today(now time.Time) time.Time { return zone.Day(now) }
