package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/store/embedded"
)

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of creditsync and of the engine it expects",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "creditsync %s (%s, %s/%s)\nembedded engine: libchdb %s at %s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, embedded.LibVersion, embedded.LibPath())
			return nil
		},
	}
}
