package devidp

import (
	"slices"

	"skalig"
)

// Person is a synthetic person the development provider can log in. The
// names are obviously made up; the personal numbers are from Skatteverket's
// test series (birth numbers 980-999, which are never given to real
// people) with a correct check digit.
type Person struct {
	// Subject is the stable sub claim.
	Subject    string
	GivenName  string
	FamilyName string
	// PersonalNumber is set for applicants (the personal_number claim) and
	// empty for staff, who log in through the staff directory.
	PersonalNumber skalig.PersonalNumber
	// Roles (caseworker, financial_assistant, manager, administrator) and
	// Municipalities (four-digit codes) are set for staff: the roles and
	// municipalities claims.
	Roles          []string
	Municipalities []string
	// Municipality is where an applicant lives, for demo data; not a claim.
	Municipality string
	// Partner is the Subject of an applicant's spouse or sambo, so that
	// demo data and tests can build a couple's household and have the
	// co-applicant sign; empty for a single person.
	Partner string
	// Description says in Swedish who the person is, on the login page.
	Description string
}

// Name is the given name and the family name: the name claim.
func (p Person) Name() string { return p.GivenName + " " + p.FamilyName }

// IsStaff reports whether p is a member of staff (has roles).
func (p Person) IsStaff() bool { return len(p.Roles) > 0 }

func (p Person) clone() Person {
	p.Roles = slices.Clone(p.Roles)
	p.Municipalities = slices.Clone(p.Municipalities)
	return p
}

// The demo municipality, and another for access tests.
const (
	Hogsby = "0821" // Högsby, the demo municipality
	Kalmar = "0880" // Kalmar: staff and an applicant outside the demo municipality
)

// Subjects of the persons, for tests and demo data.
const (
	AlvaTestsson        = "dev-alva-testsson"
	BoProvsson          = "dev-bo-provsson"
	CeciliaDemosson     = "dev-cecilia-demosson"
	DavidDemosson       = "dev-david-demosson"
	ElinExempelsson     = "dev-elin-exempelsson"
	FredrikFiktivsson   = "dev-fredrik-fiktivsson"
	GustavLatsasson     = "dev-gustav-latsasson"
	HannaPahittad       = "dev-hanna-pahittad"
	IvarTestberg        = "dev-ivar-testberg"
	JamalProvnummer     = "dev-jamal-provnummer"
	KarlExempelberg     = "dev-karl-exempelberg"
	LenaExempelberg     = "dev-lena-exempelberg"
	MajaDemolund        = "dev-maja-demolund"
	SaraHandlaggarsson  = "dev-sara-handlaggarsson"
	TomasHandlaggarsson = "dev-tomas-handlaggarsson"
	UllaEkonomsson      = "dev-ulla-ekonomsson"
	ViktorChefsson      = "dev-viktor-chefsson"
	WilmaAdminsson      = "dev-wilma-adminsson"
	XeniaAdminberg      = "dev-xenia-adminberg"
	YusufKalmarsson     = "dev-yusuf-kalmarsson"
	ZeldaSamverkansson  = "dev-zelda-samverkansson"
)

