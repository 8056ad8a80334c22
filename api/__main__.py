"""`python -m api ...` is `judge ...`."""

from judge.cli import entrypoint

entrypoint()
