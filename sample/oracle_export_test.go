package sample

import (
	"reflect"
	"testing"
	"time"
)

func TestExpectAtAsOfIsWrite(t *testing.T) {
	for _, d := range []time.Time{asOf, ymd(2024, 2, 29)} {
		opt := Options{Seed: 21, AsOf: d}
		_, _, exps := write(t, opt)
		got, err := ExpectAt(opt, d)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, exps) {
			t.Errorf("AsOf %s: ExpectAt differs from Write's expectations", d.Format(time.DateOnly))
		}
	}
	if _, err := ExpectAt(Options{Seed: 1}, asOf); err == nil {
		t.Error("zero AsOf accepted")
	}
}
