#!/usr/bin/env bash
# What the browser tests need beyond Python: Debian's Chromium, and CJK fonts so Chinese pages are
# not boxes in screenshots. Installs what is missing (as root, or through sudo), else says the one
# command to run. Called by `make test`.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }; then
  missing+=(fonts-noto-cjk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update -q && apt-get install -y -q ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "The browser tests need ${missing[*]}. Run as root, then make test again:" >&2
  echo "  sudo sh -c '$command'" >&2
  exit 1
fi
echo "--- installing ${missing[*]} for the browser tests"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
