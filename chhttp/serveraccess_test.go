package chhttp_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// The analysts' profile on a server lets a user change exactly what the
// endpoint lets a token change, within the same bounds: readonly = 1
// alone refused every setting a client sends (Grafana's
// max_execution_time, a URL's limit). The profile is read as the
// engine's parser writes it back.
func TestAnalystProfileAllowsWhatTheEndpointAllows(t *testing.T) {
	s := storetest.OpenEmbedded(t)
	ctx := context.Background()
	stmts, err := chhttp.ServerAccess(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	var profile string
	for _, q := range stmts {
		if strings.HasPrefix(q, "CREATE SETTINGS PROFILE") {
			profile = q
		}
	}
	var out bytes.Buffer
	if err := store.QueryFormatted(ctx, s, &out, "SELECT formatQuery({q:String})", store.FormatOptions{Format: "TSVRaw", Params: store.Params{"q": profile}}); err != nil {
		t.Fatalf("the engine does not parse the profile: %v\n%s", err, profile)
	}
	_, written, _ := strings.Cut(strings.TrimSpace(out.String()), " PROFILE ")
	_, list, ok := strings.Cut(written, " SETTINGS ")
	if !ok {
		t.Fatalf("no SETTINGS in the engine's writing: %q", out.String())
	}
	var names []string
	rows, err := s.Query(ctx, "SELECT name FROM system.settings", nil)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	allowed := map[string]bool{}
	for _, b := range sqlaccess.Changeable(names, chhttp.ServerCaps) {
		allowed[b.Name] = true
	}
	changeable, constant := map[string]bool{}, map[string]bool{}
	for _, entry := range strings.Split(list, ", ") {
		f := strings.Fields(entry)
		name, last := f[0], f[len(f)-1]
		switch last {
		case "CONST":
			constant[name] = true
			continue
		case "CHANGEABLE_IN_READONLY":
			changeable[name] = true
		default:
			// Not changeable in read-only mode at all.
			continue
		}
		if !allowed[name] {
			t.Errorf("the profile lets %s change; the endpoint does not", name)
		}
		var min, max string
		for i := range f {
			switch f[i] {
			case "MIN":
				min = f[i+1]
			case "MAX":
				max = f[i+1]
			}
		}
		if (min == "") != (max == "") {
			t.Errorf("%s: bounds %q–%q", name, min, max)
		}
		if max == "" {
			if err := sqlaccess.CheckSetting(name, "1", chhttp.ServerCaps); err != nil {
				t.Errorf("%s unbounded in the profile: the endpoint refuses 1: %v", name, err)
			}
			continue
		}
		// The endpoint takes the bounds and refuses past them, 0 (no
		// limit) included.
		lo, _ := strconv.ParseFloat(min, 64)
		hi, _ := strconv.ParseFloat(max, 64)
		for _, v := range []float64{lo, hi} {
			if err := sqlaccess.CheckSetting(name, strconv.FormatFloat(v, 'f', -1, 64), chhttp.ServerCaps); err != nil {
				t.Errorf("%s = %v within the profile's bounds; the endpoint refuses it: %v", name, v, err)
			}
		}
		for _, v := range []float64{lo / 2, hi + 1} {
			if v == lo {
				continue
			}
			if err := sqlaccess.CheckSetting(name, strconv.FormatFloat(v, 'f', -1, 64), chhttp.ServerCaps); err == nil {
				t.Errorf("%s = %v past the profile's bounds; the endpoint takes it", name, v)
			}
		}
	}
	for name := range allowed {
		if !changeable[name] {
			t.Errorf("the endpoint lets %s change; the profile does not", name)
		}
	}
	for _, name := range []string{"readonly", "priority", "max_concurrent_queries_for_user", "final", "allow_hyperscan"} {
		if !constant[name] {
			t.Errorf("%s is not CONST in the profile", name)
		}
	}
	for _, name := range []string{"max_execution_time", "max_result_bytes", "max_block_size", "limit", "enable_http_compression"} {
		if !changeable[name] {
			t.Errorf("%s is not changeable in the profile", name)
		}
	}
}
