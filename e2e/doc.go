// Package e2e holds Skälig's browser tests: the web server runs in-process
// (httptest), Debian's Chromium drives it through chromedp, and axe-core
// (from npm, installed into e2e/node_modules by install.sh) checks every
// page against WCAG 2.1 A and AA.
//
// The tests skip, saying why, when /usr/bin/chromium is missing, unless
// SKALIG_E2E=1, which makes a missing browser (or axe-core) a failure; CI
// sets it after running install.sh. docs/web.md tells how to run them and
// how to write one.
package e2e
