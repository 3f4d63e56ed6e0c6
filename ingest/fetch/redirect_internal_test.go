package fetch

import (
	"net/url"
	"testing"
)

// Credentials follow a redirect within their host, http to https
// included, and nowhere else: not to another host (a subdomain neither,
// unlike net/http's rule for Authorization), not down to plain http.
func TestCredentialsMayFollow(t *testing.T) {
	tests := []struct {
		from, to string
		want     bool
	}{
		{"http://credit.xuchang.gov.cn/api/list", "http://credit.xuchang.gov.cn/api/v2/list", true},
		{"http://credit.xuchang.gov.cn/api/list", "https://credit.xuchang.gov.cn/api/list", true},
		{"http://credit.xuchang.gov.cn:8080/api/list", "https://CREDIT.xuchang.gov.cn/api/list", true},
		{"https://credit.xuchang.gov.cn/api/list", "https://credit.xuchang.gov.cn:8443/api/list", true},
		{"https://credit.xuchang.gov.cn/api/list", "http://credit.xuchang.gov.cn/api/list", false},
		{"http://127.0.0.1:18422/api/list", "http://127.0.0.2:18422/api/list", false},
		{"http://xuchang.gov.cn/api/list", "http://www.xuchang.gov.cn/api/list", false},
		{"http://credit.xuchang.gov.cn/api/list", "http://credit.xuchang.gov.cn.example.com/api/list", false},
	}
	for _, tt := range tests {
		from, _ := url.Parse(tt.from)
		to, _ := url.Parse(tt.to)
		if got := CredentialsMayFollow(from, to); got != tt.want {
			t.Errorf("%s → %s: %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
