"""Keeping freed memory in the process while a large model trains (glibc only).

glibc's malloc serves large blocks (above at most 32 MB) with fresh ``mmap`` calls and
returns them to the kernel when freed. A full-batch epoch on a large graph allocates and
frees gigabytes of such tensors, and the next epoch faults every page back in: at 10^6
nodes that was a quarter of the epoch, spent in the kernel. While training at that scale
on CPU, :func:`retain_freed_memory` asks malloc to serve every block from its heap
(``mallopt(M_MMAP_MAX, 0)``, and up to 256 MB kept free at its top), whose freed blocks
are reused by the next epoch, and afterwards restores glibc's defaults and hands the
heap's free memory back (``malloc_trim``).
Elsewhere (another C library, another platform, a GPU) it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

import torch

__all__ = ["RETAIN_MEMORY_WORK", "retain_freed_memory"]

# below about this many non-zeros touched per epoch the page faults do not matter
RETAIN_MEMORY_WORK = 20_000_000

_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4
_DEFAULT_TRIM_THRESHOLD, _DEFAULT_MMAP_MAX = 128 * 1024, 65536  # glibc's defaults
_RETAINED_FREE = 256 * 1024 * 1024  # free memory kept at the top of the heap while training


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
        return libc
    except (OSError, AttributeError):
        return None


@contextlib.contextmanager
def retain_freed_memory(device: torch.device, work_size: int | None):
    """Serve large CPU allocations from malloc's heap while training at scale (see module)."""
    libc = _glibc() if device.type == "cpu" and (work_size or 0) >= RETAIN_MEMORY_WORK else None
    if libc is None or libc.mallopt(_M_MMAP_MAX, 0) != 1:
        yield False
        return
    libc.mallopt(_M_TRIM_THRESHOLD, _RETAINED_FREE)
    try:
        yield True
    finally:
        libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
        libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
        libc.malloc_trim(0)
