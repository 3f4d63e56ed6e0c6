package gen

import "strings"

// Names are built in SQL from these parts: place + trade name (字号) +
// suffix. The trade name is 2–4 characters read off an entity's index in
// mixed radix over tradeChars, so it is unique per entity and every name
// is too. Institutions and other enterprises take different suffixes, so
// an enterprise never shares a name with an institution and a name-only
// list row matches at most one institution. Every part is already in the
// form the importer stores (NFKC, half-width brackets), which the tests
// check.

// tradeChars are characters common in Chinese trade names; no place
// words (市, 县, 区), no duplicates.
var tradeChars = strings.Split(
	"安邦宝博昌辰诚创达德鼎东丰福富港广国海航昊浩合和恒弘宏鸿华汇惠慧吉佳嘉建金锦晶景久聚君钧凯康"+
		"科坤蓝乐力立利联良林龙隆路伦茂美明铭南宁鹏平朴启千强勤庆荣瑞润森尚盛胜圣世舜硕思泰腾天通同"+
		"拓万旺威伟文祥翔欣鑫新信星兴旭亚扬阳耀怡义益逸英永优宇玉元远源悦跃云泽展兆正志智中众卓宗尊"+
		"豫禾田晟辉峰松竹杰俊豪泓川江岳峻贤雅致诺澜凌睿琪骏鼐绿柏", "")

// Suffixes of institutions by registration authority and type: market
// regulation (91), public institutions (12), private non-profits (52).
var (
	hrSuffixes = []string{
		"人力资源服务有限公司", "人力资源服务有限公司", "人力资源服务有限公司", "人力资源服务有限公司",
		"劳务派遣有限公司", "劳务派遣有限公司", "人力资源有限公司", "人才服务有限公司",
		"劳务服务有限公司", "企业管理咨询有限公司", "职业介绍服务有限公司", "人力资源开发有限公司",
	}
	publicSuffixes    = []string{"人才交流中心", "公共就业服务中心", "人力资源市场服务中心"}
	nonProfitSuffixes = []string{"人才服务中心", "职业介绍服务中心", "职业技能培训学校"}
)

// Suffixes of the other enterprises: companies (91), individual
// businesses (92), farmers' cooperatives (93).
var (
	companySuffixes = []string{
		"发制品有限公司", "发制品有限公司", "商贸有限公司", "商贸有限公司", "建筑工程有限公司",
		"机械制造有限公司", "电气设备有限公司", "食品有限公司", "物流有限公司", "餐饮管理有限公司",
		"房地产开发有限公司", "汽车销售服务有限公司", "纺织有限公司", "再生资源回收有限公司",
		"新材料科技有限公司", "钧瓷文化有限公司", "花木有限公司", "电力设备有限公司",
		"装饰工程有限公司", "网络科技有限公司", "农业发展有限公司", "医疗器械有限公司",
	}
	shopSuffixes = []string{"便利店", "百货商行", "餐馆", "理发店", "五金建材门市部", "烟酒店", "家电维修部", "服装店"}
	coopSuffixes = []string{"花木种植专业合作社", "蔬菜种植专业合作社", "养殖专业合作社", "烟叶种植专业合作社"}
)

// maxInstitutionTrades is how many institutions get distinct trade names
// of at most three characters.
func maxInstitutionTrades() uint64 {
	c := uint64(len(tradeChars))
	return c * c * (c + 1)
}

// tradeSpace is the range institution trade names are drawn from: the
// two-character ones when there are enough of them.
func (sc Scale) tradeSpace() uint64 {
	c := uint64(len(tradeChars))
	if uint64(sc.Institutions) <= c*c {
		return c * c
	}
	return maxInstitutionTrades()
}

// maxEnterpriseTrades is how many enterprises get distinct trade names of
// at most four characters.
func maxEnterpriseTrades() uint64 {
	c := uint64(len(tradeChars))
	return c * c * (c*(c+1) + 1)
}

func nameParams() map[string]any {
	return map[string]any{
		"chars":              tradeChars,
		"hr_suffixes":        hrSuffixes,
		"public_suffixes":    publicSuffixes,
		"nonprofit_suffixes": nonProfitSuffixes,
		"company_suffixes":   companySuffixes,
		"shop_suffixes":      shopSuffixes,
		"coop_suffixes":      coopSuffixes,
	}
}
