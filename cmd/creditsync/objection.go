package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) objectionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "objection",
		Short: "File or resolve an institution's objection to its publicized grade",
		Long: `An institution may object (异议) to its grade while it is publicized. The
grade is then under review and is not confirmed until the re-evaluation
(复评) is recorded with objection resolve, which grades the institution
again at the evaluation's date with the data as it is now, and keeps the
reviewer's note.`,
	}
	cmd.AddCommand(a.objectionFileCmd(), a.objectionResolveCmd())
	return cmd
}

func (a *app) objectionFileCmd() *cobra.Command {
	var note, on string
	cmd := &cobra.Command{
		Use:   "file USCC --note TEXT",
		Short: "Record an objection filed during publicity",
		Long: `file records an objection filed on --on, a day of the grade's publicity:
the grade is under review (异议复核中) from that day. An objection
received during publicity but typed in after the routine confirmation
ran is recorded as of its day all the same: the confirmation is undone
and the grade in force before it is in force again until the review, as
if the objection had been recorded in time. A grade confirmed lower than
publicized, or replaced since, is not reopened; the refusal says why.`,
		Example: `  creditsync objection file 91411002MA9XXXXXXX --note "承诺书已签订，系录入遗漏"`,
		Args:    exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if note == "" {
				return usageError{errors.New("objection file needs --note: what the institution objects to")}
			}
			day, err := recordDay("on", on)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "objection file")
			if err != nil {
				return err
			}
			defer s.Close()
			e, err := lifecycle.FileObjection(ctx, s, transform.NormalizeUSCC(args[0]), note, day)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s %s: grade %s of the %d evaluation is under review from %s; record the result with creditsync objection resolve %s --note TEXT\n",
				e.USCC, e.Name, e.Grade, e.Year, transform.FormatDate(e.ObjectedOn), e.USCC)
			if !e.UndoneFrom.IsZero() {
				was := "no grade is in force until the review"
				if p := e.Reinstated; p != nil {
					was = fmt.Sprintf("grade %s (in force since %s) is in force again until the review", p.Grade, transform.FormatDate(p.ValidFrom))
				}
				fmt.Fprintf(a.stdout, "the objection was received during publicity: the confirmation from %s is undone, as if it had been recorded in time; %s\n",
					transform.FormatDate(e.UndoneFrom), was)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "the objection, as filed (required)")
	cmd.Flags().StringVar(&on, "on", "", "date the objection was filed, YYYY-MM-DD (default: today)")
	return cmd
}

func (a *app) objectionResolveCmd() *cobra.Command {
	var flags gradeFlags
	var note, on, set string
	cmd := &cobra.Command{
		Use:   "resolve USCC --note TEXT [--grade G]",
		Short: "Record the re-evaluation of a grade under review",
		Long: `resolve grades the institution again at the evaluation's as-of date with
the data as it is now (correct the records first when the objection
showed them wrong). The result is the rules' grade, or --grade when the
reviewer decides otherwise (the rules' grade is noted beside it). It is
confirmed from --on for one year — but, as at confirmation, not put in
force when the register shows the licence cancelled on or before --on,
and lowered at once when the rules give worse on --on on evidence the
review did not weigh (a licence revoked since the evaluation: D3).`,
		Example: `  creditsync objection resolve 91411002MA9XXXXXXX --note "核实承诺书，更正为A"`,
		Args:    exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if note == "" {
				return usageError{errors.New("objection resolve needs --note: the reviewer's conclusion")}
			}
			if set != "" && grade.Rank(grade.Grade(set)) < 0 {
				return usageError{fmt.Errorf("--grade must be A, B, C or D, not %q", set)}
			}
			day, err := recordDay("on", on)
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "objection resolve")
			if err != nil {
				return err
			}
			defer s.Close()
			e, err := lifecycle.ResolveObjection(ctx, s, rules, transform.NormalizeUSCC(args[0]), grade.Grade(set), note, day)
			if err != nil {
				return err
			}
			switch {
			case e.Lowered != nil:
				l := e.Lowered
				fmt.Fprintf(a.stdout, "%s %s: review recorded (run %s) as grade %s, lowered at once: the rules give %s on %s on evidence the review did not weigh (%s); grade %s confirmed %s to %s (run %s)\n",
					e.USCC, e.Name, e.RunID, e.Grade, l.Grade, transform.FormatDate(l.ValidFrom), strings.Join(l.ClauseIDs(), ", "), l.Grade,
					transform.FormatDate(l.ValidFrom), transform.FormatDate(l.ValidUntil), l.RunID)
			case e.ValidFrom.IsZero():
				fmt.Fprintf(a.stdout, "%s %s: review recorded (run %s) as grade %s, not in force: the licence was cancelled on %s, which ended the grade that day\n",
					e.USCC, e.Name, e.RunID, e.Grade, transform.FormatDate(e.SupersededOn))
			default:
				fmt.Fprintf(a.stdout, "%s %s: review recorded (run %s); grade %s confirmed %s to %s\n",
					e.USCC, e.Name, e.RunID, e.Grade, transform.FormatDate(e.ValidFrom), transform.FormatDate(e.ValidUntil))
			}
			return nil
		},
	}
	flags.registerRules(cmd, a)
	cmd.Flags().StringVar(&note, "note", "", "the reviewer's conclusion (required)")
	cmd.Flags().StringVar(&set, "grade", "", "the grade the reviewer decided, when it differs from the rules' (A, B, C or D)")
	cmd.Flags().StringVar(&on, "on", "", "date of the review decision, YYYY-MM-DD (default: today)")
	return cmd
}
