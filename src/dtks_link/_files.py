"""Private files: what holds personal data in clear is readable and writable by its owner only.

Files are created ``0600`` and folders ``0700`` whatever the process umask. DuckDB creates its
database and write-ahead log with the process umask, so writes to a registry run under
:func:`private_umask`.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["FILE_MODE", "FOLDER_MODE", "make_private_dir", "open_private", "private_umask", "tighten"]

FILE_MODE = 0o600
FOLDER_MODE = 0o700

_UMASK_LOCK = threading.RLock()
_umask_depth = 0
_saved_umask = 0


@contextmanager
def private_umask() -> Iterator[None]:
    """Run the block with umask ``077``: every file created meanwhile (also by DuckDB, also by
    another thread) is private. Nested and thread-safe; the previous umask comes back after."""
    global _umask_depth, _saved_umask
    with _UMASK_LOCK:
        if _umask_depth == 0:
            _saved_umask = os.umask(0o077)
        _umask_depth += 1
    try:
        yield
    finally:
        with _UMASK_LOCK:
            _umask_depth -= 1
            if _umask_depth == 0:
                os.umask(_saved_umask)


def make_private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) as ``0700`` folders; an existing folder is kept
    as it is, since it may be shared on purpose (only new folders are made private)."""
    folder = Path(path)
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for new in reversed(missing):
        new.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(new, FOLDER_MODE)
    return folder


def tighten(path: str | Path) -> None:
    """Make an existing file ``0600`` (a no-op when it is absent)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def open_private(path: str | Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open()`` that creates the file ``0600`` (and tightens an existing one). ``mode`` is
    one of ``w``, ``wb``, ``a``, ``ab``."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, mode, **kwargs)
