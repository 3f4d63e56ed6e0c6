package api

import (
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fetch"
)

// TestSiteMessageRedactedBeforeQuoting: a site's message is redacted as
// the site wrote it, before the error quotes it. Quoted first, the \/ a
// PHP gateway writes became \\/ and the key was shown. The answers here
// are decoded documents, as a replay of a page stored before its
// spelling was known hands them over, unredacted.
func TestSiteMessageRedactedBeforeQuoting(t *testing.T) {
	const tok = "SEKRITab+cd/ef=="
	c := &Client{
		cfg:  Config{StatusPath: "code", StatusOK: []string{"0"}},
		http: fetch.New("pen", fetch.Policy{}, fetch.Auth{Query: "appkey", Secret: fetch.NewSecret(tok)}, nil),
	}
	tests := []struct {
		name, messagePath string
		doc               map[string]any
	}{
		{"status with a message", "", map[string]any{"code": "40101", "msg": `{"appkey": "SEKRITab+cd\/ef=="}`}},
		{"message at message_path", "error.text", map[string]any{"code": "40101", "error": map[string]any{"text": "appkey " + tok + " 无效"}}},
		{"success flag false", "", map[string]any{"code": "0", "success": false, "message": `appkey=SEKRITab+cd\/ef==`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *c
			c.cfg.MessagePath = tt.messagePath
			err := c.envelope(tt.doc)
			if err == nil {
				t.Fatal("the answer passed; want it failed with the site's message")
			}
			if msg := err.Error(); strings.Contains(msg, "SEKRIT") || !strings.Contains(msg, "[redacted]") {
				t.Errorf("the error shows the key, or not where it was: %s", msg)
			}
		})
	}
}
