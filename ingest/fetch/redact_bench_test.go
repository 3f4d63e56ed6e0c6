package fetch

import (
	"bytes"
	"testing"
)

// BenchmarkRedactPage measures redaction of a page of list records that holds
// no spelling of the secret: the common case, paid for every page fetched.
func BenchmarkRedactPage(b *testing.B) {
	page := bytes.Repeat([]byte(`{"uscc":"91411002MA44RS2L0Q","name":"许昌市某某人力资源有限公司","reason":"通过登记的住所或者经营场所无法联系","date":"2024-03-05","authority":"许昌市市场监督管理局"},`), 2000)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		replaceSpelled(page, "SEKRITab+cd/ef==")
	}
}
