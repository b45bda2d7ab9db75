package skalig

import "testing"

func TestActorString(t *testing.T) {
	client := ClientActor("sys", []string{"0821"}, []ClientAction{ClientDecide, ClientActForPerson})
	for _, tc := range []struct {
		a    Actor
		want string
	}{
		{PersonActor("hl-1", []StaffRole{StaffCaseworker}, []string{"0821"}), "caseworker:hl-1"},
		{client, "api:sys"},
		{client.For("hl-1"), "api:sys for caseworker:hl-1"},
		{Actor{}, ""},
	} {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestActorInMunicipality(t *testing.T) {
	client := ClientActor("sys", []string{"0821"}, nil)
	all := ClientActor("all", []string{"*"}, nil)
	person := PersonActor("hl-1", nil, []string{"0880"})
	for _, tc := range []struct {
		a    Actor
		code string
		want bool
	}{
		{client, "0821", true}, {client, "0880", false}, {all, "0880", true},
		{person, "0880", true}, {person, "0821", false}, {Actor{}, "0821", false},
		// A client for a person: the client's scope, and the person's once
		// looked up.
		{client.For("hl-1"), "0821", true},
		{Actor{Client: client.Client, Person: person.Person}, "0821", false},
	} {
		if got := tc.a.InMunicipality(tc.code); got != tc.want {
			t.Errorf("%s in %s: %v, want %v", tc.a, tc.code, got, tc.want)
		}
	}
}
