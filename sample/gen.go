package sample

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// generator holds the state of one sample being built.
type generator struct {
	r     *rng
	t     time.Time // AsOf as a calendar date
	y1    time.Time // T − 1y; the window is (y1, t]
	nmax  int       // latest report year due on or before t
	ds    dataset
	usccs map[string]bool
	names map[string]bool // normName of every entity, institutions and others
	keys  map[string]bool // list keys (uscc|date) already used, so no row replaces another
}

// build is one institution under construction; its reports are kept by year
// so scenarios can delete or move them before they are written.
type build struct {
	in      *institution
	reports map[int]time.Time
}

// campaign is when the 2023 notice had institutions sign credit commitments:
// the letters were due by 31 July 2023, so institutions licensed earlier
// signed in the six weeks before (campaign + up to 45 days ends on 30
// July). Signed after 31 July, every one of them would be B1 in the 2023
// evaluation, and no real year looks like that.
var campaign = ymd(2023, time.June, 15)

// generate builds all records in memory; Write only spells them out.
func generate(opt Options) (*generator, error) {
	if opt.AsOf.IsZero() {
		return nil, errors.New("sample: Options.AsOf is required")
	}
	n := opt.Institutions
	if n == 0 {
		n = 300
	}
	if n < len(scenarios) {
		return nil, fmt.Errorf("sample: Institutions = %d is too few; the designed scenarios need at least %d", n, len(scenarios))
	}
	t := civil(opt.AsOf)
	g := &generator{
		r:     newRNG(opt.Seed, 1),
		t:     t,
		y1:    minusYear(t),
		nmax:  latestDueYear(t),
		usccs: map[string]bool{},
		names: map[string]bool{},
		keys:  map[string]bool{},
	}

	// Scenario institutions sit at random places among the plain ones, so
	// nothing about a row's position gives its grade away.
	slot := make([]int, n)
	for i := range slot {
		slot[i] = -1
	}
	for i, p := range g.r.perm(n)[:len(scenarios)] {
		slot[p] = i
	}
	var plain []*build
	for _, s := range slot {
		style := anyName
		if s >= 0 {
			style = scenarios[s].style
		}
		in, err := g.newInstitution(style)
		if err != nil {
			return nil, err
		}
		b := &build{in: in, reports: map[int]time.Time{}}
		if s < 0 {
			in.scenario, in.graded = "plain", true
			in.LicensedOn = g.plainLicence()
			g.fill(b)
			g.noise(b)
			plain = append(plain, b)
		} else {
			sc := scenarios[s]
			in.scenario, in.want, in.graded = sc.name, sc.want, !sc.notGraded
			if sc.licensed != nil {
				in.LicensedOn = sc.licensed(g)
			} else {
				in.LicensedOn = g.r.between(g.t.AddDate(-10, 0, 0), g.t.AddDate(-4, 0, 0))
			}
			g.fill(b)
			if err := sc.apply(g, b); err != nil {
				return nil, fmt.Errorf("sample: scenario %s: %w", sc.name, err)
			}
		}
		in.LicenseNo = g.licenceNo(in)
		g.ds.institutions = append(g.ds.institutions, in)
		years := make([]int, 0, len(b.reports))
		for y := range b.reports {
			years = append(years, y)
		}
		sort.Ints(years)
		for _, y := range years {
			g.ds.reports = append(g.ds.reports, &annualReport{USCC: in.USCC, Year: y, SubmittedOn: b.reports[y]})
		}
	}
	if err := g.harmlessNameOnly(plain); err != nil {
		return nil, err
	}
	if err := g.others(n); err != nil {
		return nil, err
	}
	g.finish()
	return g, nil
}

// plainLicence: most plain institutions are established, some licensed in
// the last two years (fewer due reports, still grade A).
func (g *generator) plainLicence() time.Time {
	if g.r.chance(20) {
		return g.r.between(g.t.AddDate(-2, 0, 0), days(g.t, -30))
	}
	return g.r.between(g.t.AddDate(-10, 0, 0), g.t.AddDate(-2, 0, 0))
}

