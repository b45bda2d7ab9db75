package skalig

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ApplicationKind tells a first application (grundansökan), which always goes
// to a person, from the monthly re-application (fortsatt ansökan).
type ApplicationKind string

// Application kinds.
const (
	FirstApplication   ApplicationKind = "first"
	MonthlyApplication ApplicationKind = "monthly"
)

// Valid reports whether k is one of the kinds.
func (k ApplicationKind) Valid() bool { return k == FirstApplication || k == MonthlyApplication }

// MemberRole is a household member's place in the application. The names
// are those of the calculation format.
type MemberRole string

// Member roles: the applicant; a partner (spouse, registered partner or sambo,
// the medsökande, assessed jointly); a child at home.
const (
	RoleApplicant MemberRole = "applicant"
	RolePartner   MemberRole = "partner"
	RoleChild     MemberRole = "child"
)

// Valid reports whether r is one of the roles.
func (r MemberRole) Valid() bool { return r == RoleApplicant || r == RolePartner || r == RoleChild }

// Member is one person of the household applied for.
type Member struct {
	// ID is the member's id within the application ("p1"), which facts refer to.
	ID             string         `json:"id"`
	PersonalNumber PersonalNumber `json:"personal_number"`
	Role           MemberRole     `json:"role"`
	// Name is the person's name as their e-legitimation gave it when they
	// signed the application on the e-service (the applicant and the
	// co-applicant; "" when unknown: a child, or an application an API
	// client submitted). It is not part of what was applied for: not in
	// the JSON of the application, so neither in ContentHash nor in what
	// a client may send; the store keeps it beside the case's persons
	// (gallring removes it with them) and CaseApplication gives it back.
	Name string `json:"-"`
}

// MaxNameLength bounds a person's name in runes.
const MaxNameLength = 200

// NameKey is name as the search by name compares it: lower case (å, ä
// and ö too, which SQLite's lower() leaves alone) with single spaces, in
// Unicode's composed form (NFC: an ö typed as o and a combining diaeresis
// is the one letter ö). NameWords makes the words the store finds a name
// by from it, and the store folds a search term the same way.
func NameKey(name string) string {
	k := strings.ToLower(strings.Join(strings.Fields(name), " "))
	if isASCII(k) {
		return k
	}
	return norm.NFC.String(k)
}

// NameWords are the words the search by name finds name by
// (CaseService.CasesByName matches each word of the search as the
// beginning of one of them). Each word of NameKey(name) is there, and
// for a word of several parts ("öberg-lind", "o'brien") each part too;
// each of those as written ("göran"), without diacritics (NameFold:
// "goran") and as it is written without the Nordic and German letters
// (ö and ø oe, ä and æ ae, å aa, ü ue, the rest as NameFold: "goeran",
// "aasa", "haekkinen", "muellerstroem"). No word twice; none for a name
// of no words.
func NameWords(name string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	notInWord := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) }
	for _, w := range strings.Fields(NameKey(name)) {
		forms := []string{w}
		if parts := strings.FieldsFunc(w, notInWord); len(parts) != 1 || parts[0] != w {
			forms = append(forms, parts...)
		}
		for _, f := range forms {
			add(f)
			if isASCII(f) {
				continue
			}
			add(NameFold(f))
			add(NameFold(spellOut.Replace(f)))
		}
	}
	return out
}

// spellOut writes the Nordic and German letters as they are written
// without them (Göran as Goeran, Åsa as Aasa).
var spellOut = strings.NewReplacer("ö", "oe", "ø", "oe", "ä", "ae", "æ", "ae", "å", "aa", "ü", "ue")

// NameFold is NameKey without diacritics, as a caseworker on the phone
// types a name: "Göran Åström-Müller" is "goran astrom-muller", "José" is
// "jose", "Ḥasan ʿAlī" is "hasan ali". The marks that Unicode decomposes
// (å, ä, ö, é, ü, ç, ñ, ā, ḥ, š ...) are removed from their letters;
// letters that do not decompose are written with plain ones: ø o, æ ae,
// œ oe, ß ss, ł l, đ and ð d, þ th, ı i; the transliteration marks ʿ and ʾ
// (ayn, hamza) are dropped. Anything else is left as NameKey has it.
// NameWords makes the words of a name the search finds with it.
func NameFold(name string) string {
	k := NameKey(name)
	if isASCII(k) {
		return k
	}
	// A chain keeps state: one per call, not shared between goroutines.
	marks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	f, _, err := transform.String(marks, k)
	if err != nil {
		f = k
	}
	return foldLetters.Replace(f)
}

var foldLetters = strings.NewReplacer("ø", "o", "æ", "ae", "œ", "oe", "ß", "ss", "ł", "l",
	"đ", "d", "ð", "d", "þ", "th", "ı", "i", "ʿ", "", "ʾ", "")

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// MaxMembers bounds the household size an application may state.
const MaxMembers = 20

