package sim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"

	"skalig"
	"skalig/internal/registry/wire"
)

// The synthetic population. A person follows from the seed and the
// personnummer alone: a life situation (an archetype), children born over
// the years, episodes of unemployment, sickness and study that come and go
// by the month, permits that run out, vehicles bought and sold. Every
// amount is in whole kronor and near 2025's levels; nothing is real.

// Archetypes: the life situation that drives a person's data.
const (
	archWorker   = iota // low wages; now and then unemployed
	archAkassa          // unemployed, a-kassa member
	archProgram         // unemployed without a-kassa, in an AF program (aktivitetsstöd)
	archSick            // sickness benefit in episodes, or sjukersättning
	archParent          // parental benefit with a young child
	archStudent         // student aid
	archNewcomer        // newly arrived: permits, etableringsersättning
	archNothing         // no income, not registered at Arbetsförmedlingen
	numArchetypes
)

var archNames = [...]string{"låglönearbete", "arbetslös med a-kassa", "arbetslös i program", "sjukskriven",
	"föräldraledig", "studerande", "nyanländ", "utan inkomst"}

// person is one synthetic person.
type person struct {
	seed  uint64
	pn    skalig.PersonalNumber
	birth skalig.Date
	arch  int

	children                                 []skalig.Date // birth dates, perhaps in the future of a month asked
	singleParent                             bool
	housing                                  bool
	housingBase                              int64
	permanentSick                            bool
	sickDaily                                int64
	akassaDaily                              int64
	fund                                     string
	loans                                    bool
	halfTime                                 bool
	arrival                                  skalig.Month // newcomer: month of the first permit
	vehicles                                 []vehicle
	unknownFK, unknownSKV, knownCSN, knownAF bool
	otherBenefit                             bool
	persona, steady                          bool // a devidp persona (personas.go); out of work every month
	personaProgram                           string
}

type vehicle struct {
	regNo, make, model string
	year               int
	from               skalig.Month
	to                 skalig.Month // 0: still owned
}

// h hashes the seed, the person and keys into 64 bits.
func (p *person) h(key string, n int) uint64 {
	f := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], p.seed)
	f.Write(b[:])
	f.Write([]byte(p.pn))
	f.Write([]byte{0})
	f.Write([]byte(key))
	binary.LittleEndian.PutUint64(b[:], uint64(int64(n)))
	f.Write(b[:])
	return mix(f.Sum64())
}

// mix is splitmix64's finaliser: it spreads fnv's bits.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// u returns a uniform number in [0, 1) for key and n.
func (p *person) u(key string, n int) float64 { return float64(p.h(key, n)>>11) / (1 << 53) }

// rng returns a uniform integer lo-hi (inclusive) for key and n.
func (p *person) rng(lo, hi int64, key string, n int) int64 {
	return lo + int64(p.h(key, n)%uint64(hi-lo+1))
}

