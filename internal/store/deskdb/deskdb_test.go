package deskdb_test

import (
	"context"
	"testing"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
)

// TestStaffAndAssignments: staff seen at login, a case given to one of
// them and taken back (two audit events; giving it to the same person again
// writes none), and the queues' view of it.
func TestStaffAndAssignments(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	s := store.NewCaseStore(db)
	cw := deskdb.New(db)
	for _, m := range []store.StaffMember{
		{Subject: "sara", Name: "Sara Handläggarsson", Roles: []string{"caseworker"}, Municipalities: []string{"0821"}},
		{Subject: "yusuf", Name: "Yusuf Kalmarsson", Roles: []string{"caseworker"}, Municipalities: []string{"0880"}},
	} {
		if err := cw.SeeStaff(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.SeeStaff(ctx, store.StaffMember{Subject: "sara", Name: "Sara H", Roles: []string{"caseworker"}, Municipalities: []string{"0821"}}); err != nil {
		t.Fatal(err)
	}
	staff, err := cw.Staff(ctx, "0821")
	if err != nil || len(staff) != 1 || staff[0].Name != "Sara H" {
		t.Fatalf("Staff(0821) = %+v, %v", staff, err)
	}

	app := demo.Generate(1, "0821", skalig.MonthOf(2026, 4), 1)[0].App
	c, _, err := s.SubmitApplication(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cw.Assignment(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("Assignment before: %v, want ENOTFOUND", err)
	}
	if err := cw.Assign(ctx, c.ID, "sara", "staff:sara"); err != nil {
		t.Fatal(err)
	}
	if err := cw.Assign(ctx, c.ID, "sara", "staff:sara"); err != nil { // no change, no event
		t.Fatal(err)
	}
	a, err := cw.Assignment(ctx, c.ID)
	if err != nil || a.Assignee != "sara" || a.AssignedBy != "staff:sara" {
		t.Fatalf("Assignment = %+v, %v", a, err)
	}
	if err := cw.Assign(ctx, "no-such-case", "sara", "staff:sara"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("Assign(no such case) = %v", err)
	}
	items, err := cw.OpenCases(ctx, "0821")
	if err != nil || len(items) != 1 || items[0].Assignee != "sara" || items[0].Applicant == "" {
		t.Fatalf("OpenCases = %+v, %v", items, err)
	}
	if err := cw.Assign(ctx, c.ID, "", "staff:sara"); err != nil {
		t.Fatal(err)
	}
	events, _ := s.AuditEvents(ctx, c.ID)
	n := 0
	for _, e := range events {
		if e.Action == store.ActionAssigned {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d assignment events, want 2", n)
	}
	if items, _ := cw.OpenCases(ctx, "0880"); len(items) != 0 {
		t.Errorf("OpenCases(0880) = %d items", len(items))
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
		t.Fatalf("audit.Verify=%d, %v", n, err)
	}
}
