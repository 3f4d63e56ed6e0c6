package sql

import (
	"fmt"

	"github.com/xuchang-hrss/creditsync/contract"
)

// List is what the templates know of one list of the contract, so that a
// block written once (the list's part of v_list_records, its row in a
// count of every list) serves every list, a new one included. The
// templates get lists from two functions:
//
//	allLists                   every list of the contract, in its order
//	lists "penalties" "abnormal"  the named lists, in that order, as .Lists
//	                              beside .OnCluster
//
// A migration names its lists itself, so that what it creates does not
// change when a list is added to the contract later.
type List struct {
	Name, Title, Evidence string
	// RecordKey is the column that keys a record on its own (record_id),
	// or "" for lists keyed by who is listed and when: their records are
	// "<uscc or name_key>|<DateKey>", as grading's evidence ids.
	RecordKey, DateKey string
	// On, Ends and Reason: see contract.Dated; Ends and Reason may be "".
	On, Ends, Reason string
	// Authority and Grade say whether the list has those columns.
	Authority, Grade bool
}

func listOf(l *contract.List) List {
	v := List{Name: l.Name, Title: l.Title, Evidence: l.EvidenceKind(), On: l.Dated.On, Ends: l.Dated.Ends, Reason: l.Dated.Reason}
	if len(l.Key) == 1 {
		v.RecordKey = l.Key[0]
	}
	for _, k := range l.Key {
		if c, ok := l.Column(k); ok && c.Kind == contract.Date {
			v.DateKey = k
		}
	}
	_, v.Authority = l.Column("authority")
	_, v.Grade = l.Column("grade")
	return v
}

func allLists() []List {
	var out []List
	for _, l := range contract.Lists() {
		out = append(out, listOf(l))
	}
	return out
}

// Lists are the lists a migration names, beside .OnCluster for the
// blocks that create something.
type Lists struct {
	OnCluster string
	Lists     []List
}

// listsNamed fails the rendering on a name the contract does not know,
// or an external list that cannot be shown in v_list_records.
func (t Target) listsNamed(names ...string) (Lists, error) {
	var out []List
	for _, n := range names {
		l, err := contract.Lookup(n)
		if err != nil {
			return Lists{}, err
		}
		v := listOf(l)
		if l.External && (v.On == "" || (v.RecordKey == "" && v.DateKey == "")) {
			return Lists{}, fmt.Errorf("list %s: an external list needs Dated.On and a key of one column or with a date", n)
		}
		out = append(out, v)
	}
	return Lists{OnCluster: t.onCluster(), Lists: out}, nil
}