func newPerson(seed uint64, pn skalig.PersonalNumber) *person {
	p := &person{seed: seed, pn: pn, birth: pn.BirthDate()}
	p.arch = int(p.h("arch", 0) % numArchetypes)
	age25 := 2025 - int(p.birth.Y)
	if pn.IsCoordination() && p.u("coord-newcomer", 0) < 0.7 {
		p.arch = archNewcomer
	}
	switch {
	case p.arch == archStudent && (age25 < 19 || age25 > 55):
		p.arch = archWorker
	case p.arch == archParent && (age25 < 20 || age25 > 50):
		p.arch = archNothing
	}
	// Children, born when the parent was 20-42.
	if (age25 >= 20 && p.u("kids", 0) < 0.45) || p.arch == archParent {
		n := int(p.rng(1, 3, "nkids", 0))
		for i := 0; i < n; i++ {
			y := int(p.birth.Y) + int(p.rng(20, 42, "kid-year", i))
			if p.arch == archParent && i == 0 {
				y = 2024 + int(p.rng(0, 1, "kid-year", 0)) // a young child in 2025-2026
			}
			mo := int(p.rng(1, 12, "kid-month", i))
			p.children = append(p.children, skalig.Date{Y: int16(y), M: int8(mo), D: int8(p.rng(1, 28, "kid-day", i))})
		}
		p.singleParent = p.u("single", 0) < 0.4
	}
	p.housing = p.u("housing", 0) < 0.6
	p.housingBase = p.rng(90, 420, "housing-base", 0) * 10
	p.permanentSick = p.arch == archSick && age25 >= 30 && p.u("permanent-sick", 0) < 0.4
	p.sickDaily = p.rng(380, 1000, "sick-daily", 0)
	p.akassaDaily = p.rng(510, 1200, "akassa-daily", 0)
	p.fund = funds[p.h("fund", 0)%uint64(len(funds))]
	p.loans = p.u("loans", 0) < 0.7
	p.halfTime = p.u("half-time", 0) < 0.25
	p.arrival = skalig.MonthOf(2019, 1) + skalig.Month(p.rng(0, 78, "arrival", 0))
	p.unknownFK = p.arch == archNothing && age25 < 60 && p.u("unknown-fk", 0) < 0.25
	p.unknownSKV = p.u("unknown-skv", 0) < 0.02 || (pn.IsCoordination() && p.u("unknown-skv-coord", 0) < 0.4)
	p.knownCSN = p.arch == archStudent || p.arch == archNewcomer || p.u("former-student", 0) < 0.3
	p.knownAF = p.arch != archNothing || p.u("af-former", 0) < 0.5
	p.otherBenefit = p.u("other-benefit", 0) < 0.03
	if p.u("vehicle", 0) < 0.2 {
		n := 1 + int(p.h("nvehicles", 0)%4/3) // mostly one, sometimes two
		for i := 0; i < n; i++ {
			mk := makes[p.h("make", i)%uint64(len(makes))]
			v := vehicle{
				regNo: regNo(p.h("regno", i)), make: mk[0], model: mk[1+p.h("model", i)%uint64(len(mk)-1)],
				year: int(p.rng(1998, 2023, "vyear", i)),
				from: skalig.MonthOf(2018, 1) + skalig.Month(p.rng(0, 90, "vfrom", i)),
			}
			if p.u("vsold", i) < 0.3 {
				v.to = v.from + skalig.Month(p.rng(3, 30, "vto", i))
			}
			p.vehicles = append(p.vehicles, v)
		}
	}
	p.asPersona()
	return p
}

var funds = []string{"Unionens arbetslöshetskassa", "Akademikernas a-kassa", "Kommunals a-kassa",
	"Handelsanställdas a-kassa", "IF Metalls a-kassa", "Alfa-kassan"}

var makes = [][]string{{"Volvo", "V70", "XC60", "V60"}, {"Volkswagen", "Golf", "Passat", "Polo"},
	{"Toyota", "Corolla", "Yaris", "RAV4"}, {"Kia", "Ceed", "Niro"}, {"Tesla", "Model 3", "Model Y"},
	{"Ford", "Focus", "Fiesta"}, {"Skoda", "Octavia", "Fabia"}, {"Saab", "9-3", "9-5"}}

// regNo makes a registration number ABC123 or ABC12D (letters without I, Q
// and V, as Transportstyrelsen's).
func regNo(h uint64) string {
	const letters = "ABCDEFGHJKLMNOPRSTUWXYZ"
	b := []byte{letters[h%23], letters[h/23%23], letters[h/529%23],
		byte('0' + h/12167%10), byte('0' + h/121670%10), byte('0' + h/1216700%10)}
	if h>>40%3 == 0 {
		b[5] = letters[h>>44%23]
	}
	return string(b)
}

// age returns the completed years on the first of month m.
func (p *person) age(m skalig.Month) int { return p.birth.AgeOn(m.First()) }

