"""The command as a whole: help, python -m, unknown commands and options, settings resolution."""
import pytest

from cli_helpers import assert_main_error, assert_user_error, run_cli, run_main
from tensorgate.cli import config
from tensorgate.cli.errors import UserError
from tensorgate.cli.main import main


def test_help_and_no_command(capsys):
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("train", "evaluate", "predict", "trace"):
        assert command in result.stdout
    assert run_main(capsys)[0] == 2  # no command: the help, and a usage status
    with pytest.raises(SystemExit) as exit_info:
        run_main(capsys, "train", "--help")
    assert exit_info.value.code == 0
    train_help = capsys.readouterr().out
    for flag in ("--data", "--model", "--hidden", "--activation", "--init", "--optimizer", "--lr", "--batch-size",
                 "--epochs", "--seed", "--out", "--config", "--monitor", "--no-progress", "--progress"):
        assert flag in train_help, flag


def test_unknown_command_and_option(capsys):
    assert_main_error(capsys, ["frobnicate"], "invalid choice")
    assert_main_error(capsys, ["train", "--bogus"], "unrecognized arguments: --bogus")


@pytest.mark.parametrize("args, fragment", [
    (["--epochs", "abc"], "--epochs: expected a positive integer, got 'abc'"),
    (["--epochs", "0"], "--epochs: expected a positive integer"),
    (["--lr", "-1"], "--lr: expected a positive number"),
    (["--lr", "nan"], "--lr: expected a positive number"),
    (["--hidden", "256,x"], "--hidden: expected comma-separated positive integers"),
    (["--batch-size", "2.5"], "--batch-size: expected a positive integer"),
    (["--activation", "swish"], "--activation: unknown activation 'swish'"),
    (["--optimizer", "lbfgs"], "--optimizer: unknown optimizer 'lbfgs'"),
    (["--model", "transformer"], "--model: unknown model 'transformer'"),
    (["--data", "imagenet"], "--data: unknown data set 'imagenet'"),
    (["--data", "missing/file.csv"], "--data: no such file: missing/file.csv"),
    (["--config", "missing.toml"], "--config: no such file"),
])
def test_bad_flag_values_are_one_line_errors(args, fragment, tmp_path, capsys):
    assert_main_error(capsys, ["train", *args, "--out", tmp_path / "run"], fragment)
    assert not (tmp_path / "run").exists()  # nothing written before the settings are valid


def test_bad_flag_value_in_a_subprocess(tmp_path):
    assert_user_error(run_cli("train", "--epochs", "abc", "--data", "imagenet"),
                      "--epochs: expected a positive integer")


def test_main_in_process_returns_the_status(capsys):
    assert main(["train", "--epochs", "-3"]) == 2
    assert capsys.readouterr().err.strip() == "tensorgate: error: --epochs: expected a positive integer, got '-3'"
    with pytest.raises(UserError):  # --debug shows the traceback of user errors
        main(["--debug", "train", "--epochs", "-3"])


# ------------------------------------------------------------------ settings
def test_resolution_order(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('epochs = 7\nbatch-size = 16\nhidden = "64,32"\nlr = 0.01\n')
    s = config.resolve({"lr": 0.5}, toml)
    assert s["epochs"] == 7 and s["batch_size"] == 16 and s["hidden"] == [64, 32]
    assert s["lr"] == 0.5  # the flag wins over the file
    assert s["activation"] == "relu"  # the built-in default
    fashion = config.resolve({"data": "fashion-mnist"})
    assert fashion["hidden"] == [256, 128] and fashion["epochs"] == 10  # the data set's defaults
    assert config.resolve({"data": "fashion-mnist", "hidden": [32]})["hidden"] == [32]


def test_toml_round_trip_and_errors(tmp_path):
    settings = config.resolve({"data": "xor", "hidden": [8, 4], "lr": 0.02})
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml(settings))
    again = config.read_toml(path)
    assert {k: again[k] for k in ("data", "hidden", "lr", "epochs")} == {
        "data": "xor", "hidden": [8, 4], "lr": 0.02, "epochs": settings["epochs"]}
    path.write_text("epochz = 3\n")
    with pytest.raises(UserError, match="unknown setting 'epochz'"):
        config.read_toml(path)
    path.write_text("epochs = [\n")
    with pytest.raises(UserError, match="not valid TOML"):
        config.read_toml(path)
    path.write_text('[train]\nepochs = "many"\n')
    with pytest.raises(UserError, match="--epochs: expected a positive integer"):
        config.read_toml(path)


def test_parse_hidden():
    assert config.parse_hidden("256, 128") == [256, 128]
    assert config.parse_hidden("none") == []
    assert config.parse_hidden([3]) == [3]
    with pytest.raises(UserError):
        config.parse_hidden("0,5")


def test_trace_and_help_import_no_heavy_modules():
    import subprocess
    import sys
    from pathlib import Path

    # Computed here: `from cli_helpers import ...` is ambiguous when several test folders have a conftest.
    src = Path(__file__).resolve().parents[2] / "src"
    code = ("import sys; from tensorgate.cli.main import main; main(['trace', 'x * y', '--x', '1', '--y', '2']); "
            "print(sorted(m for m in ('matplotlib', 'sklearn', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(src), "PATH": ""})
    assert out.stdout.strip().splitlines()[-1] == "[]"
