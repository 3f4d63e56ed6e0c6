package chhttp_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/chhttp"
)

// A setting given with the value already in force is accepted, as a
// ClickHouse server accepts it ("Setting isn't checked if value has not
// changed"): readonly=1 in the URL, log_queries=1, a limit at its value.
// It was refused as READONLY on its name alone. Only the engine's own
// writing of the value counts: another spelling of it, another value, or
// the value of another session (readonly is 2 while a SETTINGS clause
// applies; a county's catalog filter is its own) stay refused, so that
// neither readonly, nor the catalog filter, nor a limit can change.
func TestUnchangedSettingIsAccepted(t *testing.T) {
	srv, s := countyEndpoint(t, chhttp.Options{MaxMemoryUsage: 123_456_789})
	value := func(token, name string, clause bool) string {
		t.Helper()
		q := "SELECT value FROM system.settings WHERE name = {n:String} FORMAT TSVRaw"
		if clause {
			q = "SELECT value FROM system.settings WHERE name = {n:String} FORMAT TSVRaw SETTINGS max_threads = 1"
		}
		a := post(t, srv, token, q, url.Values{"param_n": {name}})
		if a.status != 200 {
			t.Fatalf("%s: %d %q", name, a.status, a.body)
		}
		return strings.TrimSuffix(a.body, "\n")
	}
	filter := value(countyToken, "additional_table_filters", false)
	if !strings.Contains(filter, "system.databases") {
		t.Fatalf("the county's catalog filter as the engine reports it: %q", filter)
	}
	if v := value(countyToken, "readonly", true); v != "2" {
		t.Fatalf("readonly while a SETTINGS clause applies: %q, want 2", v)
	}
	same := func(token, name string) string { return value(token, name, false) }
	for _, c := range []struct {
		token, name, value string
		clause             bool // in the statement's SETTINGS, else in the URL
		ok                 bool
	}{
		{countyToken, "readonly", "1", false, true},
		{cityToken, "readonly", "1", false, true},
		{countyToken, "log_queries", same(countyToken, "log_queries"), false, true},
		{countyToken, "log_queries", same(countyToken, "log_queries"), true, true},
		{countyToken, "join_use_nulls", same(countyToken, "join_use_nulls"), true, true},
		{countyToken, "max_memory_usage", "123456789", false, true},
		{countyToken, "max_memory_usage", "123456789", true, true},
		{countyToken, "additional_table_filters", filter, false, true},
		// Another value, or the same one written otherwise.
		{countyToken, "readonly", "0", false, false},
		{countyToken, "readonly", "2", false, false},
		{countyToken, "readonly", "true", false, false},
		{countyToken, "readonly", "01", false, false},
		{countyToken, "readonly", "1.0", false, false},
		{countyToken, "readonly", "'1'", false, false},
		{countyToken, "readonly", " 1", false, false},
		// A clause runs with readonly = 2: 1 would be a change.
		{countyToken, "readonly", "1", true, false},
		{countyToken, "readonly", "0", true, false},
		{countyToken, "max_memory_usage", "123456790", false, false},
		{countyToken, "max_memory_usage", "123456789.", true, false},
		{countyToken, "max_memory_usage", "0", true, false},
		{countyToken, "additional_table_filters", "{}", false, false},
		{countyToken, "additional_table_filters", "{}", true, false},
		{countyToken, "additional_table_filters", strings.Replace(filter, "IN (", "NOT IN (", 1), false, false},
		// The city's empty filter is not the county's.
		{countyToken, "additional_table_filters", value(cityToken, "additional_table_filters", false), false, false},
	} {
		q, params := "SELECT name FROM system.databases ORDER BY name FORMAT TSV", url.Values{}
		if c.clause {
			lit := c.value
			if c.name == "additional_table_filters" {
				lit = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(c.value) + "'"
			}
			q += " SETTINGS " + c.name + " = " + lit
		} else {
			params.Set(c.name, c.value)
		}
		a := post(t, srv, c.token, q, params)
		if !c.ok {
			if a.status == 200 || a.header.Get("X-ClickHouse-Exception-Code") != "164" {
				t.Errorf("%s = %q (clause %v): %d %q, want READONLY (164)", c.name, c.value, c.clause, a.status, a.body)
			}
			continue
		}
		if a.status != 200 {
			t.Errorf("%s = %q (clause %v): %d %q, want it accepted", c.name, c.value, c.clause, a.status, a.body)
			continue
		}
		if c.token == countyToken && a.body != s.Database()+"_county_411002\n" {
			t.Errorf("%s = %q (clause %v): the county sees databases %q, want its own alone", c.name, c.value, c.clause, a.body)
		}
	}
}
