package report

import (
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
)

// 是否选树 and 选树原因 are an A row's (the notice's B row leaves them
// empty): an institution chosen under the A in force, shown with the next
// evaluation's B publicized, has them empty too.
func TestExemplaryCellsAreAnARowsOnly(t *testing.T) {
	for _, tt := range []struct {
		g            grade.Grade
		exemplary    bool
		want, reason string
	}{
		{grade.A, true, "是", "助力乡村振兴"},
		{grade.A, false, "否", ""},
		{grade.B, true, "", ""},
		{grade.D, false, "", ""},
	} {
		r := summaryRow(InstitutionGrade{USCC: "91411002MA00000001", CountyCode: "411002", Grade: tt.g, Exemplary: tt.exemplary, ExemplaryReason: "助力乡村振兴"})
		if r.Exemplary != tt.want || r.ExemplaryReason != tt.reason {
			t.Errorf("%s, exemplary %v: 是否选树 %q 选树原因 %q, want %q %q", tt.g, tt.exemplary, r.Exemplary, r.ExemplaryReason, tt.want, tt.reason)
		}
	}
}
