"""tensorgate evaluate: not written yet."""
from .errors import UserError


def add_parser(subparsers):
    p = subparsers.add_parser("evaluate", help="(not available yet)")
    p.set_defaults(run=run)
    return p


def run(args, extra):
    raise UserError("evaluate: not available yet")
