package demo

import (
	"hash/fnv"

	"skalig"
)

// The demo households' names: made up, as their personnummer are, and
// plainly so (family names no one has: "Provström", "Låtsasdotter"), with
// å, ä and ö among them so that the search by name shows how it treats
// them. A person's name follows from their personnummer, so that the same
// person has the same name in every month and every run.
var (
	givenFemale = []string{"Anna", "Fatima", "Maja", "Åsa", "Elin", "Leila", "Sofia", "Ingrid", "Amina", "Linnéa", "Märta", "Hodan"}
	givenMale   = []string{"Erik", "Ali", "Jonas", "Örjan", "Mohammed", "Lars", "Anders", "Oskar", "Ahmed", "Björn", "Göran", "Yonas"}
	familyNames = []string{"Exempelsson", "Provström", "Testberg", "Demolund", "Låtsasdotter", "Övningsgren", "Påhittsson",
		"Fiktivsson", "Skenström", "Åkerprov", "Modellsson", "Mallberg", "Täcknamnsson", "Förebildsson"}
)

// Name returns the made-up name of the demo person pn (the sex from the
// personnummer's ninth digit, as the test series has it).
func Name(pn skalig.PersonalNumber) string {
	s := pn.Canonical()
	h := fnv.New32a()
	h.Write([]byte(s))
	n := h.Sum32()
	given := givenMale
	if len(s) == 12 && (s[10]-'0')%2 == 0 {
		given = givenFemale
	}
	return given[n%uint32(len(given))] + " " + familyNames[(n/97)%uint32(len(familyNames))]
}
