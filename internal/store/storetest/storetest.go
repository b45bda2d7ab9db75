// Package storetest is the contract suite of the services in package skalig
// that a store implements: skalig.CaseStore and CaseService, DraftService
// and CaseworkService. It speaks only through those interfaces, so that it
// states what any implementation must do; internal/store runs it on SQLite
// and, with SKALIG_TEST_PG set, on PostgreSQL (store_contract_test.go), as
// internal/registry/registrytest does for the registers.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
)

// Cases is the case side of a store: submitting and moving cases, and the
// case file the adapters read.
type Cases interface {
	skalig.CaseStore
	skalig.CaseService
}

// Services are the services of one store over one fresh, empty database.
type Services struct {
	Cases    Cases
	Drafts   skalig.DraftService
	Casework skalig.CaseworkService
}

// Run runs the suite; open returns the services over a fresh database for
// each subtest.
func Run(t *testing.T, open func(t *testing.T) Services) {
	t.Run("Submit", func(t *testing.T) { testSubmit(t, open(t)) })
	t.Run("Transition", func(t *testing.T) { testTransition(t, open(t)) })
	t.Run("Cases", func(t *testing.T) { testCases(t, open(t)) })
	t.Run("CaseFile", func(t *testing.T) { testCaseFile(t, open(t)) })
	t.Run("Drafts", func(t *testing.T) { testDrafts(t, open(t)) })
	t.Run("Casework", func(t *testing.T) { testCasework(t, open(t)) })
}

var month = skalig.MonthOf(2026, 4)

// PN returns a synthetic personnummer for YYYYMMDD and a birth number
// (980-999, the test numbers' range), with the check digit computed.
func PN(yyyymmdd string, serial int) skalig.PersonalNumber {
	s := fmt.Sprintf("%s%03d", yyyymmdd, serial)
	sum := 0
	for i, c := range s[2:11] {
		v := int(c - '0')
		if i%2 == 0 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return skalig.PersonalNumber(s + string(rune('0'+(10-sum%10)%10)))
}

var (
	applicant = PN("19900412", 982)
	partner   = PN("19910530", 984)
	child     = PN("20180903", 983)
)

// App returns a valid application of Högsby for April 2026 with the
// idempotency key key: an applicant and a child, with declared facts.
func App(key string) *skalig.Application {
	return &skalig.Application{
		Municipality: "0821", Kind: skalig.MonthlyApplication, Month: month,
		Members: []skalig.Member{
			{ID: "p1", PersonalNumber: applicant, Role: skalig.RoleApplicant},
			{ID: "c1", PersonalNumber: child, Role: skalig.RoleChild},
		},
		Facts: []skalig.Fact{
			{Kind: "cost.housing", Period: month, Value: skalig.AmountValue(skalig.Kronor(7400)), Source: skalig.SourceApplicant},
			{Kind: "income.child_allowance", PersonID: "c1", Period: month, Value: skalig.AmountValue(skalig.Kronor(1250)),
				Source: skalig.SourceApplicant},
		},
		IdempotencyKey: key,
	}
}

func submit(t *testing.T, s Services, app *skalig.Application) *skalig.Case {
	t.Helper()
	c, _, err := s.Cases.SubmitApplication(context.Background(), app)
	if err != nil {
		t.Fatalf("SubmitApplication: %v", err)
	}
	return c
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := skalig.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want %s", what, err, got, code)
	}
}

