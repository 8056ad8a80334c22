#!/usr/bin/env bash
# Install everything attention-judge needs on a fresh Debian/Ubuntu machine.
# Torch first, pinned: a bare requirement would pull several GB of CUDA wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    echo "setup: bubblewrap is missing and cannot be installed here (need root and apt-get);" \
         "submissions would run UNSANDBOXED - install the 'bubblewrap' package" >&2
  fi
fi
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q -e '.[test]'
