"""tensorgate predict: not written yet."""
from .errors import UserError


def add_parser(subparsers):
    p = subparsers.add_parser("predict", help="(not available yet)")
    p.set_defaults(run=run)
    return p


def run(args, extra):
    raise UserError("predict: not available yet")
