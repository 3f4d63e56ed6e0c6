package fetch

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// challengeMarkers are what anti-bot walls, CAPTCHA and login pages put
// in their HTML. They are only consulted for a page that lacks the data
// it should hold, so a list page that mentions 验证码 in its footer is
// not mistaken for a wall.
var challengeMarkers = []struct{ marker, reason string }{
	{"geetest", "slide CAPTCHA (geetest)"},
	{"nc_1_wrapper", "slide CAPTCHA (aliyun)"},
	{"滑动验证", "slide CAPTCHA"},
	{"拖动滑块", "slide CAPTCHA"},
	{"captcha", "CAPTCHA page"},
	{"验证码", "CAPTCHA page"},
	{"安全验证", "security check page"},
	{"人机验证", "human verification page"},
	{"访问过于频繁", "rate-limit wall"},
	{"请刷新后重试", "'请刷新后重试' challenge"},
	{"__jsl_clearance", "JavaScript cookie challenge (jsl)"},
	{"type=\"password\"", "login page"},
	{"type='password'", "login page"},
	{"请登录", "login page"},
}

var jsChallenge = regexp.MustCompile(`(?is)<script[^>]*>[^<]*document\.cookie\s*=.*location(\.href|\.replace|\s*=)`)

// LooksLikeChallenge reports whether body is an anti-bot challenge,
// CAPTCHA or login page, and which.
func LooksLikeChallenge(body []byte) (string, bool) {
	if reason, ok := jsonChallenge(body); ok {
		return reason, true
	}
	if jsChallenge.Match(body) {
		return "JavaScript cookie challenge", true
	}
	lower := strings.ToLower(string(body))
	for _, m := range challengeMarkers {
		if strings.Contains(lower, strings.ToLower(m.marker)) {
			return m.reason, true
		}
	}
	return "", false
}

// jsonChallenge recognises Credit China's JSON refusal,
// {"status":40001,"message":"请刷新后重试！"}, which arrives with HTTP 200.
func jsonChallenge(body []byte) (string, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || len(b) > 4096 {
		return "", false
	}
	var v struct {
		Status  any `json:"status"`
		Code    any `json:"code"`
		Message any `json:"message"`
		Msg     any `json:"msg"`
	}
	if json.Unmarshal(b, &v) != nil {
		return "", false
	}
	msg := text(v.Message) + text(v.Msg)
	if text(v.Status) == "40001" || text(v.Code) == "40001" || strings.Contains(msg, "请刷新后重试") {
		return "Credit China refusal 40001 '" + strings.TrimSpace(msg) + "'", true
	}
	return "", false
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
