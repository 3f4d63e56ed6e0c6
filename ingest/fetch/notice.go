package fetch

import "regexp"

// TransientNotice matches the words of a site's message that say its
// failure is passing: 系统繁忙, 访问过于频繁, 请稍后再试, 服务超时, 系统维护.
// A page that says so in place of its records is a failed page, worth
// another try, and never the listing's end: read as the end past a full
// last page, it would pass a count that understates the listing by a
// page.
var TransientNotice = regexp.MustCompile(`(?i)繁忙|频繁|稍后|重试|限制|限流|超时|维护|busy|later|again|limit|timeout|timed out|maintenance`)
