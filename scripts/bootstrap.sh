#!/usr/bin/env bash
# Installs what building and testing Tidemark needs on a fresh Debian machine with Swift 6:
# Debian packages through apt (libgit2 to build; git, openssl and sshd as test peers for the git source),
# PostgreSQL 15 (a throwaway server for the replica tests), promtool (Debian's prometheus) and curl for the
# ecosystem checks, through pip the Python test oracles (croniter; jsonschema and PyYAML for the policy schema) and
# the validators (kubernetes-validate, check-jsonschema), and the real freezer-api (a virtualenv) as the freezer peer.
set -euo pipefail

apt_packages=(python3 python3-pip pkg-config libgit2-dev libcurl4-openssl-dev libsqlite3-dev git)
test_apt_packages=(openssl openssh-client openssh-server python3-venv postgresql prometheus curl)
pip_packages=(croniter==7.0.0 cronsim==2.8 kubernetes-validate==1.37.0 check-jsonschema==0.39.0 jsonschema==4.26.0 PyYAML==6.0.3)

[ "${1:-}" = "--test" ] && apt_packages+=("${test_apt_packages[@]}")
missing=()
for package in "${apt_packages[@]}"; do
  if [ "$package" = python3-venv ]; then
    python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=("$package")
  else
    dpkg -s "$package" >/dev/null 2>&1 || command -v "${package%%-*}" >/dev/null 2>&1 || missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ] && [ ! -d /run/sshd ]; then
  # sshd (the ssh:// test peer) refuses to start without its privilege separation directory.
  if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd; else sudo mkdir -p /run/sshd; fi
fi

if [ "${1:-}" = "--test" ]; then
  if ! python3 - "${pip_packages[@]}" <<'PY' 2>/dev/null; then
import sys
from importlib import metadata
sys.exit(any(metadata.version(name) != version for name, version in (p.split("==") for p in sys.argv[1:])))
PY
    echo "bootstrap: installing ${pip_packages[*]}" >&2
    python3 -m pip install --quiet --disable-pip-version-check "${pip_packages[@]}"
  fi
fi

if [ "${1:-}" = "--test" ]; then
  "$(dirname "$0")/../Tests/Peers/freezer/freezer-api.sh" install
fi

command -v swift >/dev/null || { echo "bootstrap: swift is not on PATH; install Swift 6 first" >&2; exit 1; }
