package webtest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"testing"

	"skalig/internal/web"
)

// RunRequiringEveryPage runs a web package's tests (its TestMain calls it)
// and fails them when one of the page templates in templates
// ("templates/pages/*.html") was never rendered by a test. A filtered run
// (-run, -skip, -fuzz) is not checked. It returns the exit code.
func RunRequiringEveryPage(m *testing.M, templates fs.FS) int {
	var mu sync.Mutex
	rendered := map[string]bool{}
	web.OnRender(func(page string) {
		mu.Lock()
		rendered[page] = true
		mu.Unlock()
	})
	code := m.Run()
	if code != 0 || !runAll() {
		return code
	}
	pages, err := fs.Glob(templates, "templates/pages/*.html")
	if err != nil || len(pages) == 0 {
		fmt.Println("FAIL: no page templates", err)
		return 1
	}
	var missing []string
	for _, p := range pages {
		if name := strings.TrimSuffix(path.Base(p), ".html"); !rendered[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		fmt.Printf("FAIL: page templates never rendered by a test: %v\n", missing)
		return 1
	}
	return 0
}

// runAll reports whether the whole package's tests ran (no -run filter).
func runAll() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.run") || strings.HasPrefix(a, "-test.fuzz") || strings.HasPrefix(a, "-test.skip") {
			return false
		}
	}
	return true
}