func (g *generator) licenceNo(in *institution) string {
	if g.r.chance(8) {
		return "" // optional column, left blank by some counties
	}
	return fmt.Sprintf("豫人服证字〔%d〕第%s%04d号", in.LicensedOn.Year(), g.countyOf(in), 1+g.r.intn(300))
}

// fill gives an institution what a compliant one has: a signed commitment,
// every due annual report on time, and a public credit evaluation history
// whose latest grade is not D. Scenarios then break exactly what they need.
func (g *generator) fill(b *build) {
	in, r := b.in, g.r
	if in.LicensedOn.Before(campaign) && !campaign.After(g.t) {
		in.Commitment = days(campaign, r.intn(46))
	} else {
		in.Commitment = days(in.LicensedOn, r.intn(61))
	}
	if onOrBefore(in.LicensedOn, g.t) && in.Commitment.After(g.t) {
		in.Commitment = g.t
	}

	for y := in.LicensedOn.Year(); y <= g.nmax; y++ {
		b.reports[y] = days(dueDate(y), -r.intn(86))
	}
	// The next year's report, when filed early and already before T.
	if y := g.nmax + 1; y >= in.LicensedOn.Year() && r.chance(50) {
		if d := days(dueDate(y), -r.intn(86)); onOrBefore(d, g.t) {
			b.reports[y] = d
		}
	}

	// Evaluations roughly yearly and at least 61 days before T, so that a
	// scenario can always add the latest one inside the last 60 days.
	for i, k := 0, r.intn(4); i < k; i++ {
		d := days(g.t, -61-365*i-r.intn(31))
		if d.Before(in.LicensedOn) {
			break
		}
		letter := r.pick([]string{"A", "A", "A", "A", "B", "B", "B", "C", "C"})
		if i > 0 && r.chance(5) {
			letter = "D" // an old D long since superseded
		}
		_ = g.addEval(in.USCC, in.Name, label(r, letter), d) // a year apart: no key clash
	}
}

// label spells a grade either way: local documents use 优/良/中/差.
func label(r *rng, letter string) string {
	if r.chance(50) {
		return letter
	}
	return map[string]string{"A": "优", "B": "良", "C": "中", "D": "差"}[letter]
}

// noise adds history that a real A institution has and that must not move
// its grade: reports filed late or missing in older years, old inspections
// that were rectified, old penalties and removed abnormal listings.
func (g *generator) noise(b *build) {
	in, r := b.in, g.r
	for y := in.LicensedOn.Year(); y < g.nmax; y++ { // in year order: map order would break determinism
		switch n := r.intn(100); {
		case n < 6:
			b.reports[y] = days(dueDate(y), 10+r.intn(110))
		case n < 10:
			delete(b.reports, y)
		}
	}
	lo := maxDate(days(in.LicensedOn, 30), g.t.AddDate(-4, 0, 0))
	if lo.After(g.y1) {
		return // too young for history outside the window
	}
	if r.chance(25) {
		kind, sev := "violation", r.pick([]string{"minor", "minor", "general", "general", "serious"})
		switch r.intn(10) {
		case 0, 1:
			kind, sev = "compliance_failure", ""
		case 2:
			kind, sev = "false_materials", ""
		case 3:
			kind, sev = "conditions_unmet", ""
		}
		rec := g.inspect(in, kind, sev, r.between(lo, g.y1))
		rec.RectifiedOn = days(rec.HandledOn, 10+r.intn(50))
	}
	if r.chance(10) {
		d := r.between(lo, g.y1)
		g.addPenalty(in.USCC, in.Name, d, g.publicityEnd(d), hrBureau(g.countyOf(in)), hrPenaltyContent(r))
	}
	if r.chance(8) {
		l := r.between(lo, days(g.t, -60))
		if err := g.addListing(&g.ds.abnormal, in.USCC, in.Name, l, r.between(days(l, 20), g.t), r.pick(abnormalReasons), marketBureau(g.countyOf(in))); err == nil {
			g.ds.abnormal[len(g.ds.abnormal)-1].RemovalReason = r.pick(removalReasons)
		}
	}
}

