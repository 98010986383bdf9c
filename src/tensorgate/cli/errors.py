"""The command line's user errors: one line on stderr, exit status 2, no traceback.

A :class:`UserError` is raised for anything the user can fix (a missing file, a bad flag value, data the
model cannot take); :func:`~tensorgate.cli.main.main` prints ``tensorgate: error: <message>`` and exits
with :data:`EXIT_USAGE`. Any other exception is a bug in tensorgate and keeps its traceback.
"""

EXIT_USAGE = 2


class UserError(Exception):
    """Something the user can fix; the message is printed on one line, without a traceback."""

    exit_status = EXIT_USAGE


class TrainingFailed(UserError):
    """Training diverged (nan or inf loss): one line, what was known is written, exit status 1."""

    exit_status = 1


def one_line(message):
    """``message`` folded onto one line (multi-line library messages joined with ' ')."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())
