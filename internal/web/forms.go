package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"skalig"
)

// Form is a submitted (or prefilled) form: its values and its errors, in the
// order the fields were checked, which is the order of the error summary.
// Messages are in the form's language.
//
//	f := p.NewForm(r.PostForm)
//	rent, _ := f.Amount("rent", p.T("apply.rent.label"))
//	f.Required("account", p.T("apply.account.label"))
//	if f.HasErrors() { p.Form = f; s.Render(w, r, http.StatusUnprocessableEntity, "apply", p); return }
type Form struct {
	Values url.Values
	// General are messages that concern no one field; they head the error
	// summary.
	General []string

	lang   *Lang
	errors []skalig.FieldError
}

// NewForm returns a form in language l (nil: Swedish) with values (nil: none).
func NewForm(l *Lang, values url.Values) *Form {
	if l == nil {
		l = Swedish
	}
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, lang: l}
}

// NewForm returns a form in the page's language.
func (p *Page) NewForm(values url.Values) *Form { return NewForm(p.Lang, values) }

// Value returns the trimmed value of field name.
// Lang returns the language of the form's messages.
func (f *Form) Lang() *Lang { return f.lang }

func (f *Form) Value(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Set sets the value of field name (for prefilling).
func (f *Form) Set(name, value string) { f.Values.Set(name, value) }

// Fail records msg (already in the form's language) as the error of field
// name. A field keeps its first error.
func (f *Form) Fail(name, msg string) {
	if f.Error(name) != "" {
		return
	}
	f.errors = append(f.errors, skalig.FieldError{Field: name, Message: msg})
}

// FailKey records the message key (with args) of the form's language as the
// error of field name.
func (f *Form) FailKey(name, key string, args ...any) { f.Fail(name, f.lang.T(key, args...)) }

// AddError records a domain error: each FieldError of an EINVALID
// *skalig.Error on the field of the same name, its message (or that of any
// other *skalig.Error) as a general message. Domain messages are Swedish;
// they are shown as they are, but for a FieldError that carries its
// Detail, which is said in the form's language (FieldMessage). Any other
// error is not for the user: it is returned, for the caller to answer
// with the 500 page.
func (f *Form) AddError(err error) error {
	var e *skalig.Error
	if !errors.As(err, &e) || e.Code == skalig.EINTERNAL {
		return err
	}
	if len(e.Fields) == 0 {
		f.General = append(f.General, e.Message)
		return nil
	}
	for _, fe := range e.Fields {
		f.Fail(fe.Field, f.lang.FieldMessage(fe))
	}
	return nil
}

// FieldMessage is a domain field error's message in l: its Detail in l's
// language when it has one, else its Swedish Message as it is.
func (l *Lang) FieldMessage(fe skalig.FieldError) string {
	if fe.Detail != nil {
		return l.Details([]skalig.Detail{*fe.Detail})
	}
	return fe.Message
}

// Error returns the error message of field name, or "".
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.errors {
		if e.Field == name {
			return e.Message
		}
	}
	return ""
}

// Errors returns the field errors in order.
func (f *Form) Errors() []skalig.FieldError {
	if f == nil {
		return nil
	}
	return f.errors
}

// HasErrors reports whether any field (or the form as a whole) has an error.
func (f *Form) HasErrors() bool { return f != nil && (len(f.errors) > 0 || len(f.General) > 0) }

// Required returns the value of field name, recording "<label>: fyll i
// ..." when it is empty, and the error of Text when it holds a control
// character.
func (f *Form) Required(name, label string) (string, bool) {
	v := f.Value(name)
	if v == "" {
		f.FailKey(name, "form.required", MessageLabel(label))
		return "", false
	}
	return f.Text(name, label)
}

// Text returns the value of the free-text field name, which may be empty,
// recording "<label>: ... otillåtet tecken" when it holds a control
// character other than tab and line breaks (NUL above all: nobody types
// one, and PostgreSQL refuses it in text). Read every free text through
// Text or Required, never through Value alone.
func (f *Form) Text(name, label string) (string, bool) {
	v := f.Value(name)
	if HasControl(v) {
		f.FailKey(name, "form.control_char", MessageLabel(label))
		return "", false
	}
	return v, true
}

// HasControl reports whether s holds a control character other than tab,
// line feed and carriage return, or is not valid UTF-8: the rule of
// skalig.ContainsControl.
func HasControl(s string) bool { return skalig.ContainsControl(s) }