func testSubmit(t *testing.T, s Services) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		c, created, err := s.Cases.SubmitApplication(ctx, App("k1"))
		if err != nil || !created {
			t.Fatalf("SubmitApplication = %v, created %v", err, created)
		}
		if c.ID == "" || c.State != skalig.StateSubmitted || c.Municipality != "0821" || c.Month != month || c.Version < 1 {
			t.Fatalf("case %+v", c)
		}
		got, err := s.Cases.Case(ctx, c.ID)
		if err != nil || got.ID != c.ID || got.State != skalig.StateSubmitted || got.Version != c.Version {
			t.Fatalf("Case = %+v, %v", got, err)
		}
		app, err := s.Cases.CaseApplication(ctx, c.ID)
		if err != nil || len(app.Members) != 2 || len(app.Facts) != 2 || app.Facts[0].Kind != "cost.housing" || app.SubmittedAt.IsZero() {
			t.Fatalf("CaseApplication = %+v, %v", app, err)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		first := submit(t, s, App("same"))
		again, created, err := s.Cases.SubmitApplication(ctx, App("same"))
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("repeated submission: %+v created %v, %v; want case %s", again, created, err, first.ID)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		submit(t, s, App("reused"))
		other := App("reused")
		other.Facts[0].Value = skalig.AmountValue(skalig.Kronor(9000))
		_, _, err := s.Cases.SubmitApplication(ctx, other)
		wantCode(t, "another application with a used key", err, skalig.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := App("bad")
		bad.Members = nil
		_, _, err := s.Cases.SubmitApplication(ctx, bad)
		wantCode(t, "an application without members", err, skalig.EINVALID)
	})
	t.Run("Names", func(t *testing.T) {
		named := App("named")
		named.Members = append(named.Members, skalig.Member{ID: "p2", PersonalNumber: partner, Role: skalig.RolePartner, Name: "Bo Ek"})
		named.Members[0].Name = "Åsa Öberg-Lind"
		c := submit(t, s, named)
		anon := submit(t, s, App("anonymous"))
		app, err := s.Cases.CaseApplication(ctx, c.ID)
		if err != nil || app.Members[0].Name != "Åsa Öberg-Lind" || app.Members[1].Name != "" || app.Members[2].Name != "Bo Ek" {
			t.Fatalf("CaseApplication members = %+v, %v; want the names submitted", app, err)
		}
		unnamed := App("named")
		unnamed.Members = append(unnamed.Members, skalig.Member{ID: "p2", PersonalNumber: partner, Role: skalig.RolePartner})
		if unnamed.ContentHash() != named.ContentHash() {
			t.Error("ContentHash covers the names: a signed draft's hash would not match its submission")
		}
		for _, q := range []string{"åsa", "ÖBERG", "  öberg-lind  åsa ", "bo", "EK", "asa", "OBERG", "oberg-lind åsa"} {
			got, err := s.Cases.CasesByName(ctx, "0821", q, 10)
			if err != nil || len(got) != 1 || got[0].ID != c.ID {
				t.Errorf("CasesByName(%q) = %v, %v; want case %s only", q, got, err, c.ID)
			}
		}
		for _, q := range []string{"%", "_", "åsa bo x", "asä", "äsa"} {
			if got, err := s.Cases.CasesByName(ctx, "0821", q, 10); err != nil || len(got) != 0 {
				t.Errorf("CasesByName(%q) = %v, %v; want none", q, got, err)
			}
		}
		if got, err := s.Cases.CasesByName(ctx, "0180", "åsa", 10); err != nil || len(got) != 0 {
			t.Errorf("CasesByName in another municipality = %v, %v; want none", got, err)
		}
		_, err = s.Cases.CasesByName(ctx, "0821", "  ", 10)
		wantCode(t, "CasesByName without a word", err, skalig.EINVALID)
		_, err = s.Cases.CasesByName(ctx, "0821", "åsa", 0)
		wantCode(t, "CasesByName with limit 0", err, skalig.EINVALID)
		if app, err := s.Cases.CaseApplication(ctx, anon.ID); err != nil || app.Members[0].Name != "" {
			t.Errorf("an application without names: %+v, %v", app, err)
		}
		long := App("long-name")
		long.Members[0].Name = strings.Repeat("a", skalig.MaxNameLength+1)
		_, _, err = s.Cases.SubmitApplication(ctx, long)
		wantCode(t, "a name longer than MaxNameLength", err, skalig.EINVALID)
	})
	t.Run("NamesWithoutDiacritics", func(t *testing.T) {
		named := func(key, name string) *skalig.Case {
			a := App(key)
			a.Members[0].Name = name
			return submit(t, s, a)
		}
		goeran, goran, jose := named("fold-goeran", "Göran Müllerström"), named("fold-goran", "Goran Müllerström"), named("fold-jose", "José Núñez Müllerström")
		goeran2, asa := named("fold-goeran2", "Goeran Persson"), named("fold-asa", "Åsa Häkkinen-Lindqvist")
		obrien := named("fold-obrien", "Seán O'Brien")
		ids := func(cs []*skalig.Case) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			slices.Sort(out)
			return out
		}
		for q, want := range map[string][]*skalig.Case{
			"goran":             {goeran, goran},
			"GORAN mullerstrom": {goeran, goran},
			"göran":             {goeran},
			"Göran müllerström": {goeran},
			"göran mullerstrom": {goeran},
			// A word with a diacritic is matched as typed, even when
			// another of its letters lacks one.
			"mullerström":            nil,
			"goran müllerström":      {goeran, goran},
			"müllerström":            {goeran, goran, jose},
			"mullerstrom":            {goeran, goran, jose},
			"jose nunez":             {jose},
			"josé":                   {jose},
			"jöse":                   nil,
			"goran jose":             nil,
			"mullerstrom nunez jose": {jose},
			// Spelled without the Nordic and German letters: ö oe,
			// ü ue, å aa, ä ae (Göran, not Goran).
			"goeran":               {goeran, goeran2},
			"GOERAN muellerstroem": {goeran},
			"muellerstroem":        {goeran, goran, jose},
			"goeran mullerstrom":   {goeran},
			"göran persson":        nil,
			"aasa haekkinen":       {asa},
			"asa hakkinen":         {asa},
			"åsa häkkinen":         {asa},
			"aasa hakkinen":        {asa},
			"asa häkkinen":         {asa},
			"äsa":                  nil,
			// The beginning of a word (of a part of one: "-" parts it).
			"mull":         {goeran, goran, jose},
			"gö mü":        {goeran},
			"ström":        nil,
			"nun jo":       {jose},
			"lindqvist":    {asa},
			"lindq":        {asa},
			"häkkinen-lin": {asa},
			"aa ha":        {asa},
			// Compared by code points, not by a language's collation
			// (which would put o'brien among the ob… and ö after o).
			"o'b":      {obrien},
			"obr":      nil,
			"brien se": {obrien},
			"o seán":   {obrien},
			"gö":       {goeran},
		} {
			got, err := s.Cases.CasesByName(ctx, "0821", q, 10)
			var w []string
			for _, c := range want {
				w = append(w, c.ID)
			}
			slices.Sort(w)
			if err != nil || !slices.Equal(ids(got), w) {
				t.Errorf("CasesByName(%q) = %v, %v; want %v", q, ids(got), err, w)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Cases.Case(ctx, "no-such-case")
		wantCode(t, "Case", err, skalig.ENOTFOUND)
		_, err = s.Cases.CaseApplication(ctx, "no-such-case")
		wantCode(t, "CaseApplication", err, skalig.ENOTFOUND)
	})
}