// Application is what the applicant submitted for one month: who is in the
// household and the facts they declared. It is stored as received and never
// changed; later facts belong to the case.
type Application struct {
	ID           string
	Municipality string // kommunkod, four digits
	Kind         ApplicationKind
	Month        Month
	Members      []Member
	// Facts are the facts declared by the applicant; each has Source
	// applicant. At may be zero: the store sets it to SubmittedAt.
	Facts []Fact
	// IdempotencyKey is chosen by the client (the e-service form, an API
	// caller's Idempotency-Key header); a repeated key within a municipality
	// yields the case of the first submission, never a second one.
	IdempotencyKey string
	SubmittedAt    time.Time
}

// Validate checks a and returns *Error EINVALID naming each invalid field
// by its path ("members[1].personal_number", "facts[0].period").
func (a *Application) Validate() error {
	var fe []FieldError
	add := func(field, msg string) { fe = append(fe, FieldError{Field: field, Message: msg}) }
	if !isMunicipalityCode(a.Municipality) {
		add("municipality", "Ange kommunkoden med fyra siffror.")
	}
	if !a.Kind.Valid() {
		add("kind", "Ange om det är en grundansökan eller en fortsatt ansökan.")
	}
	if !validMonth(a.Month) {
		add("month", "Ange månaden som ÅÅÅÅ-MM.")
	}
	if a.IdempotencyKey == "" || len(a.IdempotencyKey) > 200 || !printableASCII(a.IdempotencyKey) {
		add("idempotency_key", "Nyckeln ska vara 1-200 synliga ASCII-tecken.")
	}
	if len(a.Members) == 0 || len(a.Members) > MaxMembers {
		add("members", "Ange hushållets medlemmar, högst "+strconv.Itoa(MaxMembers)+".")
	}
	ids := map[string]bool{}
	pns := map[PersonalNumber]bool{}
	roles := map[MemberRole]int{}
	for i, m := range a.Members {
		p := "members[" + strconv.Itoa(i) + "]."
		if !isCode(m.ID, "_-", 32) {
			add(p+"id", "Ogiltigt id.")
		} else if ids[m.ID] {
			add(p+"id", "Id:t finns redan i hushållet.")
		}
		ids[m.ID] = true
		if err := m.PersonalNumber.Validate(); err != nil {
			add(p+"personal_number", ErrorMessage(err))
		} else if pns[m.PersonalNumber] {
			add(p+"personal_number", "Personen finns redan i hushållet.")
		}
		pns[m.PersonalNumber] = true
		if !m.Role.Valid() {
			add(p+"role", "Ange sökande, make/maka/sambo eller barn.")
		}
		if utf8.RuneCountInString(m.Name) > MaxNameLength {
			add(p+"name", "Namnet får vara högst "+strconv.Itoa(MaxNameLength)+" tecken.")
		} else if ContainsControl(m.Name) {
			add(p+"name", "Namnet: "+ControlCharMessage)
		}
		roles[m.Role]++
	}
	if len(a.Members) > 0 && roles[RoleApplicant] != 1 {
		add("members", "Hushållet ska ha precis en sökande.")
	}
	if roles[RolePartner] > 1 {
		add("members", "Hushållet kan ha högst en make, maka eller sambo.")
	}
	for i := range a.Facts {
		f := &a.Facts[i]
		p := "facts[" + strconv.Itoa(i) + "]."
		f.validate(p, &fe, false)
		if !f.Value.IsText && f.Value.Amount < 0 {
			add(p+"amount", "Beloppet kan inte vara mindre än 0 kr.")
		}
		if f.PersonID != "" && !ids[f.PersonID] {
			add(p+"person", "Personen finns inte i hushållet.")
		}
		if f.Source != SourceApplicant {
			add(p+"source", "En ansökan innehåller bara den sökandes egna uppgifter.")
		}
	}
	return invalid("Ansökan är inte fullständig.", fe)
}

// applicationJSON is the content of an application that its ContentHash
// covers: everything the applicant sent, nothing the store assigned.
type applicationJSON struct {
	Municipality   string   `json:"municipality"`
	Kind           string   `json:"kind"`
	Month          string   `json:"month"`
	Members        []Member `json:"members"`
	Facts          []Fact   `json:"facts"`
	IdempotencyKey string   `json:"idempotency_key"`
}

// ContentHash returns the SHA-256, in hex, of the canonical JSON of what the
// applicant sent: not ID, SubmittedAt or the facts' At, which a client
// retrying a request may set anew. A store keeps it with the idempotency key,
// to tell a repeated submission from a different one that reuses the key.
func (a *Application) ContentHash() string {
	facts := make([]Fact, len(a.Facts))
	for i, f := range a.Facts {
		f.At = time.Time{}
		facts[i] = f
	}
	b, err := canonicalJSON(applicationJSON{
		Municipality: a.Municipality, Kind: string(a.Kind), Month: a.Month.String(),
		Members: a.Members, Facts: facts, IdempotencyKey: a.IdempotencyKey,
	})
	if err != nil {
		// Only a Fact or Member that cannot be encoded gets here, and both
		// encode any value; keep the hash distinct from any real one.
		return "invalid:" + err.Error()
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// isMunicipalityCode reports whether s is a kommunkod: four digits, the
// first two the county (01-25).
func isMunicipalityCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	n, ok := atoi(s)
	return ok && n/100 >= 1 && n/100 <= 25
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