// Amount parses field name as a required amount (see ParseAmount),
// recording an error naming label when it is empty or not an amount.
func (f *Form) Amount(name, label string) (skalig.Money, bool) {
	m, p := parseAmount(f.Values.Get(name))
	if p != amountOK {
		f.Fail(name, amountMessage(f.lang, p, MessageLabel(label)))
		return 0, false
	}
	return m, true
}

// OptionalAmount is Amount for a field that may be left empty, which is 0.
func (f *Form) OptionalAmount(name, label string) (skalig.Money, bool) {
	if strings.TrimFunc(f.Values.Get(name), IsSpace) == "" {
		return 0, true
	}
	return f.Amount(name, label)
}

// OneOf returns the value of field name when it is one of allowed, and
// records "<label>: välj ett av alternativen" otherwise.
func (f *Form) OneOf(name, label string, allowed ...string) (string, bool) {
	v := f.Value(name)
	for _, a := range allowed {
		if v == a {
			return v, true
		}
	}
	f.FailKey(name, "form.choose", MessageLabel(label))
	return "", false
}

// messageLabel is a label as the start of an error message ("Hur bor du?:
// välj ..." reads "Hur bor du: välj ..."): without a final question mark,
// colon or full stop.
func MessageLabel(label string) string {
	return strings.TrimRight(strings.TrimSpace(label), "?:.؟")
}

// Field is one form field as the partials render it: the label, an optional
// hint, the value, the error, and the ids that tie them together for
// assistive technology (aria-describedby, the error summary's links). Build
// it in a template with the function field and chain the With methods:
//
//	{{template "amount" ((field .Form "rent" (t "apply.rent.label")).WithHint (t "apply.rent.hint"))}}
type Field struct {
	Name, ID     string
	Label, Hint  string
	Value, Error string
	// Type is the input type of the "input" partial: text (default), email,
	// tel, date, number.
	Type         string
	Autocomplete string
	// Inputmode is the virtual keyboard to show: "decimal", "numeric", "tel".
	Inputmode string
	Required  bool
	// Options are the choices of the "radios" partial.
	Options []Option
	// Width is a CSS width class suffix: "short" (amounts, numbers), "long".
	Width string
}

// Option is one choice of a radios field.
type Option struct {
	Value, Label, Hint string
}

// FieldID returns the element id of field name: "f-" and the name, with
// any character that is not a letter, digit, "-" or "_" replaced by "-"
// ("people[1].income" is "f-people-1--income").
func FieldID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range name {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// newField is the template function field: the field name of form f with
// label, its value and its error.
func newField(f *Form, name, label string) Field {
	fd := Field{Name: name, ID: FieldID(name), Label: label, Type: "text"}
	if f != nil {
		fd.Value = f.Values.Get(name)
		fd.Error = f.Error(name)
	}
	return fd
}

// WithHint returns the field with a hint below the label.
func (f Field) WithHint(h string) Field { f.Hint = h; return f }

// WithDefaultHint returns the field with hint h unless it has one.
func (f Field) WithDefaultHint(h string) Field {
	if f.Hint == "" {
		f.Hint = h
	}
	return f
}

// WithType returns the field with an input type.
func (f Field) WithType(t string) Field { f.Type = t; return f }

// WithAutocomplete returns the field with an autocomplete token
// ("given-name", "tel", "email").
func (f Field) WithAutocomplete(a string) Field { f.Autocomplete = a; return f }

// WithInputmode returns the field with an inputmode ("decimal", "numeric").
func (f Field) WithInputmode(m string) Field { f.Inputmode = m; return f }

// WithOptions returns the field with the choices of a radios field.
func (f Field) WithOptions(o []Option) Field { f.Options = o; return f }

// WithWidth returns the field with a width ("short", "long").
func (f Field) WithWidth(w string) Field { f.Width = w; return f }

// AsRequired returns the field marked required (the label says so in text).
func (f Field) AsRequired() Field { f.Required = true; return f }

// HintID is the id of the hint element.
func (f Field) HintID() string { return f.ID + "-hint" }

// ErrorID is the id of the error message element.
func (f Field) ErrorID() string { return f.ID + "-error" }

// DescribedBy is the aria-describedby value: the hint and the error, when
// present.
func (f Field) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.HintID())
	}
	if f.Error != "" {
		ids = append(ids, f.ErrorID())
	}
	return strings.Join(ids, " ")
}

// OptionID is the id of the i-th option of a radios field; the first is the
// field's ID itself, so that the error summary's link reaches it.
func (f Field) OptionID(i int) string {
	if i == 0 {
		return f.ID
	}
	return f.ID + "-" + strconv.Itoa(i)
}

// Checked reports whether value is the field's value.
func (f Field) Checked(value string) bool { return f.Value == value }
