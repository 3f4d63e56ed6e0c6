package main

import (
	"encoding/csv"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
)

func (a *app) samplePlanCmd() *cobra.Command {
	var flags gradeFlags
	var on, format string
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
			if format != "table" && format != "csv" {
				return usageError{fmt.Errorf("--format must be table or csv, not %q", format)}
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
			plan, err := grade.SamplingPlan(ctx, s, rules, seed, day)
			if err != nil {
				return err
			}
			rows := [][]string{{"grade", "uscc", "name", "county_code"}}
			for _, g := range plan {
				for _, e := range g.Selected {
					rows = append(rows, []string{g.Grade, e.USCC, e.Name, e.CountyCode})
				}
			}
			if format == "csv" {
				cw := csv.NewWriter(a.stdout)
				if err := cw.WriteAll(rows); err != nil {
					return err
				}
				return nil
			}
			fmt.Fprintf(a.stdout, "sampling plan on %s, seed %d:\n", grade.FormatDate(day), seed)
			for _, g := range plan {
				fmt.Fprintf(a.stdout, "  %s: %d of %d (%.4g%%)\n", g.Grade, len(g.Selected), g.Population, g.Percent)
			}
			fmt.Fprintln(a.stdout)
			printTable(a.stdout, rows)
			return nil
		},
	}
	flags.registerRules(cmd)
	cmd.Flags().Int64Var(&seed, "seed", 0, "seed of the draw (required)")
	cmd.Flags().StringVar(&on, "on", "", "draw among the grades in effect on this date (default: today)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or csv")
	return cmd
}
