package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
)

// PublicList is the list the bureau publishes on its website: who has
// which grade, valid when. It holds nothing else on purpose — clauses,
// evidence and records are internal.
type PublicList struct {
	Unit      Unit
	Day       time.Time
	Rows      []PublicRow
	Generated time.Time
	// Contact is how the public reaches a bureau, from [publicity] in
	// creditsync.toml (PublicContacts.For); empty fields are left out.
	Contact PublicContact
}

// PublicContact is a bureau's contact on the public list. Bureau is whose
// it is (PublicContacts.For sets it): the list names it unless it is the
// list's own bureau, so a county's list printing the city bureau's
// contact does not pass it off as the county's.
type PublicContact struct {
	Bureau                        string
	Person, Phone, Address, Email string
}

// PublicContacts are the contacts the public lists print: the city
// bureau's, and those of the counties that give their own. Each bureau
// publishes its own results (the notice: 评价结果通过本级人社部门官方网站
// 公开), so a county's list prints its own bureau's contact when it has
// one, else the city bureau's, named as the city's.
type PublicContacts struct {
	City PublicContact
	// Counties are keyed by current county code (transform.XuchangCounties).
	// An entry stands alone: the list prints the fields it gives and none
	// of the city's beside them, so the public is not sent to the city's
	// person at the county's phone.
	Counties map[string]PublicContact
}

// For returns the contact the public list of unit u prints, Bureau set:
// the county's own for a county that has one, else the city bureau's
// (the city's list and 市本级's are the city bureau's own).
func (c PublicContacts) For(u Unit) PublicContact {
	if own, ok := c.Counties[u.Code]; ok {
		own.Bureau = u.Bureau()
		return own
	}
	city := c.City
	city.Bureau = cityBureau
	return city
}

// PublicRow is one institution of the public list.
type PublicRow struct {
	Name, USCC            string
	Grade                 grade.Grade
	Evaluator             string // 评价单位: the bureau that graded it
	ValidFrom, ValidUntil time.Time
	Expired               bool // past ValidUntil without a new evaluation
	// State is StatePublicized, StateAwaitingConfirmation or
	// StateUnderReview for a grade not yet in force, with its publicity
	// period.
	State                        lifecycle.Status
	PublicityFrom, PublicityEnds time.Time
	// InForce labels the grade in force beside a grade not yet in force
	// (InForceLabel); "" otherwise.
	InForce string
}

// Publicity returns the publicity period of the grades on the list that
// are publicized: the earliest start and the latest end; ok is false when
// no grade on it is publicized. A grade whose publicity ended without a
// confirmation yet counts no more: its time to object is over; nor does
// one under objection, which is objected to already (past its publicity
// it made the list invite objections by a day gone).
func (l *PublicList) Publicity() (from, until time.Time, ok bool) {
	for _, r := range l.Rows {
		if r.State != StatePublicized || r.PublicityEnds.IsZero() {
			continue
		}
		if !ok || r.PublicityFrom.Before(from) {
			from = r.PublicityFrom
		}
		if !ok || r.PublicityEnds.After(until) {
			until = r.PublicityEnds
		}
		ok = true
	}
	return from, until, ok
}

// Sub is the line under the list's title: the evaluating unit (a
// city-wide list holds several, named in its column), the day and the
// count.
func (l *PublicList) Sub() string {
	s := fmt.Sprintf("日期：%s · 共 %d 家", dayCN(l.Day), len(l.Rows))
	if l.Unit.Code != CityCode {
		s = "评价单位：" + l.Unit.Bureau() + " · " + s
	}
	return s
}

// Footer is the list's last line: what the grades are, who is listed,
// and when it was made.
func (l *PublicList) Footer() string {
	return "信用等级分为 A、B、C、D 四级；被吊销人力资源服务许可的机构评为 D 级并列出，许可注销的机构不再列出。生成时间 " + clockCN(l.Generated) + "。"
}

// Notice is what the list says under its table, in the order printed:
// the publicity period and how and by when to object while grades are
// publicized, else what the list shows and where to write; then the
// contact.
func (l *PublicList) Notice() []string {
	var out []string
	bureau := l.Unit.Bureau()
	// Objections go to the bureau that made the grade (the notice: each
	// bureau evaluates and reviews its own). A list holding grades of
	// several bureaus — the city's, with every county's — sends each to
	// the bureau its row names, not all to the city's.
	to := bureau
	if evaluators := l.evaluators(); len(evaluators) > 1 || (len(evaluators) == 1 && evaluators[0] != bureau) {
		to = "该机构的评价单位（表中“评价单位”栏）"
	}
	if from, until, ok := l.Publicity(); ok {
		out = append(out,
			"公示期："+dayCN(from)+"至"+dayCN(until)+"。",
			"对公示结果有异议的，请于"+dayCN(until)+"前（含当日）以书面形式向"+to+"提出，写明异议事项和理由，并附相关证明材料；逾期未提出异议的，公示结果自公示期满次日起生效。")
	} else {
		out = append(out, l.standing()+"对评价结果有异议的，可以书面形式向"+to+"反映。")
	}
	c := l.Contact
	var contact []string
	for _, f := range []struct{ label, v string }{{"联系人", c.Person}, {"联系电话", c.Phone}, {"通讯地址", c.Address}, {"电子邮箱", c.Email}} {
		if f.v != "" {
			contact = append(contact, f.label+"："+f.v)
		}
	}
	if len(contact) > 0 {
		line := strings.Join(contact, "；") + "。"
		if c.Bureau != bureau {
			// Another bureau's contact (a county without its own prints
			// the city's) says whose it is, not to pass it off as that of
			// the bureau to which the list tells objectors to write.
			line = c.Bureau + "联系方式：" + line
		}
		out = append(out, line)
	}
	return out
}

