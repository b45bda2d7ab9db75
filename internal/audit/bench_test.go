package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"skalig/internal/audit"
	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// BenchmarkCase writes the audit events of one case as the workflow does:
// about fifteen in a transaction, kept by a batch and flushed at its end
// (chained at once on SQLite, left pending on PostgreSQL), then sealed.
// The write path of the chain: per event a digest and a row, no signature.
func BenchmarkCase(b *testing.B) {
	db := dbtest.Open(b)
	sdb := db.SQL()
	ctx := context.Background()
	data := json.RawMessage(`{"from":"fetching","reason":"all registers answered","to":"calculated","members":[{"id":"p1","personal_number":"199004129824"}]}`)
	b.ResetTimer()
	for i := range b.N {
		tx, err := sdb.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		var batch *audit.Batch
		if db.Dialect() == store.Postgres {
			batch = audit.DeferPending(tx)
		} else {
			batch = audit.Defer(tx)
		}
		for j := range 15 {
			if _, err := audit.Append(ctx, tx, audit.Event{At: time.Now(), Actor: "system", Action: "case.transition",
				CaseID: fmt.Sprintf("case-%d", i), Data: data}); err != nil {
				b.Fatal(err, j)
			}
		}
		if err := batch.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		if db.Dialect() == store.Postgres && i%20 == 19 {
			if _, err := audit.SealAll(ctx, sdb); err != nil {
				b.Fatal(err)
			}
		}
	}
}
