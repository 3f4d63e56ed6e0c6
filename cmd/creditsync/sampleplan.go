package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) samplePlanCmd() *cobra.Command {
	var flags gradeFlags
	var on string
	var out outputFlags
	var seed int64
	cmd := &cobra.Command{
		Use:   "sample-plan --seed N",
		Short: "Draw the supervision sample by grade (分类抽查), reproducibly from a seed",
		Long: `sample-plan draws institutions for supervision checks among the grades
in effect on --on: per grade, ceil(ratio × count) institutions, with the
ratios of the rules file (A lower, B normal, C and D higher). The draw
depends only on the seed and the USCCs, so the same seed gives the same
plan on any machine; publish the seed with the plan.`,
		Example: `  creditsync sample-plan --seed 20260801 --format csv > plan.csv`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("seed") {
				return usageError{fmt.Errorf("sample-plan needs --seed, so the plan can be reproduced")}
			}
			format, err := out.get()
			if err != nil {
				return err
			}
			day, err := dayOrToday("on", on)
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			plan, err := lifecycle.SamplingPlan(ctx, s, rules, seed, day)
			if err != nil {
				return err
			}
			if format == "table" {
				fmt.Fprintf(a.stdout, "sampling plan on %s, seed %d:\n", transform.FormatDate(day), seed)
				for _, g := range plan {
					fmt.Fprintf(a.stdout, "  %s: %d of %d (%.4g%%)\n", g.Grade, len(g.Selected), g.Population, g.Percent)
				}
				fmt.Fprintln(a.stdout)
			}
			rw, err := newRecordWriter(a.stdout, format, "grade", "uscc", "name", "county_code")
			if err != nil {
				return err
			}
			for _, g := range plan {
				for _, e := range g.Selected {
					if err := rw.Write(g.Grade, e.USCC, e.Name, e.CountyCode); err != nil {
						return err
					}
				}
			}
			return rw.Close()
		},
	}
	flags.registerRules(cmd, a)
	cmd.Flags().Int64Var(&seed, "seed", 0, "seed of the draw (required)")
	cmd.Flags().StringVar(&on, "on", "", "draw among the grades in effect on this date (default: today)")
	out.register(cmd, false)
	return cmd
}
