"""``DIR/.lock``: one ``sim batch`` at a time on a results folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import uuid
from pathlib import Path

from sim.errors import OutputError
from sim.store.files import now

LOCK = ".lock"


def _proc_start(pid: int) -> str | None:
    """Start time of a process (Linux /proc; None elsewhere), to tell a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def _pid_alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
        if stat[stat.rfind(")") + 2:].split()[0] == "Z":  # zombie: dead, not yet reaped
            return False
    except OSError:
        pass
    now_start = _proc_start(pid)
    return not (start and now_start and start != now_start)


class BatchLock:
    """``DIR/.lock``: refuses a second ``sim batch`` on a folder; a stale lock (its process
    is gone) is taken over."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self.held = False

    def info(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None

    def _stale(self, info: dict | None) -> bool:
        if info is None:  # unreadable: stale only if old (a new lock is written at once)
            try:
                age = dt.datetime.now().timestamp() - self.path.stat().st_mtime
            except OSError:
                return True
            return age > 30
        if info.get("host") != socket.gethostname():
            return False
        try:
            pid = int(info["pid"])
        except (KeyError, TypeError, ValueError):
            return True
        return not _pid_alive(pid, info.get("start"))

    def acquire(self) -> None:
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": now(),
              "start": _proc_start(os.getpid())}
        for _ in range(5):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = self.info()
                if not self._stale(info):
                    who = (f"pid {info.get('pid')} on {info.get('host')}, started "
                           f"{info.get('started')}") if info else "another process"
                    raise OutputError(
                        f"{self.path.parent} is in use by another `sim batch` ({who}); wait "
                        f"for it to finish, or delete {self.path} if that process is gone"
                    ) from None
                aside = self.path.with_name(f"{LOCK}.stale-{uuid.uuid4().hex[:8]}")
                try:
                    os.replace(self.path, aside)
                    aside.unlink(missing_ok=True)
                except FileNotFoundError:
                    pass
                continue
            except OSError as exc:
                raise OutputError(f"cannot create {self.path} ({exc.strerror or exc})") from None
            with os.fdopen(fd, "w") as fh:
                json.dump(me, fh)
                fh.flush()
                os.fsync(fh.fileno())
            self.held = True
            return
        raise OutputError(f"cannot take the lock {self.path} (another process keeps taking it)")

    def release(self) -> None:
        if not self.held:
            return
        info = self.info()
        if info and info.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
