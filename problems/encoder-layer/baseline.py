"""Trusted: the Torch float32 baseline that submissions are timed against."""

from reference.torch_blocks import encoder_layer as baseline

__all__ = ["baseline"]
