"""Whether this host can time on CUDA, and which device nodes a CUDA sandbox needs.

The judge never imports Torch to find out: a GPU is present when the NVIDIA
control node exists. The sandbox then gets only the NVIDIA device nodes (the
control node, the unified-memory nodes and one node per GPU), bound one by one
into its otherwise minimal /dev; the driver's user-space libraries come with
/usr, which every sandbox already sees read-only. Whether CUDA really starts
inside is the harness's answer (`torch.cuda.is_available()` there), and a
comparison that asked for CUDA and did not get it says so.
"""

from __future__ import annotations

from pathlib import Path

_DEV = Path("/dev")
_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset")


def gpu_device_nodes(dev: Path = _DEV) -> list[Path]:
    """The NVIDIA device nodes present on this host (none without a GPU)."""
    if not (dev / "nvidiactl").exists():
        return []
    nodes = [dev / name for name in _NODES if (dev / name).exists()]
    nodes += sorted(p for p in dev.glob("nvidia[0-9]*") if p.name[len("nvidia"):].isdigit())
    return nodes


def gpu_present(dev: Path = _DEV) -> bool:
    """An NVIDIA GPU and its driver's control node are present."""
    return any(p.name[len("nvidia"):].isdigit() for p in gpu_device_nodes(dev))
