"""Atomic writes: every file tensorgate writes appears whole or not at all.

The data goes to a temporary file in the target's directory, which is then renamed over the target with
``os.replace`` (atomic on one file system), so a crash never leaves a half-written model, dataset or
plot. The temporary's name carries the writer's process id; a writer killed mid-write (SIGKILL) leaves
its temporary behind, and the next save of the same target removes it (:func:`remove_stale_temporaries`). ``tempfile.mkstemp`` creates that file readable by its owner only (0600); a file made with
``open`` would get 0666 less the umask (usually 0644), which is what users expect of a saved model, so
the permissions are set to that before the rename.

    with atomic_path("model.tgate") as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import contextlib
import errno
import os
import stat
import tempfile

if TYPE_CHECKING:
    from typing import BinaryIO, Iterator


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # another user's process, or no such number
        return pid <= 2**22
    return True


def remove_stale_temporaries(path: str | os.PathLike[str], suffix: str = ".tmp") -> list[str]:
    """Remove the temporaries that writers of ``path`` killed mid-write left behind; returns their names.

    A temporary is named ``.<name>.<pid>.<random><suffix>``; it is stale when process ``pid`` is gone
    (a SIGKILL, a power cut). Temporaries of live processes, this one included, are another save in
    progress and are kept, and so is every file not named like that.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    prefix = f".{os.path.basename(path)}."
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        pid, dot, _ = name[len(prefix):].partition(".")
        if not (dot and pid.isdigit()) or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            os.remove(os.path.join(directory, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _umask():
    mask = os.umask(0)  # the only portable way to read the umask is to set it and put it back
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[str]:
    """Yield the name of a temporary file next to ``path`` to write; when the block ends normally, give it
    a new file's permissions (0666 & ~umask) and rename it to ``path``; when it raises, remove it.

    ``suffix``: the temporary name's ending (a tool that picks the format from it, like matplotlib's
    ``savefig``, needs the real one).
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(path, suffix)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class NotRegularFileError(OSError):
    """A path that names a FIFO, a device or a socket where tensorgate reads only regular files."""


def open_regular(path: str | os.PathLike[str]) -> tuple[BinaryIO, int]:
    """``(file, size)``: ``path`` opened for binary reading, which must be a regular file.

    The file is opened without blocking (a FIFO would otherwise wait for a writer forever) and checked
    with ``fstat`` on the open descriptor, so a symlink to ``/dev/zero`` is refused whatever it is called,
    and nothing can be swapped in between the check and the read. Raises ``FileNotFoundError``,
    ``IsADirectoryError``, :class:`NotRegularFileError` or another ``OSError`` (permission denied).
    """
    path = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file (a device, FIFO or socket)", path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise
