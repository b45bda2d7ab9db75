package config_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"skalig/internal/config"
)

// skaligName is a SKALIG_* variable name (not a prefix such as SKALIG_OIDC_).
var skaligName = regexp.MustCompile(`SKALIG_[A-Z0-9]+(?:_[A-Z0-9]+)*\b`)

// TestConfigurationReference fails when a SKALIG_* name appears in the Go
// sources outside tests but in no table of docs/configuration.md, or in a
// table there but nowhere in those sources.
func TestConfigurationReference(t *testing.T) {
	root := filepath.Join("..", "..")
	inSource := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "node_modules" || name == "testdata" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range skaligName.FindAllString(string(b), -1) {
			if _, ok := inSource[n]; !ok {
				inSource[n] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	var configKeys []string // the tables before "## Tests": the configuration's own
	tests := false
	for _, line := range strings.Split(string(doc), "\n") {
		tests = tests || strings.HasPrefix(line, "## Tests")
		if strings.HasPrefix(line, "| `SKALIG_") {
			if !tests {
				configKeys = append(configKeys, skaligName.FindString(line))
			}
			n := skaligName.FindString(line)
			if inDoc[n] {
				t.Errorf("docs/configuration.md lists %s twice", n)
			}
			inDoc[n] = true
		}
	}
	if len(inSource) < 20 || len(inDoc) < 20 {
		t.Fatalf("found %d names in the sources and %d in the document: the scan is broken", len(inSource), len(inDoc))
	}
	var missing, stale []string
	for n, path := range inSource {
		if !inDoc[n] {
			missing = append(missing, n+" ("+path+")")
		}
	}
	for n := range inDoc {
		if _, ok := inSource[n]; !ok {
			stale = append(stale, n)
		}
	}
	slices.Sort(missing)
	slices.Sort(stale)
	for _, m := range missing {
		t.Errorf("%s is in the sources but not in docs/configuration.md: document it with its default", m)
	}
	for _, s := range stale {
		t.Errorf("docs/configuration.md lists %s, which no Go source outside the tests names", s)
	}

	// skalig config dump shows every one of them.
	c := config.Default()
	dump := c.Dump()
	for _, k := range configKeys {
		if !strings.Contains(dump, "\n"+k+"=") && !strings.HasPrefix(dump, k+"=") {
			t.Errorf("config dump leaves out %s", k)
		}
	}
}
