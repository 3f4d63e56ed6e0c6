package store

import (
	"fmt"
	"regexp"
)

var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// ValidDatabase checks a database name before any engine sees it: it is
// written into DDL (CREATE DATABASE) and cannot be a bound parameter there.
func ValidDatabase(name string) error {
	if !databaseName.MatchString(name) {
		return &Error{Op: "use database " + fmt.Sprintf("%q", name), Err: fmt.Errorf("invalid name"),
			Hint: "a database name is a letter or underscore followed by up to 63 letters, digits and underscores"}
	}
	return nil
}
