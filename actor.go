package skalig

import "slices"

// StaffRole is what a member of staff may do in casework. The names are
// those the login provider gives (internal/auth's roles).
type StaffRole string

// Staff roles.
const (
	StaffCaseworker         StaffRole = "caseworker"          // handläggare
	StaffFinancialAssistant StaffRole = "financial_assistant" // ekonomiassistent
	StaffManager            StaffRole = "manager"             // chef
	StaffAdministrator      StaffRole = "administrator"       // administratör
)

// ClientAction is something a machine client of the API may be allowed
// to do (its scope, beside its municipalities).
type ClientAction string

// Client actions.
const (
	// ClientSubmit submits applications.
	ClientSubmit ClientAction = "submit"
	// ClientRead reads cases, receipts and replays.
	ClientRead ClientAction = "read"
	// ClientDecide records decisions on cases.
	ClientDecide ClientAction = "decide"
	// ClientActForPerson acts in the name of a named member of staff; a
	// decision always needs a person, so recording one needs this too.
	ClientActForPerson ClientAction = "act_for_person"
)

// DefaultClientActions are the actions of a client whose configuration
// names none: it submits and reads, and decides nothing.
var DefaultClientActions = []ClientAction{ClientSubmit, ClientRead}

// Person is a member of staff who acted, signed in, or for whom a client
// acted.
type Person struct {
	Subject string // the login provider's stable id
	Roles   []StaffRole
	// Municipalities the person works for; "*" means all.
	Municipalities []string
}

// HasRole reports whether the person has role r.
func (p *Person) HasRole(r StaffRole) bool { return p != nil && slices.Contains(p.Roles, r) }

// Client is a machine client of the API.
type Client struct {
	Name string
	// Municipalities the client may act for; "*" means all.
	Municipalities []string
	Actions        []ClientAction
}

// May reports whether the client's scope allows action a.
func (c *Client) May(a ClientAction) bool { return c != nil && slices.Contains(c.Actions, a) }

// Actor is who really acted on a case: a person signed in (Person only), a
// machine client on its own (Client only), or a client acting for a named
// person (both: both are recorded).
type Actor struct {
	Person *Person
	Client *Client
}

// PersonActor is the actor of a person signed in.
func PersonActor(subject string, roles []StaffRole, municipalities []string) Actor {
	return Actor{Person: &Person{Subject: subject, Roles: roles, Municipalities: municipalities}}
}

// ClientActor is the actor of a machine client on its own.
func ClientActor(name string, municipalities []string, actions []ClientAction) Actor {
	return Actor{Client: &Client{Name: name, Municipalities: municipalities, Actions: actions}}
}

// For returns the client's actor acting for the person subject, whose
// roles and municipalities the policy looks up.
func (a Actor) For(subject string) Actor {
	return Actor{Client: a.Client, Person: &Person{Subject: subject}}
}

// String is the actor as the audit trail records it: "caseworker:<subject>"
// for a person, "api:<client>" for a client, and "api:<client> for
// caseworker:<subject>" for a client acting for a person.
func (a Actor) String() string {
	switch {
	case a.Client != nil && a.Person != nil:
		return "api:" + a.Client.Name + " for caseworker:" + a.Person.Subject
	case a.Client != nil:
		return "api:" + a.Client.Name
	case a.Person != nil:
		return "caseworker:" + a.Person.Subject
	}
	return ""
}

// Subject is the person's subject, or "" when no person acted.
func (a Actor) Subject() string {
	if a.Person == nil {
		return ""
	}
	return a.Person.Subject
}

// InMunicipality reports whether the actor may act in municipality code:
// the client's scope when a client acts, and the person's (for a client
// acting for a person: once the person's municipalities are looked up).
func (a Actor) InMunicipality(code string) bool {
	in := func(muns []string) bool { return slices.Contains(muns, "*") || slices.Contains(muns, code) }
	if a.Client == nil && a.Person == nil {
		return false
	}
	if a.Client != nil && !in(a.Client.Municipalities) {
		return false
	}
	if a.Person != nil && (a.Client == nil || a.Person.Municipalities != nil) && !in(a.Person.Municipalities) {
		return false
	}
	return true
}
