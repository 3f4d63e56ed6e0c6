package chhttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// nativeRevision rewrites Native blocks for a client that reads them at a
// protocol revision (client_protocol_version=N, as clickhouse-go sends):
// the embedded engine writes them as for revision 0, without block info
// and serialization flags, which such a client expects. Each write from
// the engine holds whole blocks (one chunk of the result).
type nativeRevision struct {
	out      io.Writer
	revision uint64
	tz       *time.Location
}

func (n *nativeRevision) Write(p []byte) (int, error) {
	r := chproto.NewReader(bytes.NewReader(p))
	for {
		block := proto.Block{ServerContext: &column.ServerContext{Timezone: n.tz}}
		if err := block.Decode(r, 0); err != nil {
			if errors.Is(err, io.EOF) {
				return len(p), nil
			}
			return 0, fmt.Errorf("re-encode Native block: %w", err)
		}
		var buf chproto.Buffer
		if err := block.Encode(&buf, n.revision); err != nil {
			return 0, fmt.Errorf("re-encode Native block: %w", err)
		}
		if _, err := n.out.Write(buf.Buf); err != nil {
			return 0, err
		}
	}
}