// childrenUnder returns the children born by the first of m and younger than
// years.
func (p *person) childrenUnder(m skalig.Month, years int) []int {
	var ages []int
	for _, c := range p.children {
		if !m.First().Before(c) && c.AgeOn(m.First()) < years {
			ages = append(ages, c.AgeOn(m.First()))
		}
	}
	return ages
}

// unemployed reports whether the person is out of work in m: in episodes
// of about four months.
func (p *person) unemployed(m skalig.Month) bool {
	if p.age(m) < 18 || p.age(m) >= 66 {
		return false
	}
	if p.steady {
		return true
	}
	block := int(m) / 4
	switch p.arch {
	case archAkassa:
		return p.u("unemp", block) < 0.8
	case archProgram:
		return p.u("unemp", block) < 0.85
	case archNewcomer:
		return m >= p.arrival && p.u("unemp", block) < 0.7
	case archWorker:
		return p.u("unemp", block) < 0.12
	}
	return false
}

// program returns Arbetsförmedlingen's program for m, or "".
func (p *person) program(m skalig.Month) string {
	if !p.unemployed(m) {
		return ""
	}
	if p.personaProgram != "" {
		return p.personaProgram
	}
	switch p.arch {
	case archProgram:
		if p.age(m) < 25 {
			return "Jobbgarantin för ungdomar"
		}
		if p.u("prog", int(m)/3) < 0.5 {
			return "Jobb- och utvecklingsgarantin"
		}
		return "Arbetsmarknadsutbildning"
	case archNewcomer:
		if m < p.arrival+24 {
			return "Etableringsprogrammet"
		}
	case archAkassa:
		if p.u("prog", int(m)/3) < 0.3 {
			return "Stöd och matchning"
		}
	}
	return ""
}

// studying reports whether the person studies in m (not June and July).
func (p *person) studying(m skalig.Month) bool {
	if p.arch != archStudent || m.Num() == 6 || m.Num() == 7 {
		return false
	}
	semester := m.Year() * 2
	if m.Num() > 6 {
		semester++
	}
	return p.u("semester", semester) < 0.8
}

// weekdays returns the number of days Monday-Friday in m.
func weekdays(m skalig.Month) int64 {
	n := int64(0)
	// 1 January 1900 was a Monday; days since then give the weekday.
	first := daysSince1900(m.First())
	for d := 0; d < m.Days(); d++ {
		if (first+int64(d))%7 < 5 {
			n++
		}
	}
	return n
}

func daysSince1900(d skalig.Date) int64 {
	n := int64(0)
	for y := 1900; y < int(d.Y); y++ {
		n += 365
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			n++
		}
	}
	for mo := 1; mo < int(d.M); mo++ {
		n += int64(skalig.DaysIn(int(d.Y), mo))
	}
	return n + int64(d.D) - 1
}

func kr(n int64) string { return skalig.Kronor(n).String() }

func day(m skalig.Month, d int) string {
	if d > m.Days() {
		d = m.Days()
	}
	x := m.First()
	x.D = int8(d)
	return x.String()
}

// netOf returns the net of a taxable gross amount (about 30 % tax).
func netOf(gross int64) int64 { return gross * 70 / 100 }

