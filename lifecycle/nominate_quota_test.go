package lifecycle_test

import (
	"context"
	"errors"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// The 5% bounds the 典型名单: a nominee lowered since (its A no longer in
// effect) has left it, and its place may be given again; while it stays,
// the county's place is taken.
func TestNominationQuotaCountsTheListAsItIs(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	var usccs []string
	for range 21 { // 21 A in one county, 20 after one is lowered: 5% is one place
		usccs = append(usccs, gradetest.Put(t, s, gradetest.Fixture{}))
	}
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	first, second := usccs[0], usccs[1]
	if _, err := lifecycle.Nominate(ctx, s, r, 2025, []string{first}, "服务规范", day("2025-08-20")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Nominate(ctx, s, r, 2025, []string{second}, "服务规范", day("2025-08-21")); !errors.Is(err, lifecycle.ErrNomination) {
		t.Fatalf("a second nominee while the first stands: %v, want refused", err)
	}
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{"XCJC-2025-0901", first, "violation", "serious", day("2025-09-01"), "行政处罚"})
	if _, err := lifecycle.Regrade(ctx, s, r, day("2025-09-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Nominate(ctx, s, r, 2025, []string{second}, "服务规范", day("2025-09-03")); err != nil {
		t.Errorf("a nominee after the first was lowered and left the list: %v", err)
	}
}
