"""File helpers of the results store: the one atomic writer, fsync, versions, safe names."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path


def now() -> str:
    """The current UTC time as ISO text (seconds)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _remove_quietly(path: Path) -> None:
    """Remove a temporary file; a read-only or vanished folder is not a second error."""
    try:
        path.unlink()
    except OSError:
        pass


def atomic_write(path: Path, data: bytes, sync_dir: bool = True) -> None:
    """Write ``data`` to ``path`` all or nothing: a temporary sibling, fsync, rename.

    Raises :class:`sim.OutputError` (one clear message) when the file cannot be written,
    e.g. a read-only folder or a full disk; the previous file, if any, is left as it was.
    ``sync_dir=False`` leaves the folder's fsync to the caller (several files at once)."""
    from sim.errors import OutputError

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise OutputError(f"cannot write {path} ({_why(exc)})") from None
    if sync_dir:
        fsync_dir(path.parent)


def package_versions() -> dict[str, str]:
    """Python, platform and the versions of the packages that shape results."""
    import platform
    from importlib import metadata

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ("sim", "numpy", "pandas", "pyarrow", "simpy", "scipy", "pydantic", "pyyaml",
                 "dask", "distributed"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def safe_name(name: str) -> str:
    """A file-system-safe version of a scenario, batch or policy name (no separators)."""
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).strip("._")
    return keep[:80] or "scenario"


def move_into_place(tmp: Path, out: Path, replace: bool = False) -> None:
    """Rename the finished folder ``tmp`` to ``out`` (a sibling). With ``replace``, an existing
    ``out`` is moved aside first and removed only once ``tmp`` is in place."""
    from sim.errors import OutputError

    parent = out.resolve().parent
    try:
        if replace and out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except OSError as exc:
        raise OutputError(f"cannot write results to {out}: {_why(exc)}") from None
    fsync_dir(parent)
