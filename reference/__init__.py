"""Trusted references for the attention-judge problems.

Only the judge imports this package; it is never visible inside the sandbox.
`blocks` holds the exact float64 NumPy references, `variants` the known mistakes,
`torch_blocks` the Torch baseline for speed.
"""
