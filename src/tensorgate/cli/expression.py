"""Safe parsing of a typed expression such as ``(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)``.

The text is parsed with Python's ``ast`` module and walked node by node; only numbers, the named
variables, + − * / ** and unary minus, and calls of a fixed table of gate functions are accepted. Nothing
is ever passed to ``eval``, so an expression cannot run code.
"""
import ast
import math

from .. import functional as F

FUNCTIONS = {
    "sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu, "exp": F.exp, "log": F.log, "sqrt": F.sqrt,
    "abs": F.abs, "gelu": F.gelu, "hardtanh": F.hardtanh, "leaky_relu": F.leaky_relu,
    "max": F.maximum, "min": F.minimum,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY = {ast.Add: F.add, ast.Sub: F.sub, ast.Mult: F.mul, ast.Div: F.div, ast.Pow: F.pow}


class ExpressionError(ValueError):
    """The expression uses syntax or names that are not allowed."""


def variables(text):
    """The variable names used in ``text``, in order of first appearance (functions and constants excluded)."""
    tree = _parse(text)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in CONSTANTS:
            if node.id not in names:
                names.append(node.id)
    return names


def compile_expression(text):
    """Turn ``text`` into a function of keyword tensors, built only from tensorgate gates.

    >>> f = compile_expression("x * sigmoid(y)")
    >>> sorted(variables("x * sigmoid(y)"))
    ['x', 'y']
    """
    tree = _parse(text)

    def fn(**env):
        return _evaluate(tree.body, env)

    return fn


def _parse(text):
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression: give a non-empty expression, e.g. \"x * sigmoid(y)\"")
    if len(text) > 1000:
        raise ExpressionError("expression: longer than 1000 characters")
    try:
        return ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"expression: invalid syntax at column {e.offset}: {text!r}") from None


def _evaluate(node, env):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise ExpressionError(f"expression: unknown name {node.id!r}; give its value, e.g. --{node.id} 1.0")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand, env)
        return F.neg(value) if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        if node.func.id not in FUNCTIONS:
            raise ExpressionError(
                f"expression: unknown function {node.func.id!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
        return FUNCTIONS[node.func.id](*[_evaluate(a, env) for a in node.args])
    raise ExpressionError(f"expression: {type(node).__name__} is not allowed (only numbers, variables, "
                          "+ - * / **, and the functions " + ", ".join(sorted(FUNCTIONS)) + ")")
