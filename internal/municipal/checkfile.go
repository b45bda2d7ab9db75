package municipal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"skalig"
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
// Parse does and says what is wrong in Swedish, naming the field
// (DecodeJSON, then the checks of Parse: validate). It is for a file a
// person gives (a what-if candidate); nil when Parse takes the file.
func CheckFile(data []byte) error {
	var m Municipality
	if err := DecodeJSON(data, &m); err != nil {
		return skalig.Errorf(skalig.EINVALID, "%v", err)
	}
	if err := m.validate(); err != nil {
		return skalig.Errorf(skalig.EINVALID, "%v", err)
	}
	return nil
}