func testTransition(t *testing.T, s Services) {
	ctx := context.Background()
	c := submit(t, s, App("t1"))
	t.Run("OK", func(t *testing.T) {
		n, err := s.Cases.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: skalig.StateFetching, Actor: "system"})
		if err != nil || n.State != skalig.StateFetching || n.Version != c.Version+1 {
			t.Fatalf("TransitionCase = %+v, %v", n, err)
		}
		got, _ := s.Cases.Case(ctx, c.ID)
		if got.State != skalig.StateFetching || got.Version != n.Version {
			t.Fatalf("read back %+v", got)
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		_, err := s.Cases.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: skalig.StateWithdrawn,
			Reason: skalig.ReasonWithdrawnByApplicant, Actor: "applicant"})
		wantCode(t, "a transition on a stale version", err, skalig.ECONFLICT)
	})
	t.Run("ErrNotAllowed", func(t *testing.T) {
		cur, _ := s.Cases.Case(ctx, c.ID)
		_, err := s.Cases.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: cur.Version, To: skalig.StatePaid, Actor: "system"})
		wantCode(t, "fetching → paid", err, skalig.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		cur, _ := s.Cases.Case(ctx, c.ID)
		_, err := s.Cases.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: cur.Version, To: skalig.StateCalculated})
		wantCode(t, "a transition without an actor", err, skalig.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Cases.TransitionCase(ctx, skalig.CaseTransition{CaseID: "no-such-case", Version: 1, To: skalig.StateFetching, Actor: "system"})
		wantCode(t, "TransitionCase", err, skalig.ENOTFOUND)
	})
	t.Run("Audited", func(t *testing.T) {
		// The submission, then the one transition that was made; the
		// refused ones left nothing. (Seq may be assigned after commit, as
		// on PostgreSQL, so the order is the list's.)
		evs, err := s.Cases.AuditEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actors []string
		for _, e := range evs {
			actors = append(actors, e.Actor)
		}
		if len(evs) != 2 || evs[0].Actor != "applicant" || evs[1].Actor != "system" || evs[1].At.Before(evs[0].At) {
			t.Fatalf("AuditEvents by %v, want the applicant's submission and the system's transition", actors)
		}
	})
}

