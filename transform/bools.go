package transform

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBool is wrapped by every boolean parsing failure so that importers can
// count bad flags as one rejection reason with errors.Is.
var ErrBool = errors.New("invalid boolean")

var boolSpellings = map[string]bool{
	"true": true, "false": false,
	"t": true, "f": false,
	"1": true, "0": false,
	"yes": true, "no": false,
	"y": true, "n": false,
	"是": true, "否": false,
}

// ParseBool reads a yes/no cell in the spellings the bureau's staff and
// spreadsheet exports use. ok is false with a nil error for an empty cell,
// so that the caller applies the column's default (refused: false) rather
// than rejecting the row. Anything else is an error rather than a guess:
// a "拒不整改" flag read wrongly changes a grade.
func ParseBool(s string) (v bool, ok bool, err error) {
	n := NormalizeText(s)
	if n == "" {
		return false, false, nil
	}
	v, ok = boolSpellings[strings.ToLower(n)]
	if !ok {
		return false, false, fmt.Errorf("%w: %q; accepted: true/false, 1/0, yes/no, 是/否, Y/N, T/F (any case)", ErrBool, s)
	}
	return v, true, nil
}
