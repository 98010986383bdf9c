"""Download one file safely: progress bar, SHA-256 check, atomic move into place.

The file is streamed into a temporary file in the destination's own directory while its SHA-256 is
computed; only when the digest matches is it moved into place with ``os.replace``, which is atomic on one
file system. A failed, interrupted or corrupted download therefore never leaves a partial or wrong file
where a later run would find it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import hashlib
import urllib.error
import urllib.request
from pathlib import Path

from ..backend.files import atomic_path

if TYPE_CHECKING:
    import os

__all__ = ["download_file", "sha256sum", "DownloadError", "DOWNLOAD_TIMEOUT"]

#: Seconds to wait for the server to connect or send the next chunk.
DOWNLOAD_TIMEOUT = 30.0
_CHUNK = 1 << 16


class DownloadError(OSError):
    """A file could not be fetched: no network, server unreachable, or an HTTP error."""


def sha256sum(path: str | os.PathLike[str]) -> str:
    """The SHA-256 hex digest of a file, read in chunks.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        64 lowercase hex digits.

    Shape
    -----
    Not applicable (a file in, a string out).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "empty")
    >>> open(path, "wb").close()
    >>> sha256sum(path)[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(url: str, dest: str | os.PathLike[str], sha256: str | None = None, progress: bool = True,
                  timeout: float | None = None) -> Path:
    """Download ``url`` to ``dest``, checking its SHA-256, with an atomic move into place.

    Parameters
    ----------
    url : str
        Where to fetch the file from (``http``, ``https`` or ``file``).
    dest : str or os.PathLike
        The final path. Its directory is created if needed.
    sha256 : str, optional
        The expected hex digest. When given and the download differs, nothing is written to ``dest``.
    progress : bool, default True
        Show a tqdm progress bar (on stderr) while downloading.
    timeout : float, optional
        Seconds to wait on the network; :data:`DOWNLOAD_TIMEOUT` by default.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Shape
    -----
    Not applicable (a URL in, a file out).

    Raises
    ------
    DownloadError
        If the server cannot be reached or answers with an HTTP error (the reason is in the message).
    ValueError
        If ``sha256`` is given and the downloaded bytes do not match it.

    Examples
    --------
    >>> import os, tempfile, pathlib
    >>> src = pathlib.Path(tempfile.mkdtemp(), "hello.txt")
    >>> _ = src.write_bytes(b"hello")
    >>> out = download_file(src.as_uri(), src.with_name("copy.txt"), progress=False,
    ...                     sha256="2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    >>> out.read_bytes()
    b'hello'
    """
    from tqdm.auto import tqdm

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout
    with atomic_path(dest, suffix=".part") as tmp:
        digest = hashlib.sha256()
        with open(tmp, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)
            except urllib.error.URLError as err:
                raise DownloadError(f"cannot download {url}: {_reason(err)}") from err
            with response:
                length = response.headers.get("Content-Length") if response.headers else None
                total = int(length) if length and length.isdigit() else None
                with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                          desc=dest.name, disable=not progress, leave=False) as bar:
                    try:
                        for chunk in iter(lambda: response.read(_CHUNK), b""):
                            out.write(chunk)
                            digest.update(chunk)
                            bar.update(len(chunk))
                    except (OSError, urllib.error.URLError) as err:  # includes timeouts, resets
                        raise DownloadError(f"download of {url} interrupted: {_reason(err)}") from err
            if total is not None and out.tell() != total:
                raise DownloadError(
                    f"download of {url} interrupted: received {out.tell()} of {total} bytes"
                )
        got = digest.hexdigest()
        if sha256 is not None and got != sha256.lower():
            raise ValueError(
                f"SHA-256 mismatch for {url}: expected {sha256}, got {got}. The file was discarded "
                f"and nothing was written to {dest.parent}. The mirror may serve a damaged or changed "
                "file, or something on the way altered it; try again later or get the file elsewhere."
            )
    return dest


def _reason(err):
    """A short human reason for a network error."""
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    reason = getattr(err, "reason", None) or err
    return str(reason) or type(reason).__name__
