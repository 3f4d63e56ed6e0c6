package api

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDigestHashesEveryField: digest is the hash of the fields, each
// followed by U+001F, each record by U+001E, however the fields fall
// against its buffer.
func TestDigestHashesEveryField(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var records [][]string
		for range rng.IntN(120) {
			var rec []string
			for range rng.IntN(9) {
				rec = append(rec, strings.Repeat("许", rng.IntN(3))+strings.Repeat("x", rng.IntN([]int{8, 300, 5000}[rng.IntN(3)])))
			}
			records = append(records, rec)
		}
		h := sha256.New()
		for _, r := range records {
			for _, f := range r {
				h.Write([]byte(f))
				h.Write([]byte{0x1f})
			}
			h.Write([]byte{0x1e})
		}
		if want := hex.EncodeToString(h.Sum(nil)[:12]); digest(records) != want {
			t.Fatalf("digest of %d records: %s, want %s", len(records), digest(records), want)
		}
	}
}