// evaluators are the bureaus that made the list's grades, each once.
func (l *PublicList) evaluators() []string {
	var out []string
	for _, r := range l.Rows {
		if !slices.Contains(out, r.Evaluator) {
			out = append(out, r.Evaluator)
		}
	}
	return out
}

// The states of a grade in force on the list, as its 状态 column prints
// them and its footer names them.
const (
	stateValidName   = "有效"
	stateExpiredName = "已过期"
)

// standing says what the grades on a list without a publicity under way
// are on its day: in force for a year only where they are. A grade past
// its publicity and not confirmed, or under objection, is not in force
// (docs/rules.md §4.7), nor is an expired one any longer; each such state
// present is told by the name its rows carry.
func (l *PublicList) standing() string {
	present := map[string]bool{}
	for _, r := range l.Rows {
		present[publicState(r)] = true
	}
	if len(present) == 0 || len(present) == 1 && present[stateValidName] {
		return "以上为" + dayCN(l.Day) + "有效的信用等级，有效期一年。"
	}
	var parts []string
	for _, st := range []struct{ name, says string }{
		{stateValidName, "为" + dayCN(l.Day) + "有效的信用等级，有效期一年"},
		{stateExpiredName, "已超过一年有效期，为机构最近一次评定的信用等级"},
		{stateNames[StateAwaitingConfirmation], "公示期已满，尚未确认，确认后生效，有效期一年"},
		{stateNames[StateUnderReview], "正在异议复核，复核后确定的信用等级自复核之日起生效，有效期一年"},
		{stateNames[StatePublicized], "正在公示，公示期满无异议的确认后生效"},
	} {
		if present[st.name] {
			parts = append(parts, "状态为“"+st.name+"”的"+st.says)
		}
	}
	return "以上" + strings.Join(parts, "；") + "。"
}

// publicState is the 状态 a row of the list prints.
func publicState(r PublicRow) string {
	switch {
	case r.State != StateInForce:
		return stateNames[r.State]
	case r.Expired:
		return stateExpiredName
	}
	return stateValidName
}

// BuildPublicList builds the public list of unit u from the grades on day,
// by grade then USCC; now is when it is made.
func BuildPublicList(ctx context.Context, src Source, u Unit, day, now time.Time) (*PublicList, error) {
	day = grade.Date(day)
	gs, err := src.GradesOn(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("public list of %s: %w", u.Name, err)
	}
	l := &PublicList{Unit: u, Day: day, Generated: now}
	for _, g := range inUnit(gs, u) {
		l.Rows = append(l.Rows, PublicRow{Name: g.Name, USCC: g.USCC, Grade: g.Grade, Evaluator: unitOf(g.CountyCode).Bureau(), ValidFrom: g.ValidFrom, ValidUntil: g.ValidUntil, Expired: g.Expired,
			State: g.State, PublicityFrom: g.PublicityFrom, PublicityEnds: g.PublicityEnds, InForce: InForceLabel(g)})
	}
	return l, nil
}

// publicHeader is the public list's heading; PublicNote says it to the
// page that offers the list.
var publicHeader = []string{"序号", "机构名称", "统一社会信用代码", "信用等级", "状态", "有效期起", "有效期至", "评价单位"}

// PublicNote says what the public list holds, for the page that offers
// it: its columns, and not the violations or their evidence.
func PublicNote() string {
	cols := publicHeader[1:]
	return "公示名单只含" + strings.Join(cols[:len(cols)-1], "、") + "和" + cols[len(cols)-1] + "，不含失信情况及其证据。"
}

func (l *PublicList) table() table {
	tb := table{Sheet: "公示名单", Title: l.Unit.Name + "人力资源服务机构信用等级公示名单",
		Header: slices.Clone(publicHeader),
		Widths: []float64{6, 36, 22, 10, 12, 14, 18, 30}}
	for i, r := range l.Rows {
		state, from, until := publicState(r), dateCell(r.ValidFrom), dateCell(r.ValidUntil)
		switch {
		case r.State != StateInForce:
			from, until = text(""), text("")
			if r.InForce != "" {
				state += "；" + r.InForce
			}
		case r.Expired:
			// The public must not read an expired grade as current: the
			// state beside the date, as text.
			until = text(until.Text + "（" + stateExpiredName + "）")
		}
		// The grade as the notice writes it ("A 级"), coloured by its letter.
		g := gradeCell(r.Grade)
		g.Text = GradeLabel(r.Grade)
		tb.Rows = append(tb.Rows, []cell{num(i + 1), text(r.Name), uscc(r.USCC), g, text(state), from, until, text(r.Evaluator)})
	}
	return tb
}
