"""Giving the memory freed while loading back to the operating system."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util


def release_freed_memory() -> None:
    """Ask the C library to return freed heap pages to the system (glibc only; elsewhere nothing happens).

    Loading 100,000 customers frees megabytes of scratch space the allocator would otherwise keep for the life
    of the process, counted in its resident size.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)
