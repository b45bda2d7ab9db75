package paramdb_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/paramdb"
)

func TestParamVersions(t *testing.T) {
	ctx := context.Background()
	db, _ := open(t)
	ps := paramdb.New(db)
	good, err := os.ReadFile("../../params/testdata/year-2027-testdata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	src, err := ps.Source(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.At(skalig.MonthOf(2027, 1)); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("2027 before import: err = %v, want EINVALID", err)
	}

	// A bad file: a Swedish message naming line and field; nothing stored.
	bad := strings.Replace(string(good), "\t3980\t", "\ttrettio\t", 1)
	_, err = ps.Import(ctx, "riksnorm-2027.tsv", []byte(bad), "admin-a")
	if skalig.ErrorCode(err) != skalig.EINVALID || !strings.Contains(skalig.ErrorMessage(err), "riksnorm-2027.tsv rad 18, fält amount_kr") {
		t.Fatalf("bad file: err = %v (%q)", err, skalig.ErrorMessage(err))
	}
	if vs, _ := ps.Versions(ctx); len(vs) != 0 {
		t.Fatalf("bad file stored: %+v", vs)
	}

	v, err := ps.Import(ctx, "riksnorm-2027.tsv", good, "admin-a")
	if err != nil {
		t.Fatal(err)
	}
	if v.Year != 2027 || v.Status != paramdb.ParamsPending || v.ID == 0 {
		t.Fatalf("imported: %+v", v)
	}
	// Pending: not in force.
	if p, _, err := ps.Effective(ctx); err != nil || len(p.Missing(2027)) == 0 {
		t.Fatalf("pending version in force: %v", err)
	}
	if _, err := ps.Approve(ctx, v.ID, "admin-a"); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("approve by the loader: err = %v, want EFORBIDDEN", err)
	}
	if _, err := ps.Approve(ctx, v.ID+100, "admin-b"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("approve unknown: err = %v, want ENOTFOUND", err)
	}
	a, err := ps.Approve(ctx, v.ID, "admin-b")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != paramdb.ParamsApproved || a.ApprovedBy != "admin-b" || a.ApprovedAt.IsZero() {
		t.Fatalf("approved: %+v", a)
	}
	if _, err := ps.Approve(ctx, v.ID, "admin-c"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("approve twice: err = %v, want ECONFLICT", err)
	}
	vs, err := ps.Versions(ctx)
	if err != nil || len(vs) != 1 || vs[0].LoadedBy != "admin-a" || vs[0].ApprovedBy != "admin-b" {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	// The approval enqueued the recalculation of waiting cases.
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND case_id = $2`,
		paramdb.JobParamsApproved, "params:2027:"+itoa(v.ID)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("jobs: %d %v", n, err)
	}
	if y, id, ok := paramdb.ParseParamsJob("params:2027:" + itoa(v.ID)); !ok || y != 2027 || id != v.ID {
		t.Fatalf("ParseParamsJob: %d %d %v", y, id, ok)
	}
	// The source sees the approval at once on a missing month, without Reload.
	s, err := src.At(skalig.MonthOf(2027, 1))
	if err != nil || s.Prisbasbelopp.Amount != skalig.Kronor(60000) {
		t.Fatalf("2027 after approval: %v %v", s, err)
	}
	// Another process's approval of a year already in force is seen on the
	// usual path when Refresh has passed.
	y26 := strings.ReplaceAll(strings.ReplaceAll(string(good), "2027", "2026"), "\t3980\t", "\t4010\t")
	other := paramdb.New(db)
	v26, err := other.Import(ctx, "riksnorm-2026.tsv", []byte(y26), "admin-c")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Approve(ctx, v26.ID, "admin-d"); err != nil {
		t.Fatal(err)
	}
	if s, _ := src.At(skalig.MonthOf(2026, 5)); s.Adult[0].Amount != skalig.Kronor(3940) {
		t.Fatalf("2026 before Refresh: %v, want the cached 3 940", s.Adult[0].Amount)
	}
	src.Refresh = 0
	if s, _ := src.At(skalig.MonthOf(2026, 5)); s.Adult[0].Amount != skalig.Kronor(4010) || s.Name != "riksnorm-2026-v"+itoa(v26.ID) {
		t.Fatalf("2026 after Refresh: %v %s, want the approved 4 010", s.Adult[0].Amount, s.Name)
	}

	// Audited: loaded and approved.
	evs, err := audit.Trail(ctx, db.SQL(), `action IN ($1, $2)`, false, paramdb.ActionParamsLoaded, paramdb.ActionParamsApproved)
	if err != nil || len(evs) != 4 || evs[0].Actor != "staff:admin-a" || evs[1].Actor != "staff:admin-b" {
		t.Fatalf("audit events: %+v %v", evs, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// open returns a fresh database and its CaseStore.
func open(tb testing.TB) (*store.DB, *store.CaseStore) {
	tb.Helper()
	db := dbtest.Open(tb)
	return db, store.NewCaseStore(db)
}
