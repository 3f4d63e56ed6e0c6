package load

import (
	"context"
	"iter"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/store"
)

// Stage is the stage table of a batch, with the metadata its rows carry
// (contract.MetaColumns), for EngineRows.
type Stage struct {
	Table    string
	BatchID  string
	LoadedAt time.Time
	Version  uint64
	Source   Source
}

// EngineRows writes valid rows of the batch into its stage table inside
// the engine (INSERT … SELECT), with the stored values and metadata Load
// would have written for them, and returns how many. It runs before the
// batch's other records are read, on the empty stage.
type EngineRows func(ctx context.Context, st Stage) (int64, error)

// LoadWithEngine is Load for a batch of which the engine reads and writes
// the valid, canonical records itself (engine), while records holds the
// others, validated in Go as by Load. Both count as read, and the batch
// is one: change detection, the batch log and the rejects are Load's.
func LoadWithEngine(ctx context.Context, s store.Store, m *contract.Mapping, list *contract.List, src Source, records iter.Seq2[Record, error], engine EngineRows) (Result, error) {
	return loadParsed(ctx, s, m, list, src, parse(m, records), engine)
}