// publicityEnd follows the publicity system: three years for most penalties,
// one for minor ones, and blank when the source did not say.
func (g *generator) publicityEnd(decided time.Time) time.Time {
	switch g.r.intn(4) {
	case 0:
		return decided.AddDate(1, 0, 0)
	case 1:
		return time.Time{}
	default:
		return decided.AddDate(3, 0, 0)
	}
}

// countyOf is the county an institution belongs to: the explicit column
// wins over the code's division, as docs/data.md says.
func (g *generator) countyOf(in *institution) string {
	if in.County != "" {
		return in.County
	}
	return countyOf(in.USCC[2:8])
}

// window returns a date in (T − 1y, T].
func (g *generator) window() time.Time {
	n := int(g.t.Sub(g.y1).Hours() / 24)
	return days(g.t, -g.r.intn(n))
}

// before returns a date outside the window, between from and T − 1y.
func (g *generator) before(in *institution, from time.Time) time.Time {
	return g.r.between(maxDate(from, days(in.LicensedOn, 30)), g.y1)
}

var descriptions = map[string][]string{
	"violation/minor":     {"未在服务场所明示人力资源服务许可证", "未按规定建立求职者信息台账", "发布招聘信息未注明用人单位名称"},
	"violation/general":   {"超出许可业务范围发布招聘信息", "未按规定明示收费标准", "向劳动者收取押金"},
	"violation/serious":   {"发布虚假招聘信息", "以招聘为名牟取不正当利益", "扣押劳动者居民身份证"},
	"violation/major":     {"介绍未满16周岁的未成年人就业", "以欺诈手段组织劳动者外出务工造成严重后果", "伪造、涂改、转让人力资源服务许可证"},
	"fund_fraud/":         {"虚报培训人数骗取职业技能培训补贴", "伪造就业登记材料骗取就业补助资金", "虚构劳动关系骗取社会保险基金"},
	"false_materials/":    {"年度报告中虚报从业人员数量", "提交虚假服务场所证明材料", "隐瞒分支机构设立情况"},
	"conditions_unmet/":   {"服务场所面积不足，不符合设立条件", "专职工作人员不足5名", "迁址后未达到设立条件"},
	"compliance_failure/": {"未按规定报送人力资源服务统计报表", "变更机构名称未按规定备案", "未按规定报送书面报告", "拒绝接受监督检查"},
	"commitment_breach/":  {"违反信用承诺，承诺事项未落实", "承诺期限内未完成整改"},
}

var measures = map[string][]string{
	"violation/minor":     {"责令限期整改", "警告"},
	"violation/general":   {"责令限期整改", "行政处罚"},
	"violation/serious":   {"行政处罚", "责令限期整改；行政处罚"},
	"violation/major":     {"行政处罚；责令停业整顿", "吊销许可证"},
	"fund_fraud/":         {"追回资金；行政处罚", "追回资金；移送公安机关"},
	"false_materials/":    {"责令改正", "责令改正；警告"},
	"conditions_unmet/":   {"责令限期整改"},
	"compliance_failure/": {"责令限期整改", "约谈"},
	"commitment_breach/":  {"约谈提醒", "责令限期整改"},
}

// inspect adds an inspection record. It is rectified some weeks later when
// that is before T; otherwise the rectification is still open at T.
func (g *generator) inspect(in *institution, kind, severity string, handled time.Time) *inspection {
	k := kind + "/" + severity
	rec := &inspection{
		USCC:        in.USCC,
		Kind:        kind,
		Severity:    severity,
		HandledOn:   handled,
		Authority:   hrBureau(g.countyOf(in)),
		Measure:     g.r.pick(measures[k]),
		Description: g.r.pick(descriptions[k]),
	}
	if g.r.chance(20) {
		rec.Authority = "许昌市劳动保障监察支队"
	}
	if d := days(handled, 10+g.r.intn(50)); onOrBefore(d, g.t) {
		rec.RectifiedOn = d
	}
	g.ds.inspections = append(g.ds.inspections, rec)
	return rec
}

