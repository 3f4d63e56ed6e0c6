package serve

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
)

// The eligibility endpoint answers as the command line does (docs/rules.md
// §4.7, §5) for every institution of the register the caller's county may
// see: one whose licence was cancelled, or not yet evaluated, is not
// eligible, with the reason — not 404, which stays for an unknown USCC and
// for another county's institution.
func TestEligibilityOfInstitutionsWithoutAGrade(t *testing.T) {
	ctx := context.Background()
	s, _, srv := evaluatedServer(t)
	const cancelled, newWeidu, newYuzhou = "9144030071526726XG", "91411002MA0000108D", "91411081MA0000108T"
	register, err := os.ReadFile(filepath.Join("testdata", "revoked", "institutions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "institutions.csv")
	rows := string(register) + newWeidu + ",魏都新设人力资源有限公司,411002,2026-08-15,,,2026-08-15\n" +
		newYuzhou + ",禹州新设人力资源有限公司,411081,2026-08-15,,,2026-08-15\n"
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := file.Import(ctx, s, l, path, file.ImportOptions{}); err != nil || res.Rejected > 0 {
		t.Fatalf("import: %v %v", err, res.Rejects)
	}
	h := srv.Handler()
	tests := []struct {
		name, uscc, token string
		status            int
		reason            string
	}{
		{"cancelled", cancelled, weiduToken, 200, "2026年9月1日注销"},
		{"not yet evaluated", newWeidu, weiduToken, 200, "尚未评价"},
		{"not yet evaluated, for the city", newYuzhou, cityToken, 200, "尚未评价"},
		{"another county's", newYuzhou, weiduToken, 404, ""},
		{"unknown", "91411002MA0000999X", cityToken, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, h, "/api/institutions/"+tt.uscc+"/eligibility?on=2026-10-08", tt.token)
			if resp.status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.status, tt.status, resp.body)
			}
			if tt.status != 200 {
				return
			}
			var e eligibilityJSON
			if err := json.Unmarshal([]byte(resp.body), &e); err != nil {
				t.Fatal(err)
			}
			if e.USCC != tt.uscc || e.Eligible || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("%s: eligible %v, reason %q; want not eligible, %q", e.USCC, e.Eligible, e.Reason, tt.reason)
			}
		})
	}
}
