// Package registrytest is the contract suite that every skalig.Registers
// keeps: the client of the combined service, the simulator, and any
// connector added later. It asserts the shape of answers and the provenance
// of facts, never what a register holds about a person, so that it can run
// against a real test environment too.
package registrytest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skalig"
)

// Persons are the synthetic personnummer the suite asks about, with the
// födelsenummer 980-999 of Skatteverket's test personnummer and the check
// digit computed, some of them samordningsnummer.
var Persons = []skalig.PersonalNumber{
	pn("19900412982"), pn("19580101981"), pn("19650314982"), pn("19720531983"), pn("19811120984"),
	pn("19870707985"), pn("19930228986"), pn("19990915987"), pn("20040402988"), pn("20070101989"),
	pn("19850672990"), pn("19780923991"), pn("19620830992"), pn("19911211993"),
}

// pn appends the check digit to YYYYMMDDNNN.
func pn(s string) skalig.PersonalNumber {
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

// SourceKinds lists, per register, the fact kinds (or kind prefixes ending
// in '.') its part may carry: the mapping of docs/registers.md.
var SourceKinds = map[string][]string{
	skalig.RegisterFK: {"income.housing_allowance", "income.sickness_benefit", "income.parental_benefit",
		"income.activity_support", "income.maintenance_support", "income.child_allowance", "income.pension", "fk."},
	skalig.RegisterCSN:        {"income.student_grant", "csn."},
	skalig.RegisterAF:         {skalig.KindAFRegistered, "af."},
	skalig.RegisterSKV:        {"skv."},
	skalig.RegisterAkassa:     {"income.unemployment_benefit", "akassa."},
	skalig.RegisterMigration:  {skalig.KindPermitStatus, skalig.KindPermitValidUntil, "permit.", skalig.KindLawfulResidence},
	skalig.RegisterTransport:  {skalig.KindAssetVehicle},
	skalig.RegisterPopulation: {skalig.KindPopulationRegistered, skalig.KindCitizenship, skalig.KindPersonName},
}

// Month is the month the suite asks about.
var Month = skalig.MonthOf(2025, 3)

// Run runs the contract against the registers newRegisters returns, a new
// one for each subtest.
func Run(t *testing.T, newRegisters func(t *testing.T) skalig.Registers) {
	t.Run("OK", func(t *testing.T) {
		r := newRegisters(t)
		answered := 0
		for i, p := range Persons {
			req := request(p, "p"+string(rune('a'+i)), Month, Month)
			ans := mustFetch(t, r, req)
			Check(t, req, ans)
			for _, part := range ans.Parts {
				if part.Err == nil {
					answered++
				}
			}
		}
		if answered == 0 {
			t.Errorf("no source answered for any of %d persons", len(Persons))
		}
	})
	t.Run("EmptySourcesMeansAll", func(t *testing.T) {
		r := newRegisters(t)
		req := request(Persons[0], "p1", Month, Month)
		ans := mustFetch(t, r, req)
		Check(t, req, ans)
		if got := sourcesOf(ans); !slices.Equal(got, skalig.RegisterNames) {
			t.Errorf("sources=%v, want %v", got, skalig.RegisterNames)
		}
	})
	t.Run("SourcesSubset", func(t *testing.T) {
		r := newRegisters(t)
		req := request(Persons[1], "p1", Month, Month)
		req.Sources = []string{skalig.RegisterTransport, skalig.RegisterFK, skalig.RegisterTransport}
		ans := mustFetch(t, r, req)
		Check(t, req, ans)
		if got, want := sourcesOf(ans), []string{skalig.RegisterTransport, skalig.RegisterFK}; !slices.Equal(got, want) {
			t.Errorf("sources=%v, want %v", got, want)
		}
	})
	t.Run("Period", func(t *testing.T) {
		r := newRegisters(t)
		for _, p := range Persons[:6] {
			req := request(p, "p1", Month-2, Month)
			req.SourcePeriods = map[string]skalig.RegisterPeriod{
				skalig.RegisterSKV: {From: skalig.MonthOf(2024, 1), To: skalig.MonthOf(2024, 12)},
			}
			Check(t, req, mustFetch(t, r, req))
		}
	})
	t.Run("PersonID", func(t *testing.T) {
		r := newRegisters(t)
		for _, id := range []string{"", "member-2"} {
			req := request(Persons[2], id, Month, Month)
			Check(t, req, mustFetch(t, r, req))
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		r := newRegisters(t)
		for _, p := range Persons[:6] {
			req := request(p, "p1", Month, Month)
			a, b := mustFetch(t, r, req), mustFetch(t, r, req)
			for i := range a.Parts {
				pa, pb := a.Parts[i], b.Parts[i]
				if pa.Err != nil || pb.Err != nil {
					continue
				}
				if pa.UnknownPerson != pb.UnknownPerson || !slices.Equal(values(pa.Facts), values(pb.Facts)) {
					t.Errorf("%s %s: two fetches answered differently:\n%v\n%v", p.Masked(), pa.Source, values(pa.Facts), values(pb.Facts))
				}
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		r := newRegisters(t)
		base := request(Persons[0], "p1", Month, Month)
		for _, tc := range []struct {
			name string
			edit func(*skalig.RegisterRequest)
		}{
			{"CheckDigit", func(q *skalig.RegisterRequest) { q.Person = "199004129821" }},
			{"NotDigits", func(q *skalig.RegisterRequest) { q.Person = "19900412-982" }},
			{"EmptyPerson", func(q *skalig.RegisterRequest) { q.Person = "" }},
			{"PeriodBackwards", func(q *skalig.RegisterRequest) { q.From, q.To = Month, Month-1 }},
			{"ZeroPeriod", func(q *skalig.RegisterRequest) { q.From, q.To = 0, 0 }},
			{"UnknownSource", func(q *skalig.RegisterRequest) { q.Sources = []string{skalig.RegisterFK, "kronofogden"} }},
			{"PeriodOfSourceNotAsked", func(q *skalig.RegisterRequest) {
				q.Sources = []string{skalig.RegisterFK}
				q.SourcePeriods = map[string]skalig.RegisterPeriod{skalig.RegisterSKV: {From: Month, To: Month}}
			}},
			{"PersonID", func(q *skalig.RegisterRequest) { q.PersonID = "P 1" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := base
				tc.edit(&req)
				ans, err := r.Fetch(context.Background(), req)
				if code := skalig.ErrorCode(err); code != skalig.EINVALID {
					t.Fatalf("ErrorCode=%q (err %v), want %q", code, err, skalig.EINVALID)
				}
				if ans != nil {
					t.Errorf("answer %+v with the error, want nil", ans)
				}
				if msg := skalig.ErrorMessage(err); msg == "Internt fel" || msg == "" {
					t.Errorf("message %q, want a Swedish explanation", msg)
				}
			})
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		r := newRegisters(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := request(Persons[3], "p1", Month, Month)
		start := time.Now()
		ans, err := r.Fetch(ctx, req)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("a fetch under a cancelled context took %v", d)
		}
		if err != nil {
			return
		}
		Check(t, req, ans)
		for _, p := range ans.Parts {
			if p.Err == nil {
				t.Errorf("%s answered under a cancelled context: %+v", p.Source, p)
			}
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		r := newRegisters(t)
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				req := request(Persons[i%len(Persons)], "p1", Month, Month)
				ans, err := r.Fetch(context.Background(), req)
				if err != nil {
					t.Errorf("Fetch: %v", err)
					return
				}
				Check(t, req, ans)
			})
		}
		wg.Wait()
	})
}

func request(p skalig.PersonalNumber, personID string, from, to skalig.Month) skalig.RegisterRequest {
	return skalig.RegisterRequest{
		CaseID: "case-contract", Person: p, PersonID: personID, From: from, To: to,
		Purpose: "beslut om försörjningsstöd", Caseworker: "system",
	}
}

func mustFetch(t *testing.T, r skalig.Registers, req skalig.RegisterRequest) *skalig.RegisterAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ans, err := r.Fetch(ctx, req)
	if err != nil {
		t.Fatalf("Fetch %s: %v", req.Person.Masked(), err)
	}
	if ans == nil {
		t.Fatalf("Fetch %s: nil answer and nil error", req.Person.Masked())
	}
	return ans
}

func sourcesOf(ans *skalig.RegisterAnswer) []string {
	var s []string
	for _, p := range ans.Parts {
		s = append(s, p.Source)
	}
	return s
}

// values lists facts without their time: kind, person, period and value.
func values(fs []skalig.Fact) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind+"|"+f.PersonID+"|"+f.Period.String()+"|"+f.Value.String())
	}
	slices.Sort(out)
	return out
}

