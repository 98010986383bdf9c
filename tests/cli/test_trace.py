"""``tensorgate trace``: the lecture's worked example, and expressions that must be refused."""
import pytest

from cli_helpers import assert_main_error, assert_user_error, run_cli, run_main

EXAMPLE = "(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)"


def test_worked_example_numbers():
    result = run_cli("trace", EXAMPLE, "--x", "2", "--y", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # forward: σ(1) = 0.731, x + σ(y) = 2.731, σ(2) = 0.881, σ(x) + (x + y)² = 0.881 + 9 = 9.881,
    # 1 / 9.881 = 0.101, f = 2.731 · 0.101 = 0.276
    for value in ("0.731", "2.731", "0.881", "9.881", "0.101", "0.276"):
        assert value in out, value
    # backward: ∂f/∂(1/den) = 2.731, ∂f/∂den = −2.731 / 9.881² = −0.028
    assert "-0.028" in out
    assert "f = 0.276" in out
    assert "backward pass" in out


def test_variables_as_name_equals_value_and_negative_numbers(capsys):
    status, out, _ = run_main(capsys, "trace", "x * y", "--x=-2", "--y", "1.5")
    assert status == 0
    assert "f = -3.000" in out
    assert "∂f/∂x = 1.500" in out and "∂f/∂y = -2.000" in out


@pytest.mark.parametrize("expression, fragment", [
    ("__import__('os')", "unknown function '__import__'"),
    ("x.__class__", "Attribute is not allowed"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("[x for x in y]", "ListComp is not allowed"),
    ("x +", "invalid syntax"),
])
def test_forbidden_or_broken_expressions(expression, fragment, capsys):
    assert_main_error(capsys, ["trace", expression, "--x", "1", "--y", "1"], fragment)


def test_forbidden_expression_in_a_subprocess(tmp_path):
    marker = tmp_path / "pwned"
    result = run_cli("trace", f"__import__('os').system('touch {marker}')", "--x", "1")
    assert_user_error(result, "not allowed")
    assert not marker.exists() and result.stdout == ""


def test_missing_variable_and_bad_values(capsys):
    assert_user_error(run_cli("trace", EXAMPLE, "--x", "2"), "no value for y", "--y VALUE")
    assert_main_error(capsys, ["trace", "x * 2", "--x", "two"], "--x must be a number")
    assert_main_error(capsys, ["trace", "x * 2", "--x", "1", "--z", "3"], "does not use z")
    assert_main_error(capsys, ["trace", "x * 2", "--x"], "--x needs a value")
    assert_main_error(capsys, ["trace", "sigmoid(x, x)", "--x", "1"], "sigmoid()")
