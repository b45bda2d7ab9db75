package whatifweb

import (
	"os"
	"testing"

	"skalig/internal/web/webtest"
)

// TestMain fails the package's tests when one of its page templates was
// never rendered by a test.
func TestMain(m *testing.M) { os.Exit(webtest.RunRequiringEveryPage(m, templates)) }
