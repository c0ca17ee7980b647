"""``DIR/.lock``: one ``sim batch`` (or ``sim run``) at a time on a results folder.

The lock is ``flock`` on the lock file, held while the batch runs: atomic, and released by
the kernel when the process ends however it ends, so a lock file left by a dead process is
simply taken (no stale-lock takeover race). The file holds the holder's pid, host and start
time, for the message a second process gets. (``flock`` needs a local file system; on NFS
use one results folder per machine.)
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path

from sim.errors import OutputError
from sim.store.files import now

LOCK = ".lock"


class BatchLock:
    """``DIR/.lock``: refuses a second ``sim batch`` on a folder while one holds it."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / LOCK
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def info(self) -> dict | None:
        """What the lock file says about its holder (None if unreadable or empty)."""
        try:
            info = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) else None

    def _in_use(self) -> OutputError:
        info = self.info()
        who = (f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}"
               if info else "another process")
        return OutputError(f"{self.path.parent} is in use by another `sim batch` ({who}); "
                           f"wait for it to finish")

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path} ({exc.strerror or exc})") from None

    def acquire(self) -> None:
        """Take the lock, or raise OutputError naming the process that holds it."""
        if self.held:
            return
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._in_use() from None
            except OSError as exc:
                os.close(fd)
                raise OutputError(f"cannot lock {self.path} ({exc.strerror or exc})") from None
            try:  # the holder before us may have removed the file as we opened it
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": now()}
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(me).encode())
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            raise OutputError(f"cannot write {self.path} ({exc.strerror or exc})") from None
        self._fd = fd

    def release(self) -> None:
        """Remove the lock file and let the lock go (the file first: see ``acquire``)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # e.g. a folder made read-only meanwhile: the lock goes with the fd
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
