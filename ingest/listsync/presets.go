package listsync

import (
	"sort"

	"github.com/xuchang-hrss/creditsync/contract"
)

// presets are the known sources, so that a typical [[source]] needs only
// its url and credential. Field names follow what the publicity system's
// interfaces are known to use (PENDECNO, PENDECISSDATE, PENAUTH_CN,
// PENCONTENT, SPECAUSE_CN, ABNTIME, DECORG_CN, REMEXCPRES_CN, REMDATE)
// and what Credit China's sharing interface and list pages look like;
// ingest/fixture emulates exactly these.
var presets = map[string]func() Source{
	"gsxt_penalties": func() Source {
		s := gsxt()
		s.List = "penalties"
		s.Fields = map[string]string{
			"record_id": "PENDECNO", "uscc": "UNISCID", "name": "ENTNAME", "decided_on": "PENDECISSDATE",
			"authority": "PENAUTH_CN", "content": "PENCONTENT", "publicity_ended_on": "PUBLICENDDATE",
		}
		return s
	},
	"gsxt_abnormal": func() Source {
		s := gsxt()
		s.List = "abnormal"
		s.Fields = map[string]string{
			"uscc": "UNISCID", "name": "ENTNAME", "listed_on": "ABNTIME", "reason": "SPECAUSE_CN",
			"authority": "DECORG_CN", "removed_on": "REMDATE", "removal_reason": "REMEXCPRES_CN",
		}
		// The interface sends dates as milliseconds since the epoch.
		s.DateFormats = map[string]string{"listed_on": "unix_ms", "removed_on": "unix_ms"}
		return s
	},
	"creditchina_dishonest": func() Source {
		s := politeness()
		s.List, s.Kind = "dishonest", KindAPI
		s.AuthQuery = "appkey"
		s.Pagination, s.CursorParam, s.CursorPath = "cursor", "cursor", "data.nextCursor"
		s.SizeParam, s.PageSize, s.TotalPath = "limit", 50, "data.total"
		s.RecordsPath, s.StatusPath, s.StatusOK, s.MessagePath = "data.list", "status", []string{"1"}, "message"
		s.Fields = map[string]string{
			"uscc": "uniscid", "name": "entName", "listed_on": "inDate", "reason": "inReason",
			"authority": "inOrgan", "removed_on": "outDate",
		}
		return s
	},
	"creditchina_public_eval": func() Source {
		s := politeness()
		s.List, s.Kind = "public_eval", KindHTML
		s.RowSelector, s.HeaderSelector = "table.pjjg-list tbody tr", "table.pjjg-list thead th"
		s.NextSelector, s.PageCountSelector, s.EmptyText = "a.next", ".pagination .page-count", "暂无数据"
		return s
	},
}

var presetNotes = map[string]string{
	"gsxt_penalties":          "(publicity system: X-Api-Token header, page/size/total, PENDECNO … keys)",
	"gsxt_abnormal":           "(publicity system: X-Api-Token header, page/size/total, SPECAUSE_CN … keys, dates in ms)",
	"creditchina_dishonest":   "(Credit China: appkey parameter, next cursor)",
	"creditchina_public_eval": "(Credit China list pages: GBK, next link, page count)",
}

// aliases let a source name its list as its preset.
var aliases = map[string]string{
	"penalties": "gsxt_penalties", "abnormal": "gsxt_abnormal",
	"dishonest": "creditchina_dishonest", "public_eval": "creditchina_public_eval",
}

func gsxt() Source {
	s := politeness()
	s.Kind = KindAPI
	s.AuthHeader = "X-Api-Token"
	s.Pagination, s.PageParam, s.SizeParam, s.PageSize, s.TotalPath = "page", "page", "size", 50, "total"
	s.RecordsPath, s.StatusPath, s.StatusOK, s.MessagePath = "data", "code", []string{"200"}, "msg"
	return s
}

// Preset returns a preset by name or list alias. Each call builds a
// fresh value, so a source's overrides never leak into another's.
func Preset(name string) (Source, bool) {
	if a, ok := aliases[name]; ok {
		name = a
	}
	p, ok := presets[name]
	if !ok {
		return Source{}, false
	}
	return p(), true
}

// presetLists are the list names that stand for a preset, in contract
// order.
func presetLists() []string {
	var out []string
	for _, l := range contract.ExternalNames() {
		if _, ok := aliases[l]; ok {
			out = append(out, l)
		}
	}
	return out
}

// PresetNames lists the presets.
func PresetNames() []string {
	var out []string
	for n := range presets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
