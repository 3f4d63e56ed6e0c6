// Package report turns grades into what people read: the county trend
// report, the city overview, the 附件2 summary table an evaluating unit
// sends to the city, and the public list for the bureau's website, as
// self-contained HTML (inline CSS and SVG, no external assets), CSV and
// XLSX; and the city's review of the 附件2 the counties sent (Reconcile).
//
// Reports read grades through Source, defined here at the consumer, so
// they do not depend on how grades are kept: HistorySource reads the
// grades recorded by the lifecycle (evaluation, confirmation, regrade …),
// ComputeSource grades with the rules at each requested day where nothing
// has been recorded yet; NewSource chooses between them.
package report

import (
	"context"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
)

// Source is where reports get grades from.
type Source interface {
	// GradesOn returns the grade of every institution graded on day (a
	// calendar date), in any order. Callers must not modify the result:
	// a source may hand the same slice to several callers.
	GradesOn(ctx context.Context, day time.Time) ([]InstitutionGrade, error)
	// Downgrades returns the changes to a worse grade that took effect on
	// a day d with from < d ≤ to, with the clauses that caused them.
	Downgrades(ctx context.Context, from, to time.Time) ([]Change, error)
}

// InstitutionGrade is one institution's grade on a day, with everything a
// report shows about it. Dates are calendar dates at midnight UTC.
type InstitutionGrade struct {
	USCC string
	// Name and CountyCode are the institution's name and county as the
	// grade was recorded: the evaluating unit keeps the grades it made,
	// and a form for a past day reprints as it was sent (docs/rules.md
	// §4.9). RegisterName is the register's name now, set only when it
	// differs (the institution was renamed since), for pages to show
	// beside; the forms never print it.
	Name         string
	CountyCode   string
	RegisterName string
	Grade        grade.Grade
	Clauses      []ClauseRef // every clause that holds, report order; empty for A
	// ValidFrom and ValidUntil bound the grade's validity (docs/rules.md §4).
	ValidFrom, ValidUntil time.Time
	// Expired marks a grade past ValidUntil with no newer evaluation: the
	// institution still has it, shown as expired (docs/rules.md §4).
	Expired bool
	// State is how the grade stands on the day: StateInForce,
	// StatePublicized (公示中) or StateUnderReview (异议复核中). Reports show
	// a grade not yet in force with its state (docs/rules.md §4.7).
	State lifecycle.Status
	// InForceGrade is, for a grade publicized or under objection, the
	// grade in force on the day beside it ("" when there is none): trends
	// count each state as what it is, and eligibility counts only it
	// (docs/rules.md §4.7). InForceClauses, InForceFrom, InForceUntil and
	// InForceExpired are that grade's clauses and validity, for the pages
	// and the eligibility answer to name it.
	InForceGrade              grade.Grade
	InForceClauses            []ClauseRef
	InForceFrom, InForceUntil time.Time
	InForceExpired            bool
	// PublicityFrom and PublicityEnds bound the publicity of a grade that
	// is publicized or under objection.
	PublicityFrom, PublicityEnds time.Time
	// Exemplary marks an institution chosen as 诚信机构典型, for the reason
	// given, on ExemplaryOn (docs/rules.md §5). It is set only for a grade
	// A in force on the day that was already in force when it was chosen
	// (the grade shown, or the one in force beside a newer grade
	// publicized): a downgrade ends it, and an A regained later does not
	// bring it back.
	// 附件2's 是否选树 column and the 典型名单 both read it, so they agree.
	Exemplary       bool
	ExemplaryReason string
	ExemplaryOn     time.Time
	// Records are the inspection records and penalties behind the
	// clauses, with the measures taken: the 查处情况 of 附件2.
	Records []Record
}

// ClauseRef is a clause that holds, in the notice's words, with the
// records that make it hold.
type ClauseRef struct {
	ID       string // D1 … B6
	Text     string // the notice's wording
	Evidence []Evidence
}

// Evidence is one record that makes a clause hold.
type Evidence struct {
	Kind   string // institution, inspection, annual_report, penalty, abnormal, dishonest, public_eval
	ID     string // the record's key in its list
	Date   time.Time
	Detail string
}

// Record is an inspection record or penalty, as 附件2 reports it.
type Record struct {
	ID          string
	Kind        string // an inspection kind (violation, fund_fraud, …) or "penalty"
	Severity    string // minor, general, serious or major for a violation
	Date        time.Time
	Measure     string // e.g. 责令限期整改, 行政处罚
	Authority   string
	Description string
}

