package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// reportNoticeCmds are the reports the notice asks counties to send
// besides 附件2: the 诚信机构典型名单, the 动态调整情况 and the pre-filled
// 附件1 诚信承诺书.
func (a *app) reportNoticeCmds(o *reportOptions) []*cobra.Command {
	var year int
	typical := &cobra.Command{
		Use:   "typical UNIT",
		Short: "诚信机构典型名单: the exemplary institutions of a unit, A and in force on --date (XLSX or CSV)",
		Args:  exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeStoreReport(cmd.Context(), *o, tableFormats, func(ctx context.Context, s store.Store, src report.Source, now time.Time) (any, error) {
				u, d, err := reportUnitAndDay(args[0], o.date, now)
				if err != nil {
					return nil, err
				}
				y := year
				if y == 0 {
					y = d.Year()
				}
				return report.BuildTypical(ctx, src, u, y, d)
			})
		},
	}
	typical.Flags().IntVar(&year, "year", 0, "evaluation year of the nominations (default: the year of --date)")
	typical.Flags().StringVar(&o.date, "date", "", "date the institutions are named and graded at, YYYY-MM-DD (default: today)")
	formatFlag(typical, &o.format, tableFormats)

	var from, to string
	adjustments := &cobra.Command{
		Use:   "adjustments UNIT",
		Short: "动态调整情况: every grade change since the last submission, with reason and date (XLSX or CSV)",
		Long: `adjustments lists every change of a grade in force after --from up to
--to: lowered by the nightly regrade or at confirmation, changed by a
review of an objection, raised on application (a revoked licence is a
lowering to D), or ended with a cancelled licence, each with its date and reason in Chinese. --from
defaults to the as-of date of the latest evaluation on or before --to:
the last submission of 附件2.`,
		Args: exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeStoreReport(cmd.Context(), *o, tableFormats, func(ctx context.Context, s store.Store, src report.Source, now time.Time) (any, error) {
				u, end, err := reportUnitAndDay(args[0], to, now)
				if err != nil {
					return nil, err
				}
				start, err := adjustmentsFrom(ctx, s, from, end)
				if err != nil {
					return nil, err
				}
				return report.ReadAdjustments(ctx, s, u, start, end)
			})
		},
	}
	adjustments.Flags().StringVar(&from, "from", "", "changes after this date, YYYY-MM-DD (default: the latest evaluation's as-of date)")
	adjustments.Flags().StringVar(&to, "to", "", "changes up to this date, YYYY-MM-DD (default: today)")
	formatFlag(adjustments, &o.format, tableFormats)

	commitments := &cobra.Command{
		Use:   "commitments UNIT",
		Short: "附件1 诚信承诺书, pre-filled for each institution without a signed commitment (HTML, one a page)",
		Args:  exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeStoreReport(cmd.Context(), *o, letterFormats, func(ctx context.Context, s store.Store, src report.Source, now time.Time) (any, error) {
				u, d, err := reportUnitAndDay(args[0], o.date, now)
				if err != nil {
					return nil, err
				}
				return report.UnsignedCommitments(ctx, s, u, d)
			})
		},
	}
	commitments.Flags().StringVar(&o.date, "date", "", "date the commitments on file are checked at, YYYY-MM-DD (default: today)")
	formatFlag(commitments, &o.format, letterFormats)
	watch := &cobra.Command{
		Use:   "watch UNIT",
		Short: "Lists to act on: eligible to apply for an upgrade, not yet evaluated, grade expiring within 30 days",
		Args:  exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeStoreReport(cmd.Context(), *o, watchFormats, func(ctx context.Context, s store.Store, src report.Source, now time.Time) (any, error) {
				u, d, err := reportUnitAndDay(args[0], o.date, now)
				if err != nil {
					return nil, err
				}
				rules, err := grade.Load(o.rules)
				if err != nil {
					return nil, err
				}
				return report.BuildWatch(ctx, s, rules, u, d)
			})
		},
	}
	watch.Flags().StringVar(&o.date, "date", "", "date of the lists, YYYY-MM-DD (default: today)")
	formatFlag(watch, &o.format, watchFormats)
	conflicts := &cobra.Command{
		Use:   "conflicts UNIT",
		Short: "数据矛盾: records saying a licence was revoked while the register shows it valid (XLSX or CSV)",
		Long: `conflicts lists every inspection or penalty record dated on or before
--date whose text says the licence was revoked (吊销许可证) while the
register still shows it valid (有效). The grade follows the register, so
such a record gives no D3 until a person decides: either the register is
corrected (status 吊销 with its date: D3, and the institution stays
listed with its D) or the record is.`,
		Args: exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeStoreReport(cmd.Context(), *o, tableFormats, func(ctx context.Context, s store.Store, src report.Source, now time.Time) (any, error) {
				u, d, err := reportUnitAndDay(args[0], o.date, now)
				if err != nil {
					return nil, err
				}
				return report.BuildConflicts(ctx, s, u, d)
			})
		},
	}
	conflicts.Flags().StringVar(&o.date, "date", "", "records dated on or before this date, YYYY-MM-DD (default: today)")
	formatFlag(conflicts, &o.format, tableFormats)
	return []*cobra.Command{typical, adjustments, commitments, watch, conflicts}
}

// adjustmentsFrom is --from, or the as-of date of the latest evaluation
// on or before end.
func adjustmentsFrom(ctx context.Context, s store.Store, from string, end time.Time) (time.Time, error) {
	if from != "" {
		d, err := transform.ParseISODate(from)
		if err == nil {
			err = report.CheckPeriod(d, end)
		}
		if err != nil {
			return time.Time{}, usageError{fmt.Errorf("--from: %w", err)}
		}
		return d, nil
	}
	last, err := report.LastEvaluation(ctx, s, end)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w; give --from DATE", err)
	}
	return last, nil
}