var persons = []Person{
	// Applicants.
	{Subject: AlvaTestsson, GivenName: "Alva", FamilyName: "Testsson", PersonalNumber: "199004129822",
		Municipality: Hogsby, Description: "Ensamstående, inga barn"},
	{Subject: BoProvsson, GivenName: "Bo", FamilyName: "Provsson", PersonalNumber: "198506239915",
		Municipality: Hogsby, Description: "Ensamstående, arbetssökande"},
	{Subject: CeciliaDemosson, GivenName: "Cecilia", FamilyName: "Demosson", PersonalNumber: "198709149846",
		Municipality: Hogsby, Partner: DavidDemosson, Description: "Gift med David Demosson, två barn"},
	{Subject: DavidDemosson, GivenName: "David", FamilyName: "Demosson", PersonalNumber: "198603029938",
		Municipality: Hogsby, Partner: CeciliaDemosson, Description: "Gift med Cecilia Demosson, två barn"},
	{Subject: ElinExempelsson, GivenName: "Elin", FamilyName: "Exempelsson", PersonalNumber: "199208179862",
		Municipality: Hogsby, Partner: FredrikFiktivsson, Description: "Sambo med Fredrik Fiktivsson"},
	{Subject: FredrikFiktivsson, GivenName: "Fredrik", FamilyName: "Fiktivsson", PersonalNumber: "199511059975",
		Municipality: Hogsby, Partner: ElinExempelsson, Description: "Sambo med Elin Exempelsson"},
	{Subject: GustavLatsasson, GivenName: "Gustav", FamilyName: "Låtsasson", PersonalNumber: "200602199812",
		Municipality: Hogsby, Description: "Ung vuxen, född 2006"},
	{Subject: HannaPahittad, GivenName: "Hanna", FamilyName: "Påhittad", PersonalNumber: "197906289884",
		Municipality: Hogsby, Description: "Ensamstående förälder, ett barn växelvis"},
	{Subject: IvarTestberg, GivenName: "Ivar", FamilyName: "Testberg", PersonalNumber: "196509109952",
		Municipality: Hogsby, Description: "Ensamstående, född 1965"},
	{Subject: JamalProvnummer, GivenName: "Jamal", FamilyName: "Provnummer", PersonalNumber: "198807619898",
		Municipality: Hogsby, Description: "Har samordningsnummer"},
	{Subject: KarlExempelberg, GivenName: "Karl", FamilyName: "Exempelberg", PersonalNumber: "198301159839",
		Municipality: Hogsby, Partner: LenaExempelberg, Description: "Gift med Lena Exempelberg, tre barn"},
	{Subject: LenaExempelberg, GivenName: "Lena", FamilyName: "Exempelberg", PersonalNumber: "198104229946",
		Municipality: Hogsby, Partner: KarlExempelberg, Description: "Gift med Karl Exempelberg, tre barn"},
	{Subject: MajaDemolund, GivenName: "Maja", FamilyName: "Demolund", PersonalNumber: "199112309969",
		Municipality: Kalmar, Description: "Ensamstående, bor i Kalmar kommun"},

	// Staff.
	{Subject: SaraHandlaggarsson, GivenName: "Sara", FamilyName: "Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{Hogsby}, Description: "Handlägger ansökningar"},
	{Subject: TomasHandlaggarsson, GivenName: "Tomas", FamilyName: "Handläggarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{Hogsby}, Description: "Handlägger ansökningar; den andra handläggaren vid fyraögonsprincip"},
	{Subject: UllaEkonomsson, GivenName: "Ulla", FamilyName: "Ekonomsson",
		Roles: []string{"financial_assistant"}, Municipalities: []string{Hogsby}, Description: "Utbetalningar och utbetalningsfiler"},
	{Subject: ViktorChefsson, GivenName: "Viktor", FamilyName: "Chefsson",
		Roles: []string{"manager"}, Municipalities: []string{Hogsby}, Description: "Enhetschef: ser vem som öppnat ett ärende"},
	{Subject: WilmaAdminsson, GivenName: "Wilma", FamilyName: "Adminsson",
		Roles: []string{"administrator"}, Municipalities: []string{Hogsby}, Description: "Riktlinjer, delegation och stickprov"},
	{Subject: XeniaAdminberg, GivenName: "Xenia", FamilyName: "Adminberg",
		Roles: []string{"administrator"}, Municipalities: []string{Hogsby},
		Description: "Den andra administratören vid fyraögonsprincip: godkänner parametrar och regler som Wilma har lagt in"},
	{Subject: YusufKalmarsson, GivenName: "Yusuf", FamilyName: "Kalmarsson",
		Roles: []string{"caseworker"}, Municipalities: []string{Kalmar}, Description: "För att pröva att en annan kommuns personal inte ser Högsbys ärenden"},
	{Subject: ZeldaSamverkansson, GivenName: "Zelda", FamilyName: "Samverkansson",
		Roles: []string{"caseworker", "manager"}, Municipalities: []string{Hogsby, Kalmar},
		Description: "Gemensam nämnd för två kommuner"},
}

// Persons returns the synthetic persons, applicants first, then staff. The
// slice is a copy: demo data and tests may use and change it freely.
func Persons() []Person {
	out := make([]Person, len(persons))
	for i, p := range persons {
		out[i] = p.clone()
	}
	return out
}

// Lookup returns the person with the subject.
func Lookup(subject string) (Person, bool) {
	for _, p := range persons {
		if p.Subject == subject {
			return p.clone(), true
		}
	}
	return Person{}, false
}
