package sample

import "time"

// The records below hold canonical values (English enum keys, calendar dates,
// upper-case USCCs); the spelling variants of the CSV files are chosen only
// when a row is written, so the oracle never has to parse its own output.

type institution struct {
	USCC       string
	Name       string
	County     string // explicit county_code column; empty = derive from the USCC
	LicenseNo  string
	LicensedOn time.Time
	Status     string // valid, revoked, cancelled
	StatusOn   time.Time
	Commitment time.Time // commitment_signed_on; zero = none on file
	LostSince  time.Time // lost_contact_since; zero = reachable
	Note       string

	// Design, kept for tests: which scenario built the row and what it was
	// meant to produce at AsOf. Expectations come from the oracle, not these.
	scenario string
	want     []string
	graded   bool
}

type inspection struct {
	ID          string
	USCC        string
	Kind        string // violation, fund_fraud, false_materials, conditions_unmet, compliance_failure, commitment_breach
	Severity    string // minor, general, serious, major; violations only
	HandledOn   time.Time
	RectifiedOn time.Time
	Refused     bool
	Authority   string
	Measure     string
	Description string
}

type annualReport struct {
	USCC        string
	Year        int
	SubmittedOn time.Time
}

// External rows may carry an empty USCC; they are matched by name then.

type penalty struct {
	ID               string
	USCC, Name       string
	DecidedOn        time.Time
	Authority        string
	Content          string
	PublicityEndedOn time.Time
}

// listing is a row of the abnormal-operations or the seriously-dishonest list.
type listing struct {
	USCC, Name    string
	ListedOn      time.Time
	Reason        string
	Authority     string
	RemovedOn     time.Time
	RemovalReason string // abnormal list only
}

type evaluation struct {
	USCC, Name  string
	Grade       string // as published: A–D or 优/良/中/差
	EvaluatedOn time.Time
}

type dataset struct {
	institutions []*institution
	inspections  []*inspection
	reports      []*annualReport
	penalties    []*penalty
	abnormal     []*listing
	dishonest    []*listing
	evals        []*evaluation
}
