package recordsdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"skalig/internal/audit"
	"skalig/internal/store"
)

// LogReads is store.CaseStore.LogRead of each case of caseIDs, in one
// transaction: the reads of a command that reads many cases at once
// (skalig decision replay --all), one audit event a case.
func (s *Store) LogReads(ctx context.Context, actor string, caseIDs []string, via, what string) error {
	if len(caseIDs) == 0 {
		return nil
	}
	// InTx keeps the events and writes them together at the commit.
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		data, _ := json.Marshal(map[string]string{"via": via, "what": what})
		return audit.AppendEach(ctx, tx, audit.Event{At: s.db.Clock(), Actor: actor, Action: store.ActionRead, Data: data}, caseIDs)
	})
}
