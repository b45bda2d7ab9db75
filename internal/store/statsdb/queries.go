package statsdb

import (
	"embed"
	"fmt"
	"io/fs"
	"skalig/internal/store"
	"strings"
)

// The statistics SQL lives in queries/, one file per store method:
// "Type.method.sql" for both databases, or "Type.method.sqlite.sql" and
// "Type.method.postgres.sql" where the SQL differs (as migrations do).
//
//go:embed queries/*.sql
var queryFiles embed.FS

// queryText returns the SQL of query name ("StatsStore.cases") for dialect
// d: its dialect's variant, else the common file. A missing query is a bug
// that the tests of its method find.
func queryText(d store.Dialect, name string) (string, error) {
	for _, f := range []string{name + "." + string(d) + ".sql", name + ".sql"} {
		b, err := fs.ReadFile(queryFiles, "queries/"+f)
		if err == nil {
			return strings.TrimSpace(string(b)), nil
		}
	}
	return "", fmt.Errorf("query %s: no file for %s in queries/", name, d)
}