var hrPenaltyTexts = []string{
	"违反《人力资源市场暂行条例》第二十四条，发布虚假招聘信息，处罚款人民币%d元",
	"违反《劳务派遣暂行规定》，未按规定订立劳务派遣协议，处罚款人民币%d元",
	"违反《人力资源市场暂行条例》第二十八条，未按规定明示有关事项，处罚款人民币%d元",
	"违反《就业服务与就业管理规定》，向劳动者收取押金，处罚款人民币%d元",
}

// otherPenalties pairs an authority with what it fines other enterprises for.
var otherPenalties = []struct{ authority, text string }{
	{"市场监督管理局", "违反《中华人民共和国产品质量法》，生产销售不合格产品，没收违法所得并处罚款人民币%d元"},
	{"市场监督管理局", "违反《中华人民共和国食品安全法》，经营超过保质期的食品，处罚款人民币%d元"},
	{"市场监督管理局", "违反《企业信息公示暂行条例》，公示信息隐瞒真实情况，处罚款人民币%d元"},
	{"生态环境局", "违反《中华人民共和国大气污染防治法》，未采取防尘措施，处罚款人民币%d元"},
	{"应急管理局", "违反《中华人民共和国安全生产法》，未按规定开展安全培训，处罚款人民币%d元"},
	{"人力资源和社会保障局", "违反《保障农民工工资支付条例》，拖欠农民工工资，处罚款人民币%d元"},
}

func hrPenaltyContent(r *rng) string {
	return fmt.Sprintf(r.pick(hrPenaltyTexts), (1+r.intn(5))*10000)
}

// addPenalty adds an administrative penalty; its decision number is assigned
// in finish, once the rows are in their final order.
func (g *generator) addPenalty(uscc, name string, decided, ended time.Time, authority, content string) *penalty {
	p := &penalty{USCC: uscc, Name: name, DecidedOn: decided, PublicityEndedOn: ended, Authority: authority, Content: content}
	g.ds.penalties = append(g.ds.penalties, p)
	return p
}

var abnormalReasons = []string{
	"未按规定期限公示年度报告",
	"未在责令期限内公示即时信息",
	"公示信息隐瞒真实情况、弄虚作假",
	"通过登记的住所或者经营场所无法联系",
	"未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告",
}

var removalReasons = []string{
	"补报未报年份的年度报告并公示",
	"已依法办理住所变更登记",
	"依法履行即时信息公示义务",
	"更正其公示的信息",
}

var dishonestReasons = []string{
	"被列入经营异常名录届满3年仍未履行相关义务",
	"被列入经营异常名录届满3年仍未履行相关义务",
	"拖欠农民工工资数额较大，情节严重",
	"提供虚假材料骗取就业补助资金",
}

// dishonestAuthority: wage arrears and subsidy fraud are listed by the HR
// bureau, the rest by market regulation.
func dishonestAuthority(reason, county string) string {
	if strings.Contains(reason, "农民工工资") || strings.Contains(reason, "就业补助") {
		return hrBureau(county)
	}
	return marketBureau(county)
}

// addListing appends to the abnormal or dishonest list, refusing a second
// row with the same key (uscc or name, listed_on): by the contract it would
// replace the first and silently change the design.
func (g *generator) addListing(list *[]*listing, uscc, name string, listed, removed time.Time, reason, authority string) error {
	k := fmt.Sprintf("%p|%s|%s|%s", list, uscc, normName(name), listed.Format(time.DateOnly))
	if uscc != "" {
		k = fmt.Sprintf("%p|%s|%s", list, uscc, listed.Format(time.DateOnly))
	}
	if g.keys[k] {
		return fmt.Errorf("duplicate list key %s", k)
	}
	g.keys[k] = true
	*list = append(*list, &listing{USCC: uscc, Name: name, ListedOn: listed, RemovedOn: removed, Reason: reason, Authority: authority})
	return nil
}