// Check asserts the contract of one answer to req:
//
//   - one part per source asked (req.Sources without repeats, or every
//     register), in that order;
//   - a part has an error, or says the person is unknown, or answered, and
//     only an answered part has facts; an error has a code and a message;
//   - every fact is valid, comes from its part's register, concerns
//     req.PersonID and a month of the source's period, refers to the raw
//     answer (EvidenceRef "sha256:<hex of Raw>") and was fetched by
//     FetchedAt; its kind is one of SourceKinds;
//   - incomes are amounts, never negative; yes/no, statuses and dates are
//     texts of their form.
func Check(t *testing.T, req skalig.RegisterRequest, ans *skalig.RegisterAnswer) {
	t.Helper()
	want := req.Sources
	if len(want) == 0 {
		want = skalig.RegisterNames
	}
	var uniq []string
	for _, s := range want {
		if !slices.Contains(uniq, s) {
			uniq = append(uniq, s)
		}
	}
	if got := sourcesOf(ans); !slices.Equal(got, uniq) {
		t.Errorf("%s: parts for %v, want %v", req.Person.Masked(), got, uniq)
	}
	if ans.FetchedAt.IsZero() {
		t.Errorf("FetchedAt is zero")
	}
	hasFacts := false
	for _, p := range ans.Parts {
		hasFacts = hasFacts || len(p.Facts) > 0
	}
	if hasFacts {
		sum := sha256.Sum256(ans.Raw)
		if want := "sha256:" + hex.EncodeToString(sum[:]); ans.EvidenceRef != want {
			t.Errorf("EvidenceRef=%q, want %q (sha256 of Raw)", ans.EvidenceRef, want)
		}
	}
	for _, p := range ans.Parts {
		switch {
		case p.Err != nil:
			if p.Err.Code == "" || p.Err.Message == "" {
				t.Errorf("%s: error without code or message: %+v", p.Source, *p.Err)
			}
			if len(p.Facts) > 0 || p.UnknownPerson {
				t.Errorf("%s: failed part (%s) has facts or unknown person: %d facts", p.Source, p.Err.Code, len(p.Facts))
			}
		case p.UnknownPerson:
			if len(p.Facts) > 0 {
				t.Errorf("%s: unknown person with %d facts", p.Source, len(p.Facts))
			}
		}
		per := req.PeriodOf(p.Source)
		for _, f := range p.Facts {
			checkFact(t, req, ans, p.Source, per, f)
		}
		if p.Source == skalig.RegisterMigration {
			checkResidence(t, p.Facts)
		}
		if p.Source == skalig.RegisterPopulation && p.Err == nil && !p.UnknownPerson {
			checkPopulation(t, per, p.Facts)
		}
	}
	checkCitizens(t, ans)
}

