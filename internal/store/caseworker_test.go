package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/store/configdb"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/whatifdb"
)

func TestApprovals(t *testing.T) {
	ctx := context.Background()
	db, s := open(t)
	cw := approvalStore{deskdb.New(db), s}
	c := mustSubmit(t, s, testApp(t, "k1"))
	a := &store.Approval{CaseID: c.ID, CaseVersion: c.Version, Outcome: skalig.OutcomeRejected, Reasons: []string{"Inkomsten räcker."}, ProposedBy: "sara"}
	if err := cw.ProposeDecision(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := cw.ProposeDecision(ctx, &store.Approval{CaseID: c.ID, Outcome: skalig.OutcomeRejected, ProposedBy: "tomas"}); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("second pending approval: %v, want ECONFLICT", err)
	}
	p, err := cw.PendingApproval(ctx, c.ID)
	if err != nil || p.ID != a.ID || p.Outcome != skalig.OutcomeRejected || len(p.Reasons) != 1 || p.ProposedBy != "sara" {
		t.Fatalf("PendingApproval = %+v, %v", p, err)
	}
	items, _ := cw.OpenCases(ctx, "0821")
	if len(items) != 1 || !items[0].PendingApproval {
		t.Fatalf("OpenCases = %+v", items)
	}
	if err := cw.CloseApproval(ctx, c.ID, a.ID, store.ApprovalReturned, "tomas", "Beräkna om."); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.PendingApproval(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("after return: %v", err)
	}
	if err := cw.CloseApproval(ctx, c.ID, a.ID, store.ApprovalSigned, "tomas", ""); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("close twice: %v", err)
	}
	if err := cw.ProposeDecision(ctx, &store.Approval{CaseID: c.ID, Outcome: skalig.OutcomeRejected, ProposedBy: "sara"}); err != nil {
		t.Fatalf("a new proposal after the return: %v", err)
	}
	mustVerify(t, db)
}

