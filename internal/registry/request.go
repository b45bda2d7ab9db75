package registry

import (
	"slices"

	"skalig"
	"skalig/internal/registry/wire"
)

// MaxPeriodMonths bounds the period of one request (and of each source's own
// period): the combined service answers for periods, not histories.
const MaxPeriodMonths = 36

// CheckRequest checks req and returns the sources it asks for: req.Sources
// in their order without repeats, or every register (skalig.RegisterNames)
// when it names none. Errors are *skalig.Error EINVALID with a Swedish
// message. The client and the simulator check requests with it alike.
func CheckRequest(req skalig.RegisterRequest) ([]string, error) {
	if err := req.Person.Validate(); err != nil {
		return nil, err
	}
	if req.PersonID != "" && !isCode(req.PersonID, "_-", 32) {
		return nil, skalig.Errorf(skalig.EINVALID, "Ogiltig personhänvisning i registerfrågan.")
	}
	if err := checkPeriod(skalig.RegisterPeriod{From: req.From, To: req.To}); err != nil {
		return nil, err
	}
	var sources []string
	if len(req.Sources) == 0 {
		sources = slices.Clone(skalig.RegisterNames)
	}
	for _, s := range req.Sources {
		if !slices.Contains(skalig.RegisterNames, s) {
			return nil, skalig.Errorf(skalig.EINVALID, "Okänt register %q i registerfrågan.", s)
		}
		if !slices.Contains(sources, s) {
			sources = append(sources, s)
		}
	}
	for s, p := range req.SourcePeriods {
		if !slices.Contains(sources, s) {
			return nil, skalig.Errorf(skalig.EINVALID, "Registerfrågan ger en egen period för %q, som inte efterfrågas.", s)
		}
		if err := checkPeriod(p); err != nil {
			return nil, err
		}
	}
	return sources, nil
}

func checkPeriod(p skalig.RegisterPeriod) error {
	if !validMonth(p.From) || !validMonth(p.To) {
		return skalig.Errorf(skalig.EINVALID, "Ange registerfrågans period som hela månader ÅÅÅÅ-MM.")
	}
	if p.To < p.From {
		return skalig.Errorf(skalig.EINVALID, "Registerfrågans period slutar före sin början.")
	}
	if int(p.To-p.From) >= MaxPeriodMonths {
		return skalig.Errorf(skalig.EINVALID, "Registerfrågans period får vara högst %d månader.", MaxPeriodMonths)
	}
	return nil
}

func validMonth(m skalig.Month) bool {
	return m >= skalig.MonthOf(1900, 1) && m <= skalig.MonthOf(2999, 12)
}

// WirePeriod writes p as the days it covers.
func WirePeriod(p skalig.RegisterPeriod) wire.Period {
	return wire.Period{From: p.From.First().String(), To: lastDay(p.To).String()}
}

// PeriodFromWire reads a period of days as the months it touches.
func PeriodFromWire(p wire.Period) (skalig.RegisterPeriod, bool) {
	from, ok1 := skalig.ParseDate(p.From)
	to, ok2 := skalig.ParseDate(p.To)
	if !ok1 || !ok2 || to.Before(from) {
		return skalig.RegisterPeriod{}, false
	}
	return skalig.RegisterPeriod{From: from.Month(), To: to.Month()}, true
}

// WireRequest returns the wire form of req asking for sources (each with
// its own period where req gives one).
func WireRequest(req skalig.RegisterRequest, sources []string, who wire.Requester, legalBasis, correlationID, askedAt string) *wire.FetchRequest {
	fr := &wire.FetchRequest{
		Requester:     who,
		Person:        req.Person.Canonical(),
		CaseID:        req.CaseID,
		Period:        WirePeriod(skalig.RegisterPeriod{From: req.From, To: req.To}),
		Purpose:       req.Purpose,
		LegalBasis:    legalBasis,
		CorrelationID: correlationID,
		AskedAt:       askedAt,
	}
	for _, s := range sources {
		sr := wire.SourceRequest{Name: s}
		if p, ok := req.SourcePeriods[s]; ok {
			wp := WirePeriod(p)
			sr.Period = &wp
		}
		fr.Sources = append(fr.Sources, sr)
	}
	return fr
}

// RequestFromWire reads a wire request back into a RegisterRequest (the
// simulator's side). The caseworker becomes Caseworker; PersonID is empty.
func RequestFromWire(fr *wire.FetchRequest) (skalig.RegisterRequest, error) {
	bad := func(msg string) (skalig.RegisterRequest, error) {
		return skalig.RegisterRequest{}, skalig.Errorf(skalig.EINVALID, "%s", msg)
	}
	period, ok := PeriodFromWire(fr.Period)
	if !ok {
		return bad("Ogiltig period i frågan.")
	}
	req := skalig.RegisterRequest{
		CaseID: fr.CaseID, Person: skalig.PersonalNumber(fr.Person),
		From: period.From, To: period.To, Purpose: fr.Purpose, Caseworker: fr.Requester.Caseworker,
	}
	if len(fr.Sources) == 0 {
		return bad("Frågan anger inga källor.")
	}
	for _, s := range fr.Sources {
		req.Sources = append(req.Sources, s.Name)
		if s.Period != nil {
			p, ok := PeriodFromWire(*s.Period)
			if !ok {
				return bad("Ogiltig period för källan " + s.Name + ".")
			}
			if req.SourcePeriods == nil {
				req.SourcePeriods = map[string]skalig.RegisterPeriod{}
			}
			req.SourcePeriods[s.Name] = p
		}
	}
	if _, err := CheckRequest(req); err != nil {
		return skalig.RegisterRequest{}, err
	}
	return req, nil
}

// lastDay returns the last day of month m.
func lastDay(m skalig.Month) skalig.Date {
	d := m.First()
	d.D = int8(m.Days())
	return d
}

// isCode reports whether s is 1-max characters of lower-case ASCII letters,
// digits and the characters in extra (the rule of skalig's codes).
func isCode(s, extra string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && !containsByte(extra, c) {
			return false
		}
	}
	return true
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
