package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"

	"skalig"
)

// The message catalogs are JSON files in locales/, one per part of the site
// and language: common.sv.json (layout, forms, errors, public pages),
// applicant.sv.json (the e-service and Mina sidor), caseworker.sv.json (the
// caseworker's and the administrator's pages), and the same in en and ar.
// The reasons' catalogs, reasons.LANG.json, are the root package's
// (skalig.ReasonCatalogs), next to the registry of reason codes.
// They are embedded in the binary and loaded at start through go-i18n,
// which also knows each language's CLDR plural rules. locales/README.md
// tells how to write them.
//
//go:embed locales/*.json
var localeFiles embed.FS

// messages is every language's catalog, loaded at start. A catalog that
// does not load stops the program: it is embedded, so that is a mistake
// made when building it, and the tests catch it first.
var messages = mustLoadCatalogs(localeFiles, skalig.ReasonCatalogs)

// catalogs is the messages of every language, and the go-i18n localizer
// that picks plural forms.
type catalogs struct {
	bundle *i18n.Bundle
	// msgs is lang code -> key -> message, as parsed by go-i18n.
	msgs map[string]map[string]*i18n.Message
	// part is lang code -> key -> the part of the site whose catalog file
	// has the key: "common" for common.sv.json.
	part map[string]map[string]string
	loc  map[string]*i18n.Localizer
}

func mustLoadCatalogs(fsys ...fs.FS) *catalogs {
	c, err := loadCatalogs(fsys...)
	if err != nil {
		panic(err)
	}
	return c
}

// loadCatalogs reads every locales/*.LANG.json of each fsys. A key in two files
// of one language, a file of an unknown language and a message that is
// not plain text (go-i18n's "{{" templates; Skälig's messages use fmt
// verbs) are errors.
func loadCatalogs(fsyss ...fs.FS) (*catalogs, error) {
	b := i18n.NewBundle(Swedish.tag)
	c := &catalogs{bundle: b, msgs: map[string]map[string]*i18n.Message{},
		part: map[string]map[string]string{}, loc: map[string]*i18n.Localizer{}}
	for _, l := range Languages {
		c.msgs[l.Code] = map[string]*i18n.Message{}
		c.part[l.Code] = map[string]string{}
	}
	for _, fsys := range fsyss {
		names, err := fs.Glob(fsys, "locales/*.json")
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("web: no message catalogs")
		}
		for _, name := range names {
			if err := c.load(fsys, name); err != nil {
				return nil, err
			}
		}
	}
	for _, l := range Languages {
		c.loc[l.Code] = i18n.NewLocalizer(b, l.Code)
	}
	return c, nil
}

// load adds the messages of the catalog file name of fsys.
func (c *catalogs) load(fsys fs.FS, name string) error {
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	// encoding/json (and so go-i18n) keeps the last of two equal keys
	// without a word: the first translation would be lost unseen.
	if dup, err := duplicateKey(buf); err != nil {
		return fmt.Errorf("web: catalog %s: %w", name, err)
	} else if dup != "" {
		return fmt.Errorf("web: catalog %s: key %q is in the file twice", name, dup)
	}
	f, err := c.bundle.ParseMessageFileBytes(buf, name)
	if err != nil {
		return fmt.Errorf("web: catalog %s: %w", name, err)
	}
	l := langOfTag(f.Tag)
	if l == nil {
		return fmt.Errorf("web: catalog %s: language %q is not one of the site's", name, f.Tag)
	}
	for _, m := range f.Messages {
		part, _, _ := strings.Cut(path.Base(name), ".")
		if prev, dup := c.part[l.Code][m.ID]; dup {
			return fmt.Errorf("web: message %q is in %s.%s.json and %s", m.ID, prev, l.Code, path.Base(name))
		}
		for _, form := range pluralForms(m) {
			if strings.Contains(form, "{{") {
				return fmt.Errorf("web: catalog %s: message %q has a template; use fmt verbs (%%s, %%d)", name, m.ID)
			}
		}
		c.msgs[l.Code][m.ID] = m
		c.part[l.Code][m.ID] = part
	}
	return nil
}

// duplicateKey returns the first key that appears twice in one object of
// the JSON document buf (its dotted path for a nested object), or "".
func duplicateKey(buf []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(buf))
	var walk func(prefix string) (string, error)
	walk = func(prefix string) (string, error) {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return "", err
				}
				key := prefix + k.(string)
				if seen[key] {
					return key, nil
				}
				seen[key] = true
				if dup, err := walk(key + "."); dup != "" || err != nil {
					return dup, err
				}
			}
			_, err = d.Token() // '}'
			return "", err
		case json.Delim('['):
			for d.More() {
				if dup, err := walk(prefix); dup != "" || err != nil {
					return dup, err
				}
			}
			_, err = d.Token() // ']'
			return "", err
		}
		return "", nil
	}
	dup, err := walk("")
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return dup, err
}

func langOfTag(t language.Tag) *Lang {
	base, _ := t.Base()
	return LangByCode(base.String())
}

// isPlural reports whether m has plural forms besides "other".
func isPlural(m *i18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

// pluralForms returns the non-empty forms of m.
func pluralForms(m *i18n.Message) []string {
	var out []string
	for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (c *catalogs) has(l *Lang, key string) bool {
	_, ok := c.msgs[l.Code][key]
	return ok
}

// message returns the message for key in l, or in Swedish, or nil.
func (c *catalogs) message(l *Lang, key string) (*i18n.Message, *Lang) {
	if m, ok := c.msgs[l.Code][key]; ok {
		return m, l
	}
	if m, ok := c.msgs[Swedish.Code][key]; ok {
		return m, Swedish
	}
	return nil, nil
}

// text is Lang.T.
func (c *catalogs) text(l *Lang, key string, args []any) string {
	m, in := c.message(l, key)
	if m == nil {
		return "[" + key + "]"
	}
	if !isPlural(m) || len(args) == 0 {
		return format(m.Other, args)
	}
	msg, err := c.loc[in.Code].Localize(&i18n.LocalizeConfig{
		MessageID:      key,
		PluralCount:    args[0],
		TemplateParser: template.IdentityParser{},
	})
	if err != nil || msg == "" {
		// Not a count (a mistake the tests catch): the "other" form.
		return format(m.Other, args)
	}
	if !strings.Contains(msg, "%") {
		// A form that says the number in words ("يومان", two days).
		return msg
	}
	return format(msg, args)
}

func format(msg string, args []any) string {
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}
