#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04 by default).
# It installs bubblewrap, Python 3.11 and the judge from the copy of this repository in the zip.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq bubblewrap python3.11 python3.11-venv >/dev/null
python3.11 -m venv /opt/attention-judge
# Torch first, pinned and from the CPU index: a bare requirement pulls several GB of CUDA wheels
/opt/attention-judge/bin/pip install -q --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
/opt/attention-judge/bin/pip install -q "$SOURCE/attention-judge"
/opt/attention-judge/bin/judge doctor || echo "setup: judge doctor failed; see docs/gradescope.md" >&2