// addEval adds a public credit evaluation unless one exists for the same key.
func (g *generator) addEval(uscc, name, grade string, on time.Time) error {
	k := "eval|" + uscc + "|" + on.Format(time.DateOnly)
	if uscc == "" {
		k = "eval||" + normName(name) + "|" + on.Format(time.DateOnly)
	}
	if g.keys[k] {
		return fmt.Errorf("duplicate evaluation key %s", k)
	}
	g.keys[k] = true
	g.ds.evals = append(g.ds.evals, &evaluation{USCC: uscc, Name: name, Grade: grade, EvaluatedOn: on})
	return nil
}

// harmlessNameOnly adds external rows that carry only an institution's name
// but cannot change its grade (an old penalty, a removed listing), and rows
// whose name matches nobody, which an importer must keep for review.
func (g *generator) harmlessNameOnly(plain []*build) error {
	var old []*institution
	for _, b := range plain {
		if b.in.LicensedOn.Before(g.t.AddDate(-3, 0, 0)) {
			old = append(old, b.in)
		}
	}
	if len(old) < 2 {
		return nil
	}
	a, b := old[0], old[1]
	d := g.before(a, g.t.AddDate(-3, 0, 0))
	g.addPenalty("", a.Name, d, time.Time{}, hrBureau(g.countyOf(a)), hrPenaltyContent(g.r))
	l := g.before(b, g.t.AddDate(-3, 0, 0))
	if err := g.addListing(&g.ds.abnormal, "", halfWidthBrackets(b.Name), l, days(l, 90), abnormalReasons[0], marketBureau(g.countyOf(b))); err != nil {
		return err
	}
	g.ds.abnormal[len(g.ds.abnormal)-1].RemovalReason = removalReasons[0]

	for i := 0; i < 2; i++ {
		name := g.strayName()
		g.addPenalty("", name, g.r.between(g.t.AddDate(-2, 0, 0), g.t), time.Time{}, hrBureau("411002"), hrPenaltyContent(g.r))
		if err := g.addListing(&g.ds.abnormal, "", g.strayName(), g.r.between(g.t.AddDate(-2, 0, 0), g.t), time.Time{}, abnormalReasons[3], marketBureau("411002")); err != nil {
			return err
		}
	}
	return nil
}

// halfWidthBrackets spells a name the other way round from the register, as
// different systems do; NFKC makes them equal again.
func halfWidthBrackets(s string) string {
	out := []rune{}
	for _, r := range s {
		switch r {
		case '（':
			r = '('
		case '）':
			r = ')'
		}
		out = append(out, r)
	}
	return string(out)
}

// others fills the external lists with enterprises that are not HR service
// institutions: in reality they are the vast majority of every list.
func (g *generator) others(n int) error {
	r := g.r
	pool := make([]enterprise, n)
	for i := range pool {
		e, err := g.newEnterprise()
		if err != nil {
			return err
		}
		pool[i] = e
	}
	for i := 0; i < n/2; i++ {
		e := pool[r.intn(len(pool))]
		d := r.between(g.t.AddDate(-3, 0, 0), g.t)
		p := otherPenalties[r.intn(len(otherPenalties))]
		g.addPenalty(e.uscc, e.name, d, g.publicityEnd(d), regionFull(e.county)+p.authority, fmt.Sprintf(p.text, (1+r.intn(20))*1000))
	}
	for i := 0; i < 2*n/3; i++ {
		e := pool[r.intn(len(pool))]
		l := r.between(g.t.AddDate(-5, 0, 0), g.t)
		var rem time.Time
		if r.chance(60) {
			rem = r.between(days(l, 20), g.t)
		}
		if g.addListing(&g.ds.abnormal, e.uscc, e.name, l, rem, r.pick(abnormalReasons), marketBureau(e.county)) != nil {
			continue
		}
		if !rem.IsZero() {
			g.ds.abnormal[len(g.ds.abnormal)-1].RemovalReason = r.pick(removalReasons)
		}
	}
	for i := 0; i < n/6; i++ {
		e := pool[r.intn(len(pool))]
		l := r.between(g.t.AddDate(-4, 0, 0), g.t)
		var rem time.Time
		if r.chance(20) {
			rem = r.between(l.AddDate(1, 0, 0), g.t) // early removal after a year at the soonest
		}
		reason := r.pick(dishonestReasons)
		_ = g.addListing(&g.ds.dishonest, e.uscc, e.name, l, rem, reason, dishonestAuthority(reason, e.county))
	}
	for i := 0; i < n; i++ {
		e := pool[r.intn(len(pool))]
		letter := r.pick([]string{"A", "A", "B", "B", "B", "C", "C", "D"})
		_ = g.addEval(e.uscc, e.name, label(r, letter), r.between(g.t.AddDate(-3, 0, 0), g.t))
	}
	return nil
}

// finish puts rows in the order a bureau export would have them and assigns
// record ids and decision numbers in that order, so ids grow with dates.
func (g *generator) finish() {
	ds := &g.ds
	sort.SliceStable(ds.inspections, func(i, j int) bool {
		a, b := ds.inspections[i], ds.inspections[j]
		if !a.HandledOn.Equal(b.HandledOn) {
			return a.HandledOn.Before(b.HandledOn)
		}
		return a.USCC < b.USCC
	})
	seq := map[string]int{}
	for _, r := range ds.inspections {
		y := strconv.Itoa(r.HandledOn.Year())
		seq[y]++
		r.ID = fmt.Sprintf("XCJC-%s-%04d", y, seq[y])
	}

	sort.SliceStable(ds.penalties, func(i, j int) bool {
		a, b := ds.penalties[i], ds.penalties[j]
		if !a.DecidedOn.Equal(b.DecidedOn) {
			return a.DecidedOn.After(b.DecidedOn) // newest first, as the publicity system lists them
		}
		return a.Name < b.Name
	})
	// Decision numbers count up through a year per authority; walk oldest first.
	for i := len(ds.penalties) - 1; i >= 0; i-- {
		p := ds.penalties[i]
		abbr := authorityAbbr(p.Authority)
		k := abbr + strconv.Itoa(p.DecidedOn.Year())
		seq[k]++
		p.ID = fmt.Sprintf("%s罚决字〔%d〕%d号", abbr, p.DecidedOn.Year(), seq[k])
	}

	byListed := func(l []*listing) {
		sort.SliceStable(l, func(i, j int) bool {
			if !l[i].ListedOn.Equal(l[j].ListedOn) {
				return l[i].ListedOn.After(l[j].ListedOn)
			}
			return l[i].Name < l[j].Name
		})
	}
	byListed(ds.abnormal)
	byListed(ds.dishonest)
	sort.SliceStable(ds.evals, func(i, j int) bool {
		a, b := ds.evals[i], ds.evals[j]
		if !a.EvaluatedOn.Equal(b.EvaluatedOn) {
			return a.EvaluatedOn.After(b.EvaluatedOn)
		}
		return a.Name < b.Name
	})
}

// authorityAbbr is the prefix of a decision number: 许人社, 禹市监, 长环 …
func authorityAbbr(authority string) string {
	place := "许"
	for _, r := range append(xuchang, elsewhere...) {
		if strings.HasPrefix(authority, r.full) {
			place = string([]rune(r.short)[:1])
			if r.short == "许昌" && r.full != "许昌市" {
				place = string([]rune(r.full)[3:4]) // 魏, 建
			}
		}
	}
	switch {
	case strings.Contains(authority, "人力资源和社会保障局"):
		return place + "人社"
	case strings.Contains(authority, "市场监督管理局"):
		return place + "市监"
	case strings.Contains(authority, "生态环境局"):
		return place + "环"
	case strings.Contains(authority, "应急管理局"):
		return place + "应急"
	}
	return place
}
