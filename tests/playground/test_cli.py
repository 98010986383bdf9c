"""``tensorgate playground``: the address, the flags, and refusing to listen beyond this machine unasked."""
import subprocess
import sys
import urllib.request

import pytest

pytest.importorskip("uvicorn", reason="the playground extra is not installed")

from tensorgate.cli.main import main  # noqa: E402


@pytest.mark.parametrize("argv, words", [
    (["--host", "0.0.0.0"], "--allow-remote"),
    (["--port", "70000"], "--port must be in"),
    (["--max-sessions", "0"], "--max-sessions must be at least 1"),
])
def test_user_errors_are_one_line_and_status_2(argv, words, capsys):
    assert main(["playground", *argv, "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_remote_host_with_the_flag_warns(monkeypatch, capsys):
    import tensorgate.playground.serve as serve_module

    calls = []
    monkeypatch.setattr(serve_module, "serve", lambda *a, **k: calls.append((a, k)))
    assert main(["playground", "--host", "0.0.0.0", "--allow-remote", "--no-browser", "--port", "0"]) == 0
    assert calls == [(("0.0.0.0", 0), {"open_browser": False, "max_sessions": 8})]
    assert "warning" in capsys.readouterr().err


def test_a_port_in_use_is_a_user_error(capsys):
    from tensorgate.playground.serve import bind

    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert main(["playground", "--port", str(port), "--no-browser"]) == 2
        assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
    finally:
        sock.close()


def test_the_command_prints_the_address_and_serves_the_page():
    proc = subprocess.Popen([sys.executable, "-m", "tensorgate", "playground", "--port", "0", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("tensorgate playground: http://127.0.0.1:"), (line, proc.stderr.read())
        url = line.split()[2]
        page = ""
        for _ in range(50):  # uvicorn may take a moment after the socket is bound
            try:
                page = urllib.request.urlopen(url, timeout=5).read().decode()
                break
            except OSError:
                __import__("time").sleep(0.1)
        assert "tensorgate" in page and "app.js" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)