// Change is a change of one institution's grade.
type Change struct {
	USCC, Name, CountyCode string
	Day                    time.Time // when the new grade took effect
	From, To               grade.Grade
	Clauses                []ClauseRef // the clauses that gave the new grade
}

// States of a grade on a day (docs/rules.md §4.7): the lifecycle's
// statuses of a grade not in force yet, none for one in force.
const (
	StateInForce     lifecycle.Status = ""                          // confirmed, reviewed, lowered or raised
	StatePublicized                   = lifecycle.StatusPublicized  // 公示中
	StateUnderReview                  = lifecycle.StatusUnderReview // 异议复核中
	// StateAwaitingConfirmation is a publicized grade after its publicity
	// ended, not confirmed yet (公示期满，待确认): it is no longer 公示中.
	StateAwaitingConfirmation = lifecycle.StatusAwaitingConfirmation
)

// stateNames are the Chinese names of the states of a grade not in force,
// as every report and page prints them.
var stateNames = map[lifecycle.Status]string{
	StatePublicized:           "公示中",
	StateAwaitingConfirmation: "公示期满，待确认",
	StateUnderReview:          "异议复核中",
}

// StateName is the short Chinese name of a grade's state on its day: 公示中,
// 公示期满，待确认 or 异议复核中; "" for a grade in force.
func StateName(g InstitutionGrade) string { return stateNames[g.State] }

// pending reports whether the state is one of a publicized grade not in
// force yet: publicized, or past its publicity and awaiting confirmation.
func pending(st lifecycle.Status) bool {
	return st == StatePublicized || st == StateAwaitingConfirmation
}

// inForce is the grade in force on the day: the grade itself when it is
// in force, else the one in force beside the grade shown ("" if none).
func (g InstitutionGrade) inForce() grade.Grade {
	if g.State == StateInForce {
		return g.Grade
	}
	return g.InForceGrade
}

// Current is the grade in force on the day, with its clauses and
// validity: g itself when it is in force, else g with the grade in force
// beside it in place of the one publicized or under objection; false when
// no grade is in force. Eligibility and every count of grades in force
// read it (docs/rules.md §4.7).
func (g InstitutionGrade) Current() (InstitutionGrade, bool) {
	if g.State == StateInForce {
		return g, g.Grade != ""
	}
	if g.InForceGrade == "" {
		return InstitutionGrade{}, false
	}
	c := g
	c.State, c.PublicityFrom, c.PublicityEnds = StateInForce, time.Time{}, time.Time{}
	c.Grade, c.Clauses, c.ValidFrom, c.ValidUntil, c.Expired = g.InForceGrade, g.InForceClauses, g.InForceFrom, g.InForceUntil, g.InForceExpired
	c.InForceGrade, c.InForceClauses, c.InForceFrom, c.InForceUntil, c.InForceExpired = "", nil, time.Time{}, time.Time{}, false
	return c, true
}

// InForceLabel labels the grade in force beside one publicized or under
// objection, for the lists that show the newer grade in its row
// (docs/rules.md §4.7: both are shown, labelled): 现行有效等级 A 级（有效期
// 2025年8月10日至2026年8月9日）, with 已过期 when it is past its validity;
// "" when g is in force itself or nothing is in force beside it.
func InForceLabel(g InstitutionGrade) string {
	if g.State == StateInForce || g.InForceGrade == "" {
		return ""
	}
	l := "现行有效等级" + GradeLabel(g.InForceGrade)
	if !g.InForceFrom.IsZero() {
		l += "（有效期" + dayCN(g.InForceFrom) + "至" + dayCN(g.InForceUntil)
		if g.InForceExpired {
			l += "，" + stateExpiredName
		}
		l += "）"
	}
	return l
}

// StateLabel is the Chinese label of a grade that is not in force yet:
// 公示中（公示期2026年7月31日至8月6日）, 公示期满，待确认（公示期…） once
// the publicity ended without a confirmation, or 异议复核中; "" for a
// grade in force.
func StateLabel(g InstitutionGrade) string {
	name := StateName(g)
	if pending(g.State) && !g.PublicityFrom.IsZero() {
		return name + "（公示期" + dayCN(g.PublicityFrom) + "至" + dayCN(g.PublicityEnds) + "）"
	}
	return name
}
