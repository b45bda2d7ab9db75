package store_test

import (
	"testing"

	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/drafts"
	"skalig/internal/store/storetest"
)

// TestContract runs the services' contract suite on the store: on SQLite,
// and on PostgreSQL with SKALIG_TEST_PG.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Services {
		db := dbtest.Open(t)
		return storetest.Services{
			Cases:    store.NewCaseStore(db),
			Drafts:   drafts.New(db),
			Casework: deskdb.New(db),
		}
	})
}
