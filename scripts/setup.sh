#!/usr/bin/env bash
# Install everything attention-judge needs on a fresh Debian/Ubuntu machine.
# Torch first, pinned: a bare requirement would pull several GB of CUDA wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
# bubblewrap is the sandbox; chromium runs the browser tests (Playwright drives it, never downloads one);
# PostgreSQL's server binaries run the scale-out tests (tests/postgres.py starts its own throwaway server)
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # the package would create and start a cluster of its own; the tests need only the binaries
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/attention-judge.conf
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]} and cannot install it here (need root and apt-get);" \
         "without bubblewrap submissions would run UNSANDBOXED; without chromium the browser tests fail;" \
         "without postgresql the scale-out tests fail" >&2
  fi
fi
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q -e '.[test]'