func TestMunicipalConfig(t *testing.T) {
	ctx := context.Background()
	db, _ := open(t)
	base, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	mc := configdb.NewMunicipalConfig(db, base)
	// The months by the store's clock: the one in force, the next (the
	// earliest a change of the rules can apply from) and the one after.
	cur := skalig.DateOf(db.Clock()).Month()
	next, later := cur+1, cur+2

	rc, err := mc.Routing(ctx, "0821", cur)
	if err != nil || rc.Version() != "exempel 1" {
		t.Fatalf("embedded routing: %v %v", rc.Version(), err)
	}
	spec := rc.Spec()
	spec.SampleRate = 0.10
	body, _ := json.Marshal(spec)

	propose := func(v municipal.Change) (*municipal.Change, error) {
		v.Municipality, v.Author = "0821", "wilma"
		return &v, mc.Propose(ctx, &v)
	}
	// tried keeps a finished what-if run of the proposal, started by
	// whom, with the candidate's digest as it is now.
	tried := func(id, who string) string {
		t.Helper()
		p, err := mc.Proposal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		kind, name, data, err := mc.Candidate(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		run := &whatifdb.Run{Actor: who, Municipality: "0821", CandidateKind: kind, CandidateName: name, CandidateDigest: hex.EncodeToString(sum[:]),
			EngineVersion: "rules/test", Selection: json.RawMessage(`{}`), Totals: json.RawMessage(`{}`), Cases: 12, Changed: 3,
			Changes: json.RawMessage(`[]`), Candidate: data}
		if err := whatifdb.New(db).SaveRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		return run.ID
	}
	// A routing or guidelines version is never stored directly.
	if err := mc.AddVersion(ctx, &municipal.Change{Municipality: "0821", Kind: municipal.KindRouting, Version: "2", From: next, Body: body,
		Reason: "x", Author: "wilma"}, cur); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("AddVersion of routing: %v, want EINVALID", err)
	}
	if _, err := propose(municipal.Change{Kind: municipal.KindRouting, Version: "2", From: next, Body: body}); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("without a reason: %v, want EINVALID", err)
	}
	if _, err := propose(municipal.Change{Kind: municipal.KindRouting, Version: "2", From: cur, Body: body, Reason: "x"}); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("from the month in force: %v, want EINVALID", err)
	}
	if _, err := propose(municipal.Change{Kind: municipal.KindRouting, Version: "exempel 1", From: next, Body: body, Reason: "x"}); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("a name taken: %v, want EINVALID", err)
	}
	bad := spec
	bad.Rules = append(bad.Rules, routing.RuleSpec{Name: "trasig", Expression: "household.nope > 1", Reason: "x"})
	badBody, _ := json.Marshal(bad)
	_, err = propose(municipal.Change{Kind: municipal.KindRouting, Version: "2", From: next, Body: badBody, Reason: "x"})
	var se *skalig.Error
	if skalig.ErrorCode(err) != skalig.EINVALID || !asError(err, &se) || se.Fields[0].Field != "rules[2].expression" {
		t.Fatalf("a rule that does not compile: %v, want EINVALID on rules[2].expression", err)
	}
	v, err := propose(municipal.Change{Kind: municipal.KindRouting, Version: "2", From: next, Body: body, Reason: "Nämnden beslutade 10 %."})
	if err != nil {
		t.Fatal(err)
	}
	// Proposed: nothing in force yet.
	if rc, _ := mc.Routing(ctx, "0821", next); rc.Version() != "exempel 1" {
		t.Fatalf("a proposal in force: %s", rc.Version())
	}
	// The rule: a run of this change, by a second person.
	if _, err := mc.PutInForce(ctx, v.ID, "viktor", ""); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("without a run: %v, want EINVALID", err)
	}
	if _, err := mc.PutInForce(ctx, v.ID, "viktor", "nope"); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("an unknown run: %v, want EINVALID", err)
	}
	other := &whatifdb.Run{Actor: "staff:wilma", Municipality: "0821", CandidateKind: "routing", CandidateName: "x", CandidateDigest: "other",
		EngineVersion: "rules/test", Selection: json.RawMessage(`{}`), Totals: json.RawMessage(`{}`), Changes: json.RawMessage(`[]`)}
	if err := whatifdb.New(db).SaveRun(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := mc.PutInForce(ctx, v.ID, "viktor", other.ID); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("a run of another change: %v, want EINVALID", err)
	}
	run := tried(v.ID, "staff:wilma")
	if _, err := mc.PutInForce(ctx, v.ID, "wilma", run); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("by the proposer: %v, want EFORBIDDEN", err)
	}
	if _, err := mc.PutInForce(ctx, v.ID, "tomas", tried(v.ID, "staff:tomas")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("by who ran the what-if: %v, want EFORBIDDEN", err)
	}
	p, err := mc.PutInForce(ctx, v.ID, "viktor", run)
	if err != nil || p.Status != configdb.ProposalInForce {
		t.Fatalf("PutInForce: %+v, %v", p, err)
	}
	if _, err := mc.PutInForce(ctx, v.ID, "tomas", run); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("twice: %v, want ECONFLICT", err)
	}
	rc, _ = mc.Routing(ctx, "0821", cur)
	if rc.Version() != "exempel 1" {
		t.Errorf("this month: %s, want the embedded version", rc.Version())
	}
	rc, err = mc.Routing(ctx, "0821", next)
	if err != nil || rc.Version() != "2" || rc.Spec().SampleRate != 0.10 {
		t.Fatalf("next month: %v %v", rc.Version(), err)
	}
	// The same through the lookup with municipal.Set's method set.
	var lookup interface {
		Routing(string, skalig.Month) (*routing.Config, error)
	} = mc.Lookup()
	if rc, err := lookup.Routing("0821", next); err != nil || rc.Version() != "2" {
		t.Fatalf("Lookup next month: %v %v", rc.Version(), err)
	}
	// The audit event names the run and its totals.
	var data string
	if err := db.SQL().QueryRow(`SELECT data FROM audit_trail WHERE action = $1 AND actor = 'staff:viktor'`, configdb.ActionConfigPutInForce).Scan(&data); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		ProposedBy string `json:"proposed_by"`
		Run        struct {
			RunID   string `json:"run_id"`
			Cases   int    `json:"cases"`
			Changed int    `json:"changed"`
		} `json:"whatif_run"`
	}
	if err := json.Unmarshal([]byte(data), &ev); err != nil || ev.Run.RunID != run || ev.Run.Cases != 12 || ev.Run.Changed != 3 || ev.ProposedBy != "wilma" {
		t.Fatalf("put in force audit data %s", data)
	}

	// Guidelines: the candidate is the municipality's file with the
	// version in it.
	g := map[string]any{"source": "Nämndens beslut 2026-11-20 § 7", "max_housing": map[string]any{
		"one_adult": []int{5000, 6500, 7500, 8100, 8700, 9300}, "two_adults": []int{5800, 6500, 7500, 8100, 8700, 9300}}}
	gb, _ := json.Marshal(g)
	gv, err := propose(municipal.Change{Kind: municipal.KindGuidelines, Version: "nya hyror", From: later, Body: gb, Reason: "Nya hyresnivåer."})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := mc.Proposal(ctx, gv.ID); p == nil {
		t.Fatal("no proposal")
	} else if kind, _, data, err := mc.Candidate(ctx, p); err != nil || kind != "municipal" || !strings.Contains(string(data), "nya hyror") {
		t.Fatalf("guidelines candidate: %s, %v", kind, err)
	}
	if _, err := mc.PutInForce(ctx, gv.ID, "viktor", tried(gv.ID, "staff:wilma")); err != nil {
		t.Fatal(err)
	}
	gl, err := mc.Guidelines(ctx, "0821", later)
	if err != nil || !strings.HasPrefix(gl.Version, "nya hyror") || gl.MaxHousing[0][0] != skalig.Kronor(5000) {
		t.Fatalf("Guidelines = %+v, %v", gl, err)
	}
	if gl, _ := mc.Guidelines(ctx, "0821", next); strings.HasPrefix(gl.Version, "nya hyror") {
		t.Errorf("next month has the later guidelines")
	}
	badG, _ := json.Marshal(map[string]any{"source": "x", "max_housing": map[string]any{"one_adult": []int{-1}, "two_adults": []int{1}}})
	if _, err := propose(municipal.Change{Kind: municipal.KindGuidelines, Version: "fel", From: later + 1, Body: badG, Reason: "x"}); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("invalid guidelines: %v", err)
	}
	if ps, err := mc.Proposals(ctx, "0821"); err != nil || len(ps) != 2 || ps[0].Status != configdb.ProposalInForce {
		t.Fatalf("Proposals = %d, %v", len(ps), err)
	}

	// Casework settings are stored directly.
	if cs, _ := mc.Casework(ctx, "0821", next); cs != municipal.DefaultCaseworkSettings {
		t.Errorf("default settings = %+v", cs)
	}
	cb, _ := json.Marshal(municipal.CaseworkSettings{FourEyesReject: true, OverdueDays: 3})
	if err := mc.AddVersion(ctx, &municipal.Change{Municipality: "0821", Author: "wilma", Kind: municipal.KindCasework, Version: "fyra ögon",
		From: next, Body: cb, Reason: "Beslut i nämnden."}, cur); err != nil {
		t.Fatal(err)
	}
	if cs, _ := mc.Casework(ctx, "0821", next); !cs.FourEyesReject || cs.OverdueDays != 3 {
		t.Errorf("settings = %+v", cs)
	}
	if cs, _ := mc.Casework(ctx, "0821", cur); cs.FourEyesReject {
		t.Errorf("this month has next month's settings")
	}

	changes, err := configdb.NewStore(db).Changes(ctx, "0821")
	if err != nil || len(changes) != 3 || changes[0].Actor != "staff:wilma" || changes[1].Actor != "staff:viktor" {
		t.Fatalf("ConfigChanges = %d, %v", len(changes), err)
	}
	if _, err := mc.Routing(ctx, "9999", next); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("unknown municipality: %v", err)
	}
	mustVerify(t, db)
}

