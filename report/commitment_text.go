package report

// What 附件1 prints when it has no letter, worded once: the letters
// (templates/commitments.tmpl) and the reports page's note on them
// (CommitmentsNote) read these, so the note cannot promise a form the
// download does not hold.
const (
	allSigned    = "所有机构均已签订诚信承诺书"
	noneLicensed = "没有持证的人力资源服务机构"
)

// CommitmentsNote says what the 附件1 download holds, for the page that
// offers it.
const CommitmentsNote = "附件1诚信承诺书为尚未签订的机构各预填名称一份，每份一页；均已签订时写明“" +
	allSigned + "”（没有持证机构时写明“" + noneLicensed + "”）。"

// NoLetter is the sentence printed in place of the letters when there is
// none: every institution of the unit has signed, or it has none licensed.
func (c *Commitments) NoLetter() string {
	what := allSigned
	if c.Operating == 0 {
		what = noneLicensed
	}
	return dayCN(c.Day) + "：" + c.Unit.Name + what + "。"
}
