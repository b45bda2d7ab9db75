#!/usr/bin/env bash
# Installs what the browser tests in e2e/ need, and does nothing when it is
# there already: Debian's Chromium at /usr/bin/chromium, and axe-core from npm
# (the version pinned in package-lock.json) in e2e/node_modules.
# Run as root (apt-get); .ci/run calls it before `SKALIG_E2E=1 go test ./e2e/`.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "e2e/install.sh: need root to apt-get install $*" >&2
    exit 1
  fi
  if [ -z "${apt_updated:-}" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e/install.sh: installing chromium"
  apt_install chromium
fi

want=$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' package.json | head -1)
have=""
if [ -f node_modules/axe-core/package.json ]; then
  have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/axe-core/package.json | head -1)
fi
if [ ! -f node_modules/axe-core/axe.min.js ] || [ "$have" != "$want" ]; then
  if ! command -v npm >/dev/null; then
    echo "e2e/install.sh: installing nodejs and npm"
    apt_install nodejs npm
  fi
  echo "e2e/install.sh: npm ci (axe-core $want)"
  npm ci --no-audit --no-fund --loglevel=error
fi

/usr/bin/chromium --version 2>/dev/null | head -1 || true
echo "axe-core $(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/axe-core/package.json | head -1)"
