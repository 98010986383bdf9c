"""The ``tensorgate`` command: train, sweep, evaluate, predict, trace and export.

``main(argv)`` parses the arguments and runs one subcommand. A user error (:class:`UserError`, a missing
file, a bad value) ends with one line ``tensorgate: error: ...`` on stderr and exit status 2; a real bug
keeps its traceback. ``--debug`` shows the traceback of user errors too.

Heavy modules (matplotlib, scikit-learn) are imported inside the subcommands, so ``tensorgate --help``
starts quickly.
"""
import argparse
import sys

from ..backend.memory import tune_malloc
from .errors import EXIT_USAGE, UserError, one_line

PROG = "tensorgate"


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors: ``tensorgate: error: <message> (see tensorgate <cmd> --help)``."""

    def error(self, message):
        hint = f" (see {self.prog} --help)"
        raise UserError(one_line(message) + hint)


def build_parser():
    from . import evaluate, export, playground, predict, sweep, trace, train

    parser = ArgumentParser(
        prog=PROG,
        description="Train, evaluate and use neural-network classifiers built on tensorgate's gates.",
        epilog="Run 'tensorgate COMMAND --help' for a command's options. With no arguments, "
               "'tensorgate train' trains an MLP on the embedded digits data.")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks of errors")
    from ..backend.version import __version__
    parser.add_argument("--version", action="version", version=f"tensorgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (train, sweep, evaluate, predict, trace, export, playground):
        sub = module.add_parser(commands)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show full tracebacks of errors")
    return parser


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    tune_malloc()   # the process is ours: keep freed memory for the next step (backend/memory.py)
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        debug = debug or getattr(args, "debug", False)
        if extra and not getattr(args, "accepts_unknown", False):
            raise UserError(f"unrecognized arguments: {' '.join(extra)} (see {PROG} {args.command} --help)")
        return args.run(args, extra) or 0
    except UserError as err:
        if debug:
            raise
        print(f"{PROG}: error: {one_line(err)}", file=sys.stderr)
        return getattr(err, "exit_status", EXIT_USAGE)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `tensorgate predict ... | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
