"""Trusted: the Torch float32 baseline that submissions are timed against."""

from reference.torch_blocks import cross_attention_block as baseline

__all__ = ["baseline"]