// checkPopulation checks the population register's part: one
// population.registered fact for every month of the period, at most one
// citizenship per month, and the name only for the last month.
func checkPopulation(t *testing.T, per skalig.RegisterPeriod, fs []skalig.Fact) {
	t.Helper()
	registered, cits := map[skalig.Month]int{}, map[skalig.Month]int{}
	for _, f := range fs {
		switch f.Kind {
		case skalig.KindPopulationRegistered:
			registered[f.Period]++
		case skalig.KindCitizenship:
			cits[f.Period]++
		case skalig.KindPersonName:
			if f.Period != per.To {
				t.Errorf("folk: person.name for %s, want only the last month %s", f.Period, per.To)
			}
		}
	}
	for m := per.From; m <= per.To; m++ {
		if registered[m] != 1 {
			t.Errorf("folk %s: %d population.registered facts, want 1", m, registered[m])
		}
		if cits[m] > 1 {
			t.Errorf("folk %s: %d population.citizenship facts, want at most 1", m, cits[m])
		}
	}
}

// checkCitizens checks that two registers agree on Swedish citizenship: a
// month Migrationsverket says the person is a citizen, the population
// register (when it answered) lists SE among the citizenships.
func checkCitizens(t *testing.T, ans *skalig.RegisterAnswer) {
	t.Helper()
	citizen := map[skalig.Month]bool{}
	folk := map[skalig.Month]string{}
	folkAnswered := false
	for _, p := range ans.Parts {
		for _, f := range p.Facts {
			switch {
			case p.Source == skalig.RegisterMigration && f.Kind == skalig.KindPermitStatus && f.Value.Text == "citizen":
				citizen[f.Period] = true
			case p.Source == skalig.RegisterPopulation && f.Kind == skalig.KindCitizenship:
				folk[f.Period] = f.Value.Text
			}
		}
		if p.Source == skalig.RegisterPopulation && p.Err == nil && !p.UnknownPerson {
			folkAnswered = true
		}
	}
	if !folkAnswered {
		return
	}
	for m := range citizen {
		if !slices.Contains(strings.Split(folk[m], ","), "SE") {
			t.Errorf("%s: Migrationsverket says citizen, the population register lists citizenships %q", m, folk[m])
		}
	}
}

