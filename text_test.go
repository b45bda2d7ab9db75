package skalig

import "testing"

func TestContainsControl(t *testing.T) {
	for s, want := range map[string]bool{
		"": false, "Hej där": false, "rad ett\nrad två\r\n\tindrag": false, "Åsa Öberg, 12 000 kr": false, "مرحبا": false,
		"a\x00b": true, "\x01": true, "a\x1bb": true, "\x7f": true, "a\u0085b": true, "\xff\xfe": true,
	} {
		if got := ContainsControl(s); got != want {
			t.Errorf("ContainsControl(%q)=%v, want %v", s, got, want)
		}
	}
}
