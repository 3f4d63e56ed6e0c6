package file

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
)

// ErrUnrecognized is returned for a file whose tables belong to no list,
// or to more than one.
var ErrUnrecognized = errors.New("not a table of any list")

// Recognize finds the list a file's tables belong to, from their headers
// as the importer reads them (the first rows of each sheet, a header of
// one or two rows, English keys or Chinese names): the one list whose
// table is found in some sheet. Lists with the same columns (经营异常名录
// and 严重失信主体名单) are told apart by the list the file's name or the
// title above its table names. A file in which no list's table is found,
// or more than one list's, is ErrUnrecognized, naming what was found.
func Recognize(path string) (*contract.List, error) {
	var found, named []*contract.List
	for _, list := range contract.Lists() {
		ok, above, err := holdsTable(path, list)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		found = append(found, list)
		if names(list, filepath.Base(path)+" "+above) {
			named = append(named, list)
		}
	}
	if len(found) > 1 && len(named) == 1 {
		found = named
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("%s: %w: no sheet has a header naming the required columns of one of %s", path, ErrUnrecognized, strings.Join(contract.Names(), ", "))
	}
	var names []string
	for _, l := range found {
		names = append(names, l.Name)
	}
	return nil, fmt.Errorf("%s: %w: it holds tables of %s; import it with the list named (LIST=FILE)", path, ErrUnrecognized, strings.Join(names, " and "))
}

// holdsTable reports whether some sheet of path holds a table of list,
// and the text above that table (a title). The file is opened anew for
// each list: a CSV file is read once per opening.
func holdsTable(path string, list *contract.List) (bool, string, error) {
	b, err := openWorkbook(path)
	if err != nil {
		return false, "", err
	}
	defer b.close()
	for _, sheet := range b.sheets() {
		rs, err := b.open(sheet)
		if err != nil {
			return false, "", err
		}
		t, err := findTable(list, sheet, rs, nil)
		var unread *readError
		if errors.As(err, &unread) {
			// Not "no table": the file cannot be read, whatever its list.
			return false, "", fmt.Errorf("%s: %w", path, err)
		}
		if err == nil {
			var above []string
			for _, r := range t.preamble {
				above = append(above, strings.Join(r, " "))
			}
			return true, sheet + " " + strings.Join(above, " "), nil
		}
	}
	return false, "", nil
}

// names reports whether text names list: its English name, its Chinese
// title, or the title's first four characters (经营异常, 严重失信, …).
func names(list *contract.List, text string) bool {
	text = strings.ToLower(text)
	short := []rune(list.Title)
	if len(short) > 4 {
		short = short[:4]
	}
	return strings.Contains(text, list.Name) || strings.Contains(text, list.Title) || strings.Contains(text, string(short))
}
