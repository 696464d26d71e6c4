#!/usr/bin/env bash
# One command for a fresh machine: install what the tests need (Debian packages + npm), then run every gate:
# type-check, lint, build, Vitest (unit, loopback integration, network lab) and Playwright e2e in Chromium,
# then every benchmark once in its quick mode.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(chromium fonts-noto-cjk iputils-ping iptables iproute2 nmap openssl procps ethtool traceroute iputils-tracepath coreutils)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    echo "setup: cannot install ${missing[*]} (not root, no sudo); lab and e2e tests will say what they skip." >&2
  else
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# `npm ci`: exactly the versions in package-lock.json, or a failure. The lockfile lists every platform's
# optional packages (rollup/esbuild bindings): it was generated from scratch, without node_modules
# (`npm install --package-lock-only`). An earlier lockfile written by `npm install` over an existing
# node_modules held only this machine's bindings, and `npm ci` refused it ("Missing:
# @rollup/rollup-darwin-arm64 ... from lock file", npm/cli#4828); regenerate it the same way if that recurs.
echo "setup: npm ci (from package-lock.json)"
npm ci --no-audit --no-fund
# Native raw-socket addon for ICMP (optional: the system ping is the fallback).
npm rebuild raw-socket >/dev/null 2>&1 || echo "setup: raw-socket did not build; ICMP uses the system ping"

export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
npm test
# Every benchmark once, in its one-run quick mode, so none can rot unnoticed (figures are printed).
npm run bench:quick
