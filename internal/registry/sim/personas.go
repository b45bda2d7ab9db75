package sim

import "skalig"

// The development provider's applicant personas (internal/auth/devidp) are
// described to the person who logs in as them ("Ensamstående, inga barn",
// "Gift med David Demosson, två barn"). Drawn from the seed like anyone
// else, a persona would contradict its description (a childless person
// with barnbidrag), so the simulator gives each persona the life situation
// the description promises: the same in every seed, and steady from month
// to month so that a re-application with the same figures agrees with the
// registers. Everything else (amounts of a-kassa and sickness benefit,
// assessed incomes) is still drawn from the seed.

// personaSpec is a persona's life situation in the registers.
type personaSpec struct {
	arch int
	// children are the birth dates of the children for whom the persona
	// receives barnbidrag (a couple's children are paid to one parent).
	children     []skalig.Date
	singleParent bool
	// steady: out of work every month (registered at Arbetsförmedlingen).
	steady bool
	// sickFull: sjukersättning every month.
	sickFull bool
	// program is a full-time programme at Arbetsförmedlingen every month
	// (the activity requirement from October 2026), without aktivitetsstöd
	// (which changes with the days of each month); "" for none.
	program string
}

// fullTime is the programme of the personas whose monthly applications the
// demo shows decided by the robot.
const fullTime = "Kommunal arbetsmarknadsinsats (exempel)"

// personas are the personas by personnummer.
var personas = map[skalig.PersonalNumber]personaSpec{
	"199004129822": {arch: archNothing, steady: true, program: fullTime},                                              // Alva Testsson: ensamstående, inga barn
	"198506239915": {arch: archAkassa, steady: true},                                                                  // Bo Provsson: arbetssökande med a-kassa
	"198709149846": {arch: archNothing, steady: true, program: fullTime, children: dates("2018-03-14", "2021-08-02")}, // Cecilia Demosson
	"198603029938": {arch: archNothing, steady: true, program: fullTime},                                              // David Demosson: barnbidraget går till Cecilia
	"199208179862": {arch: archProgram, steady: true},                                                                 // Elin Exempelsson: sambo, inga barn, aktivitetsstöd
	"199511059975": {arch: archNothing, steady: true},                                                                 // Fredrik Fiktivsson: sambo, inga barn
	"200602199812": {arch: archNothing, steady: true},                                                                 // Gustav Låtsasson: ung vuxen
	"197906289884": {arch: archNothing, steady: true, singleParent: true, children: dates("2014-11-20")},              // Hanna Påhittad
	"196509109952": {arch: archSick, sickFull: true},                                                                  // Ivar Testberg: sjukersättning
	"198807619898": {arch: archNewcomer},                                                                              // Jamal Provnummer: samordningsnummer
	"198301159839": {arch: archNothing, steady: true, children: dates("2012-06-01", "2015-02-17", "2019-10-09")},      // Karl Exempelberg
	"198104229946": {arch: archNothing, steady: true},                                                                 // Lena Exempelberg
	"199112309969": {arch: archNothing, steady: true},                                                                 // Maja Demolund (Kalmar)
}

func dates(ds ...string) []skalig.Date {
	out := make([]skalig.Date, len(ds))
	for i, d := range ds {
		x, ok := skalig.ParseDate(d)
		if !ok {
			panic("sim: persona date " + d)
		}
		out[i] = x
	}
	return out
}

// PersonaChildren returns the birth dates of the children for whom the
// persona pn receives barnbidrag; nil for anyone else.
func PersonaChildren(pn skalig.PersonalNumber) []skalig.Date {
	return append([]skalig.Date(nil), personas[pn].children...)
}

// IsPersona reports whether pn is one of the development provider's
// personas, whose register data follow their description.
func IsPersona(pn skalig.PersonalNumber) bool {
	_, ok := personas[pn]
	return ok
}

// asPersona gives p the persona's situation, if pn is a persona.
func (p *person) asPersona() {
	s, ok := personas[p.pn]
	if !ok {
		return
	}
	p.persona = true
	p.arch = s.arch
	p.children = append([]skalig.Date(nil), s.children...)
	p.singleParent = s.singleParent
	p.steady = s.steady
	p.personaProgram = s.program
	p.permanentSick = s.sickFull
	p.housing = false // no bostadsbidrag: it changes with every decision
	p.vehicles = nil
	p.unknownFK, p.unknownSKV = false, false
	p.knownAF = s.steady || p.arch == archNewcomer
	p.knownCSN = false
	p.otherBenefit = false
}