func testCases(t *testing.T, s Services) {
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		app := App(fmt.Sprintf("list-%d", i))
		if i == 4 {
			app.Municipality = "0880"
		}
		ids = append(ids, submit(t, s, app).ID)
	}
	t.Run("Filter", func(t *testing.T) {
		cs, err := s.Cases.Cases(ctx, skalig.CaseFilter{Municipality: "0821"})
		if err != nil || len(cs) != 4 {
			t.Fatalf("Cases(0821) = %d, %v; want 4", len(cs), err)
		}
		for i := 1; i < len(cs); i++ {
			if cs[i].ID <= cs[i-1].ID {
				t.Fatalf("not oldest first: %s after %s", cs[i].ID, cs[i-1].ID)
			}
		}
		none, err := s.Cases.Cases(ctx, skalig.CaseFilter{State: skalig.StateDecided})
		if err != nil || len(none) != 0 {
			t.Fatalf("Cases(decided) = %d, %v; want none", len(none), err)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		var seen []string
		after := ""
		for {
			page, err := s.Cases.Cases(ctx, skalig.CaseFilter{After: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				seen = append(seen, c.ID)
			}
			after = page[len(page)-1].ID
		}
		// Pages go by id; two cases opened in the same millisecond
		// have ids in no particular order between them.
		want := slices.Sorted(slices.Values(ids))
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("pages %v, want %v", seen, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.Cases.Cases(ctx, skalig.CaseFilter{Limit: 5000})
		wantCode(t, "a limit of 5000", err, skalig.EINVALID)
		_, err = s.Cases.Cases(ctx, skalig.CaseFilter{State: "nonsense"})
		wantCode(t, "an unknown state", err, skalig.EINVALID)
	})
	t.Run("OfPerson", func(t *testing.T) {
		cs, err := s.Cases.CasesOfPerson(ctx, applicant)
		// Newest first, by id (ids of one millisecond in no particular order).
		if err != nil || len(cs) != 5 || cs[0].ID != slices.Max(ids) {
			t.Fatalf("CasesOfPerson = %d (first %v), %v; want 5, newest first", len(cs), cs, err)
		}
		in, err := s.Cases.CasesOfPersonIn(ctx, "0880", applicant)
		if err != nil || len(in) != 1 || in[0].ID != ids[4] {
			t.Fatalf("CasesOfPersonIn(0880) = %v, %v", in, err)
		}
		if ok, err := s.Cases.IsCasePerson(ctx, ids[0], applicant); err != nil || !ok {
			t.Fatalf("IsCasePerson(applicant) = %v, %v", ok, err)
		}
		if ok, err := s.Cases.IsCasePerson(ctx, ids[0], partner); err != nil || ok {
			t.Fatalf("IsCasePerson(a stranger) = %v, %v", ok, err)
		}
	})
}

func testCaseFile(t *testing.T, s Services) {
	ctx := context.Background()
	c := submit(t, s, App("file"))
	t.Run("Facts", func(t *testing.T) {
		fs, err := s.Cases.Facts(ctx, c.ID)
		if err != nil || len(fs) != 2 || fs[0].Kind != "cost.housing" || fs[1].PersonID != "c1" {
			t.Fatalf("Facts = %+v, %v", fs, err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		for what, n := range map[string]func() (int, error){
			"Records":            func() (int, error) { rs, err := s.Cases.Records(ctx, c.ID, ""); return len(rs), err },
			"Documents":          func() (int, error) { ds, err := s.Cases.Documents(ctx, c.ID); return len(ds), err },
			"DocumentRequests":   func() (int, error) { rs, err := s.Cases.DocumentRequests(ctx, c.ID); return len(rs), err },
			"Messages":           func() (int, error) { ms, err := s.Cases.Messages(ctx, c.ID); return len(ms), err },
			"ReviewRequests":     func() (int, error) { rs, err := s.Cases.ReviewRequests(ctx, "0821"); return len(rs), err },
			"CaseReviewRequests": func() (int, error) { rs, err := s.Cases.CaseReviewRequests(ctx, c.ID); return len(rs), err },
			"GrantedMonths": func() (int, error) {
				gs, err := s.Cases.GrantedMonths(ctx, []skalig.PersonalNumber{applicant}, month+1)
				return len(gs), err
			},
		} {
			if got, err := n(); err != nil || got != 0 {
				t.Errorf("%s of a new case = %d, %v; want none", what, got, err)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		var v map[string]any
		wantCode(t, "LatestRecord", s.Cases.LatestRecord(ctx, c.ID, skalig.RecordCalculation, &v), skalig.ENOTFOUND)
		_, err := s.Cases.CaseDecision(ctx, c.ID)
		wantCode(t, "CaseDecision", err, skalig.ENOTFOUND)
		_, err = s.Cases.Decision(ctx, "no-such-decision")
		wantCode(t, "Decision", err, skalig.ENOTFOUND)
		_, err = s.Cases.Receipt(ctx, "sha256:00")
		wantCode(t, "Receipt", err, skalig.ENOTFOUND)
		_, err = s.Cases.CasePayment(ctx, c.ID)
		wantCode(t, "CasePayment", err, skalig.ENOTFOUND)
		_, _, err = s.Cases.Evidence(ctx, "sha256:00")
		wantCode(t, "Evidence", err, skalig.ENOTFOUND)
		_, _, err = s.Cases.DocumentBody(ctx, "no-such-document")
		wantCode(t, "DocumentBody", err, skalig.ENOTFOUND)
		_, err = s.Cases.SampleResult(ctx, c.ID)
		wantCode(t, "SampleResult", err, skalig.ENOTFOUND)
		_, err = s.Cases.ReviewRequest(ctx, "no-such-request")
		wantCode(t, "ReviewRequest", err, skalig.ENOTFOUND)
	})
	t.Run("LogRead", func(t *testing.T) {
		before, _ := s.Cases.AuditEvents(ctx, c.ID)
		if err := s.Cases.LogRead(ctx, "caseworker:hl-1", c.ID, "web", "case"); err != nil {
			t.Fatal(err)
		}
		after, err := s.Cases.AuditEvents(ctx, c.ID)
		if err != nil || len(after) != len(before)+1 || after[len(after)-1].Actor != "caseworker:hl-1" {
			t.Fatalf("after LogRead: %d events (was %d), %v", len(after), len(before), err)
		}
	})
}

func testDrafts(t *testing.T, s Services) {
	ctx := context.Background()
	t.Run("Lifecycle", func(t *testing.T) {
		d := &skalig.Draft{Municipality: "0821", Applicant: applicant, Kind: skalig.MonthlyApplication, Month: month,
			Data: json.RawMessage(`{"a":["1"]}`)}
		if err := s.Drafts.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		if d.ID == "" || d.State != skalig.DraftOpen || d.Version == 0 {
			t.Fatalf("created %+v", d)
		}
		saved, err := s.Drafts.SaveDraft(ctx, d.ID, d.Version, json.RawMessage(`{"a":["2"]}`), partner)
		if err != nil || saved.Version <= d.Version || saved.Partner != partner {
			t.Fatalf("SaveDraft = %+v, %v", saved, err)
		}
		_, err = s.Drafts.SaveDraft(ctx, d.ID, d.Version, json.RawMessage(`{}`), "")
		wantCode(t, "SaveDraft on a stale version", err, skalig.ECONFLICT)
		signed, err := s.Drafts.SignApplicant(ctx, d.ID, saved.Version, "sha256:abc", "Åsa Öberg")
		if err != nil || signed.State != skalig.DraftAwaitingSignature || !signed.Signed(applicant) || signed.SignerName(applicant) != "Åsa Öberg" {
			t.Fatalf("SignApplicant = %+v, %v", signed, err)
		}
		_, err = s.Drafts.SignPartner(ctx, d.ID, signed.Version, child, "sha256:abc", "")
		wantCode(t, "SignPartner by someone else", err, skalig.EFORBIDDEN)
		both, err := s.Drafts.SignPartner(ctx, d.ID, signed.Version, partner, "sha256:abc", "Bo Ek")
		if err != nil || !both.Signed(partner) {
			t.Fatalf("SignPartner = %+v, %v", both, err)
		}
		read, err := s.Drafts.Draft(ctx, d.ID)
		if err != nil || read.SignerName(applicant) != "Åsa Öberg" || read.SignerName(partner) != "Bo Ek" {
			t.Fatalf("Draft signers = %+v, %v; want the names signed with", read, err)
		}
		mine, err := s.Drafts.DraftsOfPerson(ctx, partner)
		if err != nil || len(mine) != 1 || mine[0].ID != d.ID {
			t.Fatalf("DraftsOfPerson(partner) = %v, %v", mine, err)
		}
		c := submit(t, s, App("from-draft"))
		done, err := s.Drafts.MarkSubmitted(ctx, d.ID, c.ID)
		if err != nil || done.State != skalig.DraftSubmitted || done.CaseID != c.ID {
			t.Fatalf("MarkSubmitted = %+v, %v", done, err)
		}
		wantCode(t, "DeleteDraft of a submitted draft", s.Drafts.DeleteDraft(ctx, d.ID), skalig.ECONFLICT)
	})
	t.Run("Delete", func(t *testing.T) {
		d := &skalig.Draft{Municipality: "0821", Applicant: applicant, Kind: skalig.MonthlyApplication, Month: month, Data: json.RawMessage(`{}`)}
		if err := s.Drafts.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := s.Drafts.DeleteDraft(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.Drafts.Draft(ctx, d.ID)
		wantCode(t, "Draft after DeleteDraft", err, skalig.ENOTFOUND)
	})
	t.Run("Stale", func(t *testing.T) {
		d := &skalig.Draft{Municipality: "0821", Applicant: applicant, Kind: skalig.MonthlyApplication, Month: month, Data: json.RawMessage(`{}`)}
		if err := s.Drafts.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Drafts.DeleteStaleDrafts(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("DeleteStaleDrafts(an hour ago) = %d, %v; want 0", n, err)
		}
		if n, err := s.Drafts.DeleteStaleDrafts(ctx, time.Now().Add(time.Hour)); err != nil || n < 1 {
			t.Fatalf("DeleteStaleDrafts(in an hour) = %d, %v; want at least 1", n, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		err := s.Drafts.CreateDraft(ctx, &skalig.Draft{Municipality: "0821", Kind: skalig.MonthlyApplication, Month: month})
		wantCode(t, "a draft without an applicant", err, skalig.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Drafts.Draft(ctx, "no-such-draft")
		wantCode(t, "Draft", err, skalig.ENOTFOUND)
		_, err = s.Drafts.Reopen(ctx, "no-such-draft", 1, skalig.RoleApplicant)
		wantCode(t, "Reopen", err, skalig.ENOTFOUND)
		wantCode(t, "DeleteDraft", s.Drafts.DeleteDraft(ctx, "no-such-draft"), skalig.ENOTFOUND)
	})
}

func testCasework(t *testing.T, s Services) {
	ctx := context.Background()
	c := submit(t, s, App("desk"))
	t.Run("Staff", func(t *testing.T) {
		for _, m := range []skalig.StaffMember{
			{Subject: "hl-2", Name: "Bo Handläggare", Roles: []string{"caseworker"}, Municipalities: []string{"0821"}},
			{Subject: "hl-1", Name: "Anna Handläggare", Roles: []string{"caseworker"}, Municipalities: []string{"0880"}},
		} {
			if err := s.Casework.SeeStaff(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Casework.Staff(ctx, "")
		if err != nil || len(all) != 2 || all[0].Name != "Anna Handläggare" {
			t.Fatalf("Staff(all) = %+v, %v; want both, by name", all, err)
		}
		here, err := s.Casework.Staff(ctx, "0821")
		if err != nil || len(here) != 1 || here[0].Subject != "hl-2" {
			t.Fatalf("Staff(0821) = %+v, %v", here, err)
		}
	})
	t.Run("Assign", func(t *testing.T) {
		_, err := s.Casework.Assignment(ctx, c.ID)
		wantCode(t, "Assignment before Assign", err, skalig.ENOTFOUND)
		if err := s.Casework.Assign(ctx, c.ID, "hl-2", "staff:hl-2"); err != nil {
			t.Fatal(err)
		}
		a, err := s.Casework.Assignment(ctx, c.ID)
		if err != nil || a.Assignee != "hl-2" || a.AssignedBy != "staff:hl-2" {
			t.Fatalf("Assignment = %+v, %v", a, err)
		}
		wantCode(t, "Assign of no case", s.Casework.Assign(ctx, "no-such-case", "hl-2", "staff:hl-2"), skalig.ENOTFOUND)
	})
	t.Run("Queue", func(t *testing.T) {
		items, err := s.Casework.OpenCases(ctx, "0821")
		if err != nil || len(items) != 1 || items[0].Case.ID != c.ID || items[0].Applicant.Canonical() != applicant.Canonical() ||
			items[0].Assignee != "hl-2" || items[0].PendingApproval {
			t.Fatalf("OpenCases = %+v, %v", items, err)
		}
		_, err = s.Casework.PendingApproval(ctx, c.ID)
		wantCode(t, "PendingApproval of a case without one", err, skalig.ENOTFOUND)
	})
}
