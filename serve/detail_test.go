package serve

import (
	"maps"
	"slices"
	"testing"
)

// An institution's API answer embeds the verdict of its …/eligibility —
// eligible and reason, as that answer gives them — and not the
// institution again, whose fields it left empty ("uscc": "", "grade": "")
// beside the real ones outside: values that do not apply are null, never
// "" (docs/guide.md).
func TestInstitutionEmbedsTheEligibilityVerdict(t *testing.T) {
	_, _, srv := evaluatedServer(t)
	h := srv.Handler()
	tests := []struct {
		name, uscc string
		eligible   bool
	}{
		{"A", "914403001922038216", true},
		{"revoked, D", "91440300708461136T", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d struct {
				Eligibility map[string]any `json:"eligibility"`
			}
			decode(t, get(t, h, "/api/institutions/"+tt.uscc+"?on=2026-10-08", weiduToken), &d)
			var alone map[string]any
			decode(t, get(t, h, "/api/institutions/"+tt.uscc+"/eligibility?on=2026-10-08", weiduToken), &alone)
			if keys := slices.Sorted(maps.Keys(d.Eligibility)); !slices.Equal(keys, []string{"eligible", "reason"}) {
				t.Errorf("eligibility holds %v, want eligible and reason: %v", keys, d.Eligibility)
			}
			if d.Eligibility["eligible"] != tt.eligible || d.Eligibility["eligible"] != alone["eligible"] || d.Eligibility["reason"] != alone["reason"] || d.Eligibility["reason"] == "" {
				t.Errorf("embedded %v, …/eligibility eligible %v reason %v; want eligible %v", d.Eligibility, alone["eligible"], alone["reason"], tt.eligible)
			}
		})
	}
}
