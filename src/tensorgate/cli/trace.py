"""``tensorgate trace EXPRESSION --x 2 --y 1``: the gate trace of a typed expression.

The expression is parsed by :mod:`tensorgate.cli.expression` (an ``ast`` walk, never ``eval``) into a
function built from tensorgate's gates, and :func:`tensorgate.trace` prints forward values, the upstream
and downstream gradients of every gate, and ∂f/∂input for each variable.
"""
from .errors import UserError


def add_parser(subparsers):
    p = subparsers.add_parser(
        "trace", help="print the gate-by-gate forward and backward pass of an expression",
        description="Print the forward values and the gradients, gate by gate, of an expression such as "
                    "\"(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)\". Give each variable as --NAME VALUE.",
        epilog="example: tensorgate trace \"(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)\" --x 2 --y 1")
    p.add_argument("expression", help="the expression; functions: sigmoid, tanh, relu, exp, log, sqrt, "
                                      "abs, gelu, hardtanh, leaky_relu, max, min")
    p.set_defaults(run=run, accepts_unknown=True)
    return p


def parse_variables(extra):
    """{name: float} from ``["--x", "2", "--y=1"]``; a malformed pair is a :class:`UserError`."""
    values, i = {}, 0
    while i < len(extra):
        item = extra[i]
        if not item.startswith("--") or len(item) < 3:
            raise UserError(f"trace: unexpected argument {item!r}; give variables as --NAME VALUE, e.g. --x 2")
        name, sep, text = item[2:].partition("=")
        if not sep:
            if i + 1 >= len(extra):
                raise UserError(f"trace: --{name} needs a value, e.g. --{name} 1.5")
            text = extra[i + 1]
            i += 1
        i += 1
        if not name.isidentifier():
            raise UserError(f"trace: {name!r} is not a variable name")
        try:
            values[name] = float(text)
        except ValueError:
            raise UserError(f"trace: --{name} must be a number, got {text!r}") from None
    return values


def run(args, extra):
    from ..autograd import trace as tg_trace
    from .expression import ExpressionError, compile_expression, variables

    values = parse_variables(extra)
    try:
        names = variables(args.expression)
        fn = compile_expression(args.expression)
        _dry_run(fn, names)  # reject forbidden syntax before complaining about missing values
    except ExpressionError as err:
        raise UserError(str(err)) from None
    missing = [n for n in names if n not in values]
    if missing:
        raise UserError("trace: no value for " + ", ".join(missing) + "; give "
                        + " ".join(f"--{n} VALUE" for n in missing))
    unused = [n for n in values if n not in names]
    if unused:
        raise UserError("trace: the expression does not use " + ", ".join(unused)
                        + (f"; its variables are {', '.join(names)}" if names else "; it has no variables"))
    if not names:
        raise UserError("trace: the expression has no variables to differentiate; use at least one, e.g. x")
    try:
        tg_trace(fn, print_table=True, **values)
    except ExpressionError as err:
        raise UserError(str(err)) from None
    except TypeError as err:  # a gate function called with the wrong number of arguments
        raise UserError(f"expression: {err}") from None
    return 0


def _dry_run(fn, names):
    """Evaluate ``fn`` once on placeholder values, so that a forbidden construct is reported first."""
    import numpy as np

    from ..autograd import no_grad, tensor

    with no_grad(), np.errstate(all="ignore"):
        try:
            fn(**{n: tensor(0.5, dtype="float64") for n in names})
        except TypeError as err:
            raise UserError(f"expression: {err}") from None
