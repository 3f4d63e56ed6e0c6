package transform

import (
	"errors"
	"fmt"
	"strings"
)

// usccAlphabet is the 31-character set of GB 32100-2015: digits and capital
// letters without I, O, S, V and Z. A character's index is its value.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^(i-1) mod 31 for the first 17 positions.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ErrUSCC is the sentinel wrapped by every USCC validation failure.
var ErrUSCC = errors.New("invalid unified social credit code")

// USCCCheckChar returns the GB 32100-2015 check character for the first 17
// characters of a unified social credit code.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("%w: need 17 characters before the check character, got %d", ErrUSCC, len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("%w: character %q at position %d is not allowed (digits and capital letters except I, O, S, V, Z)", ErrUSCC, first17[i], i+1)
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// ValidateUSCC checks length, character set and check character of an
// already normalised (trimmed, upper-cased, half-width) code.
func ValidateUSCC(code string) error {
	if len(code) != 18 {
		if n := len([]rune(code)); n == 18 {
			return fmt.Errorf("%w: %q has non-ASCII characters (normalise full-width text first)", ErrUSCC, code)
		}
		return fmt.Errorf("%w: %q has %d characters, want 18", ErrUSCC, code, len([]rune(code)))
	}
	want, err := USCCCheckChar(code[:17])
	if err != nil {
		return err
	}
	if strings.IndexByte(usccAlphabet, code[17]) < 0 {
		return fmt.Errorf("%w: check character %q is not allowed", ErrUSCC, code[17])
	}
	if code[17] != want {
		return fmt.Errorf("%w: %q has check character %c, want %c", ErrUSCC, code, code[17], want)
	}
	return nil
}
