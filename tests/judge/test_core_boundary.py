"""The core never imports the web stack: the CLI and the service are thin layers over grade()."""

import subprocess
import sys


def test_importing_the_core_pulls_in_no_web_framework():
    probe = (
        "import sys, judge, judge.cli; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
