// Package listing says which records of a list keyed by an institution
// and a date (abnormal, dishonest, public_eval) are one listing, as
// grading reads them: the data contract keys such a list by USCC and
// date, and a record without a USCC counts as the institution's whose
// normalised name it carries. creditsync's key holds the name too, only
// to tell records without a USCC apart, so one listing may come under
// several keys (the old and the new name, with and without the USCC).
// The file import and the sync ask the same question of one file or
// snapshot: does it give one listing twice with different values that
// grading reads? Both answer it here, so that they cannot disagree.
package listing

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Dated returns the column that dates list's listings, and whether the
// list is keyed by an institution and that date (its key holds the
// name_key beside the date).
func Dated(list *contract.List) (on string, ok bool) {
	on = list.Dated.On
	return on, on != "" && slices.Contains(list.Key, "name_key")
}

// Graded are the columns of list whose values grading reads in a listing
// beside whom and when: its end (removed_on: listed at T or not, C6 and
// D5) and an evaluation's grade (the latest evaluation, D4). Two versions
// of one listing that differ in one of them leave the grade to their
// order; in the others (a reason, an authority) they only read
// differently.
func Graded(list *contract.List) []string {
	var cols []string
	if list.Dated.Ends != "" {
		cols = append(cols, list.Dated.Ends)
	}
	if _, ok := list.Column("grade"); ok {
		cols = append(cols, "grade")
	}
	return cols
}

// Names are the institutions (USCCs) the register holds under each
// normalised name (name_key) looked up.
type Names map[string][]string

// LookUp reads from the register the institutions of the normalised
// names nameKeys; a name no institution has is absent.
func LookUp(ctx context.Context, s store.Store, nameKeys []string) (Names, error) {
	names := Names{}
	if len(nameKeys) == 0 {
		return names, nil
	}
	q, err := sql.Query(sql.Target{Cluster: s.Cluster()}, "sync/institution_matches")
	if err != nil {
		return nil, err
	}
	rows, err := s.Query(ctx, q, store.Params{"name_keys": slices.Sorted(maps.Keys(set(nameKeys)))})
	if err != nil {
		return nil, fmt.Errorf("match names to institutions: %w", err)
	}
	for rows.Next() {
		var nk string
		var usccs []string
		if err := rows.Scan(&nk, &usccs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("match names to institutions: %w", err)
		}
		names[nk] = usccs
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("match names to institutions: %w", err)
	}
	return names, nil
}

func set(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// Institution is the one institution a record names, as grading
// attributes it: its USCC, else the one institution the register holds
// under its name; "" when it has no USCC and its name matches no
// institution or several.
func (n Names) Institution(uscc, nameKey string) string {
	if uscc != "" {
		return uscc
	}
	if m := n[nameKey]; len(m) == 1 {
		return m[0]
	}
	return ""
}

// Of names the listing a record is a version of: the institution it
// names and its date; a record naming no institution, by its name and
// date. "" when it has no date or names nothing.
func (n Names) Of(uscc, nameKey, date string) string {
	switch u := n.Institution(uscc, nameKey); {
	case date == "":
		return ""
	case u != "":
		return "u|" + u + "|" + date
	case nameKey != "":
		return "n|" + nameKey + "|" + date
	}
	return ""
}
