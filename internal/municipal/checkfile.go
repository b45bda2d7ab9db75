package municipal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"skalig"
	"skalig/internal/routing"
)

// DecodeJSON decodes one JSON value of data into v, refusing unknown
// fields and anything after the value, as the files are read. Its error
// says in Swedish what is wrong and where: the field of a value of the
// wrong type or an unknown field, the character of a syntax error.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		return errors.New("efter JSON-värdet följer mer innehåll")
	}
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("filen är tom: den ska innehålla ett JSON-objekt")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("filen slutar mitt i JSON-innehållet")
	case errors.As(err, &se):
		return fmt.Errorf("filen är inte giltig JSON (fel vid tecken %d)", se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Errorf("filen ska vara ett JSON-%s, inte %s", jsonTypeSwedish(te.Type.Kind().String()), jsonValueSwedish(te.Value))
		}
		return fmt.Errorf("fältet %s ska vara %s, inte %s", te.Field, jsonTypeSwedish(te.Type.Kind().String()), jsonValueSwedish(te.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("okänt fält %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("filen kan inte läsas som JSON: %v", err)
}

// jsonTypeSwedish names the Go kind a field needs in words.
func jsonTypeSwedish(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "ett heltal"
	case strings.HasPrefix(kind, "float"):
		return "ett tal"
	case kind == "string":
		return "en text"
	case kind == "bool":
		return "true eller false"
	case kind == "slice", kind == "array":
		return "en lista"
	case kind == "struct", kind == "map":
		return "ett objekt"
	}
	return kind
}

// jsonValueSwedish names the kind of JSON value found in words.
func jsonValueSwedish(v string) string {
	switch {
	case v == "string":
		return "en text"
	case v == "bool":
		return "true eller false"
	case v == "array":
		return "en lista"
	case v == "object":
		return "ett objekt"
	case v == "number":
		return "ett tal"
	case strings.HasPrefix(v, "number "):
		return "ett tal (" + strings.TrimPrefix(v, "number ") + ")"
	}
	return v
}

// CheckFile checks a municipality's file (the shape of data/CODE.json) as
// Parse does and says what is wrong in Swedish, naming the field: the
// JSON, the code and name, each guideline version and each routing
// version (routing.Check). It is for a file a person gives (a what-if
// candidate); nil when Parse takes the file. The few checks Parse makes
// beyond these (the contact, the accessibility date) are reported with
// Parse's own text.
func CheckFile(data []byte) error {
	fail := func(format string, args ...any) error {
		return skalig.Errorf(skalig.EINVALID, format, args...)
	}
	var m Municipality
	if err := DecodeJSON(data, &m); err != nil {
		return fail("%v", err)
	}
	if len(m.Code) != 4 || !isDigits(m.Code) {
		return fail("kommunkod (code): ange kommunens kod med fyra siffror, till exempel 0821")
	}
	if strings.TrimSpace(m.Name) == "" {
		return fail("kommunens namn (name) saknas")
	}
	if len(m.Guidelines) == 0 {
		return fail("riktlinjer (guidelines) saknas: filen ska ha minst en version")
	}
	var prev skalig.Month
	for i := range m.Guidelines {
		v := &m.Guidelines[i]
		label := fmt.Sprintf("riktlinjeversion %d", i+1)
		if n := strings.TrimSpace(v.Version); n != "" {
			label += " (" + n + ")"
		}
		mo, ok := skalig.ParseMonth(v.From)
		switch {
		case strings.TrimSpace(v.Version) == "":
			return fail("%s, version: ge versionen ett namn", label)
		case !ok:
			return fail("%s, från (from): %q är inte en månad som ÅÅÅÅ-MM", label, v.From)
		case i > 0 && mo <= prev:
			return fail("%s, från (from): ska vara efter föregående versions månad", label)
		}
		prev = mo
		if ps := v.problems(); len(ps) > 0 {
			return fail("%s, %s: %s", label, ps[0].field, ps[0].swedish)
		}
	}
	if len(m.Routing) > 0 {
		var specs []json.RawMessage
		if err := json.Unmarshal(m.Routing, &specs); err != nil {
			return fail("routning (routing): ska vara en lista av versioner")
		}
		var prev skalig.Month
		for i, raw := range specs {
			var s routing.Spec
			label := fmt.Sprintf("routningsversion %d", i+1)
			if err := DecodeJSON(raw, &s); err != nil {
				return fail("%s: %v", label, err)
			}
			if n := strings.TrimSpace(s.Version); n != "" {
				label += " (" + n + ")"
			}
			if ps := routing.Check(s); len(ps) > 0 {
				return fail("%s, %s: %s", label, ps[0].Field, ps[0].Message)
			}
			mo, _ := skalig.ParseMonth(s.From)
			if i > 0 && mo <= prev {
				return fail("%s, från (from): ska vara efter föregående versions månad", label)
			}
			prev = mo
		}
	}
	if _, err := Parse(map[string][]byte{m.Code + ".json": data}); err != nil {
		return fail("filen är inte giltig: %v", err)
	}
	return nil
}
