package calcformat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// node is a parsed JSON value that keeps object keys in order (and so can
// report a key given twice) and numbers as their literal text (so amounts
// are exact).
type node struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	keys []string
	vals []*node
	arr  []*node
	str  string // string value or number literal
	b    bool
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 20

// parseJSON reads exactly one JSON value from data. Errors are Swedish.
func parseJSON(data []byte) (*node, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("texten är inte giltig UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return nil, jsonErr(dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("det finns mer text efter JSON-objektet (vid tecken %d)", dec.InputOffset())
	}
	return n, nil
}

func jsonErr(dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("ogiltig JSON vid tecken %d", se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("JSON-texten tar slut för tidigt")
	case errors.Is(err, errTooDeep):
		return errors.New("JSON-texten är för djupt nästlad")
	}
	return fmt.Errorf("ogiltig JSON vid tecken %d", dec.InputOffset())
}

var errTooDeep = errors.New("too deep")

func readNode(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("key is not a string")
				}
				v, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				v, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, errors.New("unexpected delimiter")
	case string:
		return &node{kind: 's', str: t}, nil
	case json.Number:
		return &node{kind: 'n', str: string(t)}, nil
	case bool:
		return &node{kind: 'b', b: t}, nil
	case nil:
		return &node{kind: 'z'}, nil
	}
	return nil, errors.New("unexpected token")
}

// kindName names a JSON kind in Swedish for messages.
func kindName(k byte) string {
	switch k {
	case 'o':
		return "ett objekt"
	case 'a':
		return "en lista"
	case 's':
		return "en text"
	case 'n':
		return "ett tal"
	case 'b':
		return "true eller false"
	}
	return "null"
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// field returns the path of key in the object at path: "people[0].id". A
// key that is empty or not a plain name is quoted, so that every message
// names its field: `people[0][""]`, `["a b"]`.
func field(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func plainKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
