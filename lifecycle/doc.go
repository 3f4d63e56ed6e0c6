// Package lifecycle keeps the states of recorded grades (docs/rules.md §4,
// section 三 of the notice). Package grade computes what the rules give at a
// date and writes nothing; this package records grades in grade_history,
// one row per grade and run, and moves them through their states. Every
// grade an institution ever had stays in the history with its clauses,
// evidence, the run that recorded it, its dates and notes.
//
// The stored statuses (Status) and how a grade moves between them:
//
//	computed ──Evaluate──▶ publicized (公示中), from the publicity start for
//	                       the rules' publicity days
//	publicized ──FileObjection──▶ under_review (异议复核中), from a day of
//	                       publicity; an objection of that day recorded
//	                       after the routine confirmation moves the
//	                       confirmed grade back (the confirmation undone,
//	                       the grade it replaced in force again)
//	under_review ──ResolveObjection──▶ superseded; the re-evaluation
//	                       (run kind review) is confirmed from the review day
//	                       — as at confirmation, never in force when the
//	                       licence was cancelled by then, lowered at once
//	                       (run kind regrade) when the rules give worse that
//	                       day on evidence the review did not weigh
//	publicized ──Confirm──▶ confirmed the day after publicity ends, for a
//	                       year; when the rules give worse on that day the
//	                       publicized grade is superseded and the worse one
//	                       confirmed (run kind regrade); superseded on
//	                       the cancellation day, never confirmed, when the
//	                       licence was cancelled on or before that day —
//	                       also later, when Confirm next runs, for a grade
//	                       recorded in force before the register showed a
//	                       cancellation dated on or before its first day
//	confirmed ──Regrade──▶ superseded by a lower grade at once, on evidence
//	                       the decision did not weigh (grade.NewEvidenceGrade)
//	confirmed ──ApplyUpgrade──▶ superseded by a better grade, only on
//	                       application (run kind upgrade); Regrade only lists
//	                       the institution as eligible to apply
//	confirmed ──Expire──▶ expired once past valid_until; it stays the last
//	                       grade until the next evaluation supersedes it
//
// A provisional grade is never stored: it is what grade.Compute returns.
// The grades of one run appear together when the run finishes.
//
// On a day d a grade shows as Entry.StatusOn(d) says, whatever its stored
// status: in force (confirmed, or expired once past valid_until) from
// valid_from until superseded; publicized or under review (Entry.PendingOn)
// during its publicity and objection; licence_ended (StatusLicenceEnded,
// never stored) from the day the institution's licence was cancelled (注销),
// which ends the grade in force everywhere. A revoked licence (吊销) ends
// nothing: revocation is clause D3, Regrade lowers the grade to D like any
// downgrade, and that D stays in force and listed until its validity ends.
// StatesOn gives each institution's grade in force and its pending grade on
// a day, at most one of each (§4.7); GradesOn and CurrentOn the grades in
// force alone.
//
// The consequences of §5 read the grades in force: SamplingPlan and
// Nominate here; eligibility is answered by package report
// (report.EligibilityOn), as the pages answer it.
package lifecycle