// checkResidence checks Migrationsverket's finding on lawful residence
// against its permit status, month by month: citizenship or a permit in
// force is lawful residence, an expired permit or none without an
// application pending is not, and a month without a status has no finding.
func checkResidence(t *testing.T, fs []skalig.Fact) {
	t.Helper()
	status, lawful := map[skalig.Month]string{}, map[skalig.Month]string{}
	for _, f := range fs {
		switch f.Kind {
		case skalig.KindPermitStatus:
			status[f.Period] = f.Value.Text
		case skalig.KindLawfulResidence:
			lawful[f.Period] = f.Value.Text
		}
	}
	for m, st := range status {
		l, ok := lawful[m]
		switch st {
		case "valid", "citizen":
			if l != "yes" {
				t.Errorf("migr %s: permit %s with residence.lawful %q, want yes", m, st, l)
			}
		case "expired", "none":
			if l != "no" {
				t.Errorf("migr %s: permit %s with residence.lawful %q, want no", m, st, l)
			}
		case "pending":
			if ok && l != "yes" {
				t.Errorf("migr %s: a pending case with residence.lawful %q, want yes (applied in time) or none", m, l)
			}
		}
	}
	for m := range lawful {
		if _, ok := status[m]; !ok {
			t.Errorf("migr %s: residence.lawful without a permit status", m)
		}
	}
}

func checkFact(t *testing.T, req skalig.RegisterRequest, ans *skalig.RegisterAnswer, src string, per skalig.RegisterPeriod, f skalig.Fact) {
	t.Helper()
	if err := f.Validate(); err != nil {
		t.Errorf("%s: invalid fact %+v: %v", src, f, err)
	}
	if f.Source != skalig.RegisterSource(src) {
		t.Errorf("%s: fact %s has Source %q, want %q", src, f.Kind, f.Source, skalig.RegisterSource(src))
	}
	if f.PersonID != req.PersonID {
		t.Errorf("%s: fact %s has PersonID %q, want %q", src, f.Kind, f.PersonID, req.PersonID)
	}
	if f.Period < per.From || f.Period > per.To {
		t.Errorf("%s: fact %s has Period %v outside %v-%v", src, f.Kind, f.Period, per.From, per.To)
	}
	if f.Evidence != ans.EvidenceRef || f.Evidence == "" {
		t.Errorf("%s: fact %s has Evidence %q, want %q", src, f.Kind, f.Evidence, ans.EvidenceRef)
	}
	if f.At.IsZero() || f.At.After(ans.FetchedAt) {
		t.Errorf("%s: fact %s has At %v, want a time by FetchedAt %v", src, f.Kind, f.At, ans.FetchedAt)
	}
	allowed := false
	for _, k := range SourceKinds[src] {
		if f.Kind == k || (strings.HasSuffix(k, ".") && strings.HasPrefix(f.Kind, k)) {
			allowed = true
		}
	}
	if !allowed {
		t.Errorf("%s: fact kind %q is not one of %v", src, f.Kind, SourceKinds[src])
	}
	switch {
	case strings.HasPrefix(f.Kind, skalig.KindIncomePrefix):
		if f.Value.IsText || f.Value.Amount < 0 {
			t.Errorf("%s: income %s = %v, want an amount ≥ 0", src, f.Kind, f.Value)
		}
	case f.Kind == skalig.KindAFRegistered:
		if f.Value.Text != "yes" && f.Value.Text != "no" {
			t.Errorf("%s: %s = %q, want yes or no", src, f.Kind, f.Value.Text)
		}
	case f.Kind == skalig.KindLawfulResidence, f.Kind == skalig.KindPopulationRegistered:
		if f.Value.Text != "yes" && f.Value.Text != "no" {
			t.Errorf("%s: %s = %q, want yes or no", src, f.Kind, f.Value.Text)
		}
	case f.Kind == skalig.KindAFProgramExtent:
		if f.Value.Text != "heltid" && f.Value.Text != "deltid" {
			t.Errorf("%s: %s = %q, want heltid or deltid", src, f.Kind, f.Value.Text)
		}
	case f.Kind == skalig.KindPermitStatus:
		if !slices.Contains([]string{"valid", "expired", "pending", "none", "citizen"}, f.Value.Text) {
			t.Errorf("%s: %s = %q, not a permit status", src, f.Kind, f.Value.Text)
		}
	case f.Kind == skalig.KindPermitValidUntil:
		if _, ok := skalig.ParseDate(f.Value.Text); !ok {
			t.Errorf("%s: %s = %q, not a date", src, f.Kind, f.Value.Text)
		}
	case f.Kind == skalig.KindCitizenship:
		codes := strings.Split(f.Value.Text, ",")
		if !slices.IsSorted(codes) || len(slices.Compact(slices.Clone(codes))) != len(codes) {
			t.Errorf("%s: %s = %q, want distinct codes in byte order", src, f.Kind, f.Value.Text)
		}
		for _, c := range codes {
			if len(c) != 2 || strings.ToUpper(c) != c || strings.ToLower(c) == c {
				t.Errorf("%s: %s = %q, %q is not a country code", src, f.Kind, f.Value.Text, c)
			}
		}
	case f.Kind == skalig.KindAssetVehicle, f.Kind == skalig.KindPersonName:
		if !f.Value.IsText {
			t.Errorf("%s: %s is not a text", src, f.Kind)
		}
	}
}
