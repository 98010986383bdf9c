"""The last step of every atomic write in tensorgate: give the temporary file its final name.

Files are written to a temporary file in the target's directory and renamed over the target with
``os.replace``, atomic on one file system, so a crash never leaves a half-written model or dataset.
``tempfile.mkstemp`` creates that file readable by its owner only (0600); a file made with ``open``
would get 0666 less the umask (usually 0644), and that is what users expect of a saved model, so the
permissions are set to that before the rename.
"""
import os


def _umask():
    mask = os.umask(0)  # the only portable way to read the umask is to set it and put it back
    os.umask(mask)
    return mask


def replace_atomically(tmp, path):
    """Give ``tmp`` the permissions of a newly created file (0666 & ~umask), then rename it to ``path``."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)