// fk returns Försäkringskassan's and Pensionsmyndigheten's payments for
// the months of per.
func (p *person) fk(per skalig.RegisterPeriod) *wire.FKData {
	d := &wire.FKData{}
	pay := func(m skalig.Month, benefit string, gross, net int64) {
		d.Payments = append(d.Payments, wire.FKPayment{Benefit: benefit, Month: m.String(),
			PaidOn: day(m, 20), Gross: kr(gross), Net: kr(net)})
	}
	for m := per.From; m <= per.To; m++ {
		age := p.age(m)
		if age < 0 {
			continue
		}
		kids := p.childrenUnder(m, 16)
		if n := int64(len(kids)); n > 0 {
			pay(m, "barnbidrag", 1250*n, 1250*n)
			if extra := []int64{0, 0, 150, 730, 1740}[min(n, 4)]; extra > 0 {
				pay(m, "flerbarnstillagg", extra, extra)
			}
		}
		if p.singleParent {
			var sum int64
			for _, a := range p.childrenUnder(m, 18) {
				switch {
				case a < 11:
					sum += 1723
				case a < 15:
					sum += 1873
				default:
					sum += 2373
				}
			}
			if sum > 0 {
				pay(m, "underhallsstod", sum, sum)
			}
		}
		if age >= 66 {
			g := p.rng(9000, 16000, "pension", 0) + int64(m.Year()-2025)*200
			pay(m, "allman_pension", g, netOf(g)+1500)
			if p.housing {
				bt := p.housingBase + 1500
				pay(m, "bostadstillagg", bt, bt)
			}
		} else if p.housing && (len(kids) > 0 || (age >= 18 && age < 29)) && p.u("bb-paid", int(m)) >= 0.08 {
			// Bostadsbidrag is preliminary and changes with each new decision.
			base := p.housingBase
			if len(kids) == 0 {
				base = base/3 + 200
			}
			// A new decision every third month, in a month of the person's own.
			decision := (int(m) + int(p.h("bb-phase", 0)%3)) / 3
			amt := base * (90 + int64(p.h("bb-change", decision)%21)) / 100
			pay(m, "bostadsbidrag", amt, amt)
		}
		switch p.arch {
		case archSick:
			if p.permanentSick && age < 66 {
				g := p.rng(11000, 17000, "se", 0)
				pay(m, "sjukersattning", g, netOf(g))
			} else if age < 66 && p.u("sick", int(m)/2) < 0.6 {
				days := p.rng(8, int64(m.Days()), "sick-days", int(m))
				pay(m, "sjukpenning", days*p.sickDaily, netOf(days*p.sickDaily))
			}
		case archParent:
			if len(p.childrenUnder(m, 2)) > 0 {
				days := p.rng(8, 30, "fp-days", int(m))
				daily := p.rng(250, 1000, "fp-daily", 0)
				pay(m, "foraldrapenning", days*daily, netOf(days*daily))
			}
		case archProgram:
			if p.unemployed(m) {
				days := weekdays(m) - p.rng(0, 4, "as-absent", int(m))
				pay(m, "aktivitetsstod", days*365, days*365*85/100)
			}
		case archNewcomer:
			if p.unemployed(m) && p.program(m) != "" {
				days := weekdays(m) - p.rng(0, 3, "ee-absent", int(m))
				pay(m, "etableringsersattning", days*308, days*308)
			}
		}
		if p.otherBenefit && age >= 19 && age < 66 {
			pay(m, "merkostnadsersattning", 2057, 2057)
		}
	}
	return d
}

// csn returns CSN's payments for the months of per.
func (p *person) csn(per skalig.RegisterPeriod) *wire.CSNData {
	d := &wire.CSNData{}
	pay := func(m skalig.Month, typ string, amt int64) {
		d.Payments = append(d.Payments, wire.CSNPayment{Type: typ, Month: m.String(), PaidOn: day(m, 25), Amount: kr(amt)})
	}
	for m := per.From; m <= per.To; m++ {
		age := p.age(m)
		if age >= 16 && age < 20 && m.Num() != 7 && m.Num() != 8 {
			pay(m, "studiehjalp", 1250)
		}
		if p.studying(m) {
			if age >= 25 && p.u("studiestart", 0) < 0.2 {
				pay(m, "studiestartsstod", 10596)
				continue
			}
			grant, loan := int64(3564), int64(8360)
			if p.halfTime {
				grant, loan = grant/2, loan/2
			}
			pay(m, "studiemedel_bidrag", grant)
			if p.loans {
				pay(m, "studiemedel_lan", loan)
			}
		}
		if p.arch == archNewcomer && m == p.arrival+2 {
			pay(m, "hemutrustningslan", 30000)
		}
	}
	return d
}

// af returns Arbetsförmedlingen's registrations touching per: the months
// out of work up to the end of per, merged into periods.
func (p *person) af(per skalig.RegisterPeriod) *wire.AFData {
	d := &wire.AFData{}
	start := per.From - 36
	var cur *wire.AFRegistration
	var curProg string
	for m := start; m <= per.To; m++ {
		on := p.unemployed(m)
		prog := p.program(m)
		if cur != nil && (!on || prog != curProg) {
			cur.To = lastDayOf(m - 1)
			if m-1 >= per.From-12 { // a year of history before the period
				d.Registrations = append(d.Registrations, *cur)
			}
			cur = nil
		}
		if on && cur == nil {
			cur = &wire.AFRegistration{From: day(m, 1), Extent: "heltid", Status: "11", Program: prog}
			if prog != "" {
				cur.Status = "68"
				// Most programs are full time; some (a part-time
				// course, a reduced ability to work) are not.
				cur.ProgramExtent = "heltid"
				if p.personaProgram == "" && p.u("program-extent", int(m)) < 0.3 {
					cur.ProgramExtent = "deltid"
				}
			}
			if p.arch == archWorker {
				cur.Extent, cur.Status = "deltid", "21"
			}
			curProg = prog
		}
	}
	if cur != nil {
		d.Registrations = append(d.Registrations, *cur)
	}
	return d
}

func lastDayOf(m skalig.Month) string { return day(m, m.Days()) }

// skv returns Skatteverket's assessments of the three years before per ends.
func (p *person) skv(per skalig.RegisterPeriod) *wire.SKVData {
	d := &wire.SKVData{}
	for y := per.From.Year() - 3; y < per.To.Year(); y++ {
		if y < int(p.birth.Y)+16 {
			continue
		}
		var earned int64
		switch p.arch {
		case archWorker:
			earned = p.rng(160, 380, "earned", y) * 1000
		case archAkassa, archSick, archParent:
			earned = p.rng(90, 300, "earned", y) * 1000
		case archProgram, archNewcomer:
			earned = p.rng(0, 80, "earned", y) * 1000
		case archStudent:
			earned = p.rng(0, 120, "earned", y) * 1000
		}
		if y-int(p.birth.Y) >= 66 {
			earned = p.rng(110, 240, "earned", y) * 1000
		}
		capital := int64(0)
		if r := p.u("capital", y); r < 0.3 {
			capital = p.rng(0, 8000, "capital-amt", y)
		} else if r < 0.35 {
			capital = -p.rng(100, 5000, "capital-amt", y)
		}
		d.Assessments = append(d.Assessments, wire.SKVAssessment{Year: fmt.Sprint(y), EarnedIncome: kr(earned), CapitalIncome: kr(capital)})
	}
	return d
}

// akassa returns the fund's payments in per: two a month while out of work.
func (p *person) akassa(per skalig.RegisterPeriod) *wire.AkassaData {
	d := &wire.AkassaData{Fund: p.fund}
	for m := per.From; m <= per.To; m++ {
		// A payment on the 10th and the 24th for the weeks before, while the
		// person was out of work in the month before or this month.
		if !p.unemployed(m) && !p.unemployed(m-1) {
			continue
		}
		for i, pd := range []int{10, 24} {
			days := p.rng(6, 10, "ak-days", int(m)*2+i)
			if !p.unemployed(m) && i == 1 {
				continue // the last payment of an episode
			}
			g := days * p.akassaDaily
			from, to := m-1, m
			fd, td := 27, pd-1
			if i == 1 {
				from, fd, td = m, 10, 23
			}
			d.Payments = append(d.Payments, wire.AkassaPayment{PaidOn: day(m, pd), From: day(from, fd), To: day(to, td),
				Days: fmt.Sprint(days), Gross: kr(g), Net: kr(netOf(g))})
		}
	}
	return d
}