func asError(err error, target **skalig.Error) bool {
	e, ok := err.(*skalig.Error)
	if ok {
		*target = e
	}
	return ok && len(e.Fields) > 0
}

func TestCodeList(t *testing.T) {
	for in, want := range map[string][]string{
		`[]`: nil, `["a"]`: {"a"}, `["income_differs", "municipal:x"]`: {"income_differs", "municipal:x"},
		`["a\"b"]`: {`a"b`}, `["a,b"]`: {"a,b"},
	} {
		got, err := store.CodeList([]byte(in))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("codeList(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// The transaction forms of the approvals record the real actor (a client
// acting for a person), and the casework settings a decision is made under
// are read uncached.
func TestApprovalsTxActorAndCasework(t *testing.T) {
	ctx := context.Background()
	db, s := open(t)
	cw := configdb.NewStore(db)
	c := mustSubmit(t, s, testApp(t, "k1"))
	a := &store.Approval{CaseID: c.ID, CaseVersion: c.Version, Outcome: skalig.OutcomeRejected, ProposedBy: "sara"}
	if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error { return m.ProposeDecision(ctx, a, "api:sys for caseworker:sara") }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error {
		return m.CloseApproval(ctx, a.ID, store.ApprovalReturned, "tomas", "caseworker:tomas", "Nej.")
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error {
		return m.CloseApproval(ctx, a.ID, store.ApprovalSigned, "tomas", "caseworker:tomas", "")
	}); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("close twice: %v, want ENOTFOUND", err)
	}
	actors := map[string]string{}
	events, _ := s.AuditEvents(ctx, c.ID)
	for _, e := range events {
		actors[e.Action] = e.Actor
	}
	if actors[store.ActionDecisionProposed] != "api:sys for caseworker:sara" || actors[store.ActionApprovalClosed] != "caseworker:tomas" {
		t.Fatalf("actors %v", actors)
	}

	nov := skalig.MonthOf(2026, 11)
	if got, err := cw.Casework(ctx, "0821", nov); err != nil || got != municipal.DefaultCaseworkSettings {
		t.Fatalf("default casework %+v, %v", got, err)
	}
	base, _ := municipal.Default()
	mc := configdb.NewMunicipalConfig(db, base)
	if _, err := mc.Casework(ctx, "0821", nov); err != nil { // cached now in mc
		t.Fatal(err)
	}
	body, _ := json.Marshal(municipal.CaseworkSettings{FourEyesOverride: true, OverdueDays: 7})
	if err := configdb.NewMunicipalConfig(db, base).AddVersion(ctx, &municipal.Change{Municipality: "0821", Kind: municipal.KindCasework,
		Version: "fyra ögon", From: nov, Body: body, Author: "admin", Reason: "Test"}, nov); err != nil {
		t.Fatal(err)
	}
	if got, err := cw.Casework(ctx, "0821", nov); err != nil || !got.FourEyesOverride || got.OverdueDays != 7 {
		t.Fatalf("casework after the change %+v, %v", got, err)
	}
	if got, _ := cw.Casework(ctx, "0821", skalig.MonthOf(2026, 10)); got != municipal.DefaultCaseworkSettings {
		t.Fatalf("casework before its month %+v", got)
	}
	mustVerify(t, db)
}

// approvalStore makes the approvals each in a change of its own, audited
// as the caseworker.
type approvalStore struct {
	*deskdb.Store
	cases *store.CaseStore
}

func (a approvalStore) ProposeDecision(ctx context.Context, p *store.Approval) error {
	_, err := a.cases.Update(ctx, p.CaseID, func(m *store.Moves) error { return m.ProposeDecision(ctx, p, "caseworker:"+p.ProposedBy) })
	return err
}

func (a approvalStore) CloseApproval(ctx context.Context, caseID, id, status, by, note string) error {
	_, err := a.cases.Update(ctx, caseID, func(m *store.Moves) error { return m.CloseApproval(ctx, id, status, by, "caseworker:"+by, note) })
	return err
}

// A decision written on a case closes the decision still waiting there for
// a second signature, whatever path made it (here the robot's): the
// proposal could never be signed on a decided case.
func TestDecisionReturnsThePendingApproval(t *testing.T) {
	ctx := context.Background()
	db, s := open(t)
	cw := approvalStore{deskdb.New(db), s}
	app := testApp(t, "k2")
	c := mustSubmit(t, s, app)
	a := &store.Approval{CaseID: c.ID, CaseVersion: c.Version, Outcome: skalig.OutcomeRejected, Reasons: []string{"Inkomsten räcker."}, ProposedBy: "sara"}
	if err := cw.ProposeDecision(ctx, a); err != nil {
		t.Fatal(err)
	}
	decide(t, db, s, c, app, 1200)
	if p, err := cw.PendingApproval(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("after the decision: pending %+v, %v", p, err)
	}
	var status, by, note string
	if err := db.SQL().QueryRowContext(ctx, `SELECT status, decided_by, note FROM case_approvals WHERE id = $1`, a.ID).Scan(&status, &by, &note); err != nil {
		t.Fatal(err)
	}
	if status != store.ApprovalReturned || by != "system:automated" || note == "" {
		t.Fatalf("approval %s by %q (%q), want returned by system:automated with a note", status, by, note)
	}
	evs, err := s.AuditEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, ev := range evs {
		if ev.Action == store.ActionApprovalClosed {
			closed++
		}
	}
	if closed != 1 {
		t.Fatalf("%d approval.closed events, want 1", closed)
	}
	mustVerify(t, db)
}
