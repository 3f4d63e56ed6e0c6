package listsync_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
)

// Pages whose bytes are not in the charset their labels say. A wrong
// label over bytes valid in the other charset of these sites is read in
// the charset of the bytes, and the run says the label was wrong: the
// records keep their keys, so nothing looks new and nothing goes pending
// removal. Bytes valid in neither fail the snapshot and change nothing.
func TestWrongCharsetChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		source string
		fault  fixture.FaultKind
		want   error  // nil: the sync succeeds
		note   string // in Result.Mislabelled
	}{
		{"GBK JSON labelled UTF-8", platformPenalties, fixture.GBKLabelledUTF8, nil, "labelled utf-8, but its bytes are GB18030"},
		{"GBK HTML labelled UTF-8", cityAbnormal, fixture.GBKLabelledUTF8, nil, "labelled utf-8, but its bytes are GB18030"},
		{"UTF-8 HTML labelled GBK", cityAbnormal, fixture.UTF8LabelledGBK, nil, "labelled gbk, but its bytes are UTF-8"},
		{"UTF-8 JSON labelled GBK", platformPenalties, fixture.UTF8LabelledGBK, nil, "labelled gbk, but its bytes are UTF-8"},
		{"JSON valid in no charset", platformPenalties, fixture.CorruptBytes, fetch.ErrCharset, ""},
		{"HTML valid in no charset", cityAbnormal, fixture.CorruptBytes, fetch.ErrCharset, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newShapedEnv(t)
			e.mustSync()
			clean := e.state()
			e.fx.Inject(shapedEndpoint[tt.source], fixture.Fault{Kind: tt.fault})
			res, err := e.sync(listsync.Options{}, tt.source)
			r := result(t, res, tt.source)
			if tt.want != nil {
				if err == nil || r.Status == listsync.StatusOK || !errors.Is(err, tt.want) {
					t.Fatalf("sync: status %s, error %v; want a failure wrapping %v", r.Status, err, tt.want)
				}
			} else {
				if err != nil {
					t.Fatalf("sync: %v", err)
				}
				if r.Added != 0 || r.Modified != 0 || r.PendingRemovals != 0 || r.Removed != 0 {
					t.Errorf("a relabelled page changed records: %+v", r)
				}
				if len(r.Mislabelled) == 0 || !strings.Contains(r.Mislabelled[0], tt.note) {
					t.Errorf("Mislabelled = %q, want a note %q", r.Mislabelled, tt.note)
				}
			}
			if got := e.state(); got != clean {
				t.Errorf("the store changed:\nbefore\n%s\nafter\n%s", clean, got)
			}
			if n := e.count("SELECT count() FROM external_records FINAL WHERE position(record_key, '\uFFFD') > 0", nil); n != 0 {
				t.Errorf("%d record keys hold U+FFFD", n)
			}
		})
	}
}