// migr returns Migrationsverket's data as known at the end of per.
func (p *person) migr(per skalig.RegisterPeriod) *wire.MigrData {
	d := &wire.MigrData{}
	asOf := per.To
	a := p.arrival
	if asOf < a {
		return d
	}
	first := []skalig.Month{13, 24, 36}[p.h("tut-len", 0)%3]
	d.Permits = append(d.Permits, wire.MigrPermit{Type: "TUT", From: day(a, 1), Until: lastDayOf(a + first - 1)})
	fate := p.u("fate", 0)
	end := a + first
	switch {
	case fate < 0.25: // not extended: the permit runs out
	case fate < 0.5: // an extension not yet decided for months
		opened := end - 2
		decided := end + 7
		if asOf >= opened && asOf < decided {
			d.OpenCases = append(d.OpenCases, wire.MigrOpenCase{Type: "förlängning av uppehållstillstånd", Opened: day(opened, 5)})
		} else if asOf >= decided {
			d.Permits = append(d.Permits, wire.MigrPermit{Type: "TUT", From: day(decided, 1), Until: lastDayOf(decided + 23)})
		}
	default: // extended in time, then permanent, perhaps citizenship
		if asOf >= end {
			d.Permits = append(d.Permits, wire.MigrPermit{Type: "TUT", From: day(end, 1), Until: lastDayOf(end + 23)})
		}
		if asOf >= end+24 {
			d.Permits = append(d.Permits, wire.MigrPermit{Type: "PUT", From: day(end+24, 1)})
		}
		if c, ok := p.citizenship(); ok && asOf >= c.month() {
			d.Citizenship = &wire.MigrCitizenship{Granted: c.String()}
		}
	}
	return d
}

// ts returns the vehicles owned at some time in per.
func (p *person) ts(per skalig.RegisterPeriod) *wire.TSData {
	d := &wire.TSData{}
	for _, v := range p.vehicles {
		if v.from > per.To || (v.to != 0 && v.to < per.From) {
			continue
		}
		w := wire.TSVehicle{RegNo: v.regNo, Make: v.make, Model: v.model, Year: fmt.Sprint(v.year), From: day(v.from, 12)}
		if v.to != 0 {
			w.To = day(v.to, 3)
		}
		d.Vehicles = append(d.Vehicles, w)
	}
	return d
}

// knows reports whether source knows the person as of per.
func (p *person) knows(source string, per skalig.RegisterPeriod) bool {
	switch source {
	case skalig.RegisterFK:
		return !p.unknownFK
	case skalig.RegisterCSN:
		return p.knownCSN || (p.age(per.To) >= 16 && p.age(per.From) < 20)
	case skalig.RegisterAF:
		return p.knownAF
	case skalig.RegisterSKV:
		return !p.unknownSKV
	case skalig.RegisterAkassa:
		return p.arch == archAkassa || (p.arch == archWorker && p.u("akassa-member", 0) < 0.6)
	case skalig.RegisterMigration:
		return p.arch == archNewcomer && per.To >= p.arrival
	case skalig.RegisterPopulation:
		return p.knownFolk(per)
	}
	return true
}

// part returns source's part of an answer for per, without faults.
func (p *person) part(source string, per skalig.RegisterPeriod) wire.Part {
	part := wire.Part{Source: source}
	if !p.knows(source, per) {
		part.UnknownPerson = &struct{}{}
		return part
	}
	switch source {
	case skalig.RegisterFK:
		part.FK = p.fk(per)
	case skalig.RegisterCSN:
		part.CSN = p.csn(per)
	case skalig.RegisterAF:
		part.AF = p.af(per)
	case skalig.RegisterSKV:
		part.SKV = p.skv(per)
	case skalig.RegisterAkassa:
		part.Akassa = p.akassa(per)
	case skalig.RegisterMigration:
		part.Migr = p.migr(per)
	case skalig.RegisterTransport:
		part.TS = p.ts(per)
	case skalig.RegisterPopulation:
		part.Folk = p.folk(per)
	}
	return part
}
