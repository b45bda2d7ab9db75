#!/usr/bin/env bash
# Lints internal/api/openapi.json with @redocly/cli (recommended rules, tools/openapi/redocly.yaml) and
# @stoplight/spectral-cli (spectral:oas, .spectral.yaml) and fails on any error or warning. Installs the
# linters at the versions pinned in tools/openapi/package-lock.json (npm ci) when they are missing or
# differ. .ci/run calls it; run it by hand after changing the document.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
doc="$root/internal/api/openapi.json"

if ! cmp -s package-lock.json node_modules/.skalig-installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.skalig-installed-lock
fi

fail=0
out=$(node_modules/.bin/redocly lint --config redocly.yaml --format=stylish "$doc" 2>&1) || fail=1
if ! printf '%s' "$out" | grep -q 'Your API description is valid' || printf '%s' "$out" | grep -Eq ' (error|warning) '; then
  fail=1
fi
printf '%s\n' "$out" | grep -v '[║╔╚]' | sed '/^$/d'
out=$(node_modules/.bin/spectral lint --fail-severity=hint -r "$root/.spectral.yaml" "$doc" 2>&1) || fail=1
printf '%s\n' "$out"
if [ "$fail" -ne 0 ]; then
  echo "openapi lint: the document has errors or warnings (zero of each is the rule)"
  exit 1
fi
echo "openapi lint: redocly and spectral, 0 errors, 0 warnings"
