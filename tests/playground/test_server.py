"""The playground's server without a browser: protocol, limits, bad messages, two tabs, a tab that leaves."""
import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
try:  # starlette's TestClient takes httpx2 (newer starlette) or httpx (older)
    import httpx2  # noqa: F401
except ImportError:
    pytest.importorskip("httpx", reason="starlette's TestClient needs httpx2 or httpx")
from starlette.testclient import TestClient  # noqa: E402

import tensorgate as tg  # noqa: E402
from sklearn.metrics import confusion_matrix as sk_confusion_matrix  # noqa: E402
from tensorgate.playground.server import create_app  # noqa: E402

SMALL = {"dataset": "xor", "points": 60, "layers": [3], "batch_size": 20}


def receive_until(ws, kind, limit=50):
    """Messages up to and including the first of type ``kind``; fails on an unexpected error message."""
    seen = []
    for _ in range(limit):
        msg = ws.receive_json()
        seen.append(msg)
        if msg["type"] == kind:
            return msg, seen
        assert msg["type"] != "error", msg
    raise AssertionError(f"no {kind!r} message in {[m['type'] for m in seen]}")


def open_session(ws, config=SMALL):
    hello = ws.receive_json()
    assert hello["type"] == "hello" and hello["session"]
    assert ws.receive_json()["type"] == "data"
    assert ws.receive_json()["type"] == "frame"
    ws.send_json({"type": "config", "config": config})
    data, _ = receive_until(ws, "data")
    frame, _ = receive_until(ws, "frame")
    return hello, data, frame


@pytest.fixture
def client():
    with TestClient(create_app(max_sessions=2)) as c:
        yield c


def test_page_and_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "tensorgate" in page.text and "/static/app.js" in page.text
    for asset in ("app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert "http" not in client.get("/static/app.js").text.replace("https:", "").replace("location.protocol", "") \
        .split("//")[0]  # the page loads nothing from elsewhere (no CDN)
    info = client.get("/api/info").json()
    assert info["limits"]["sessions"] == 2 and info["defaults"]["dataset"] == "circles"


def test_protocol_step_frame_and_metrics_against_sklearn(client):
    with client.websocket_connect("/ws") as ws:
        hello, data, frame = open_session(ws)
        assert len(data["train"]) + len(data["test"]) == 60
        assert frame["epoch"] == 0 and frame["step"] == 0
        assert [len(layer) for layer in frame["neurons"]] == [2, 3]  # features x1, x2; one hidden layer of 3
        assert len(np.frombuffer(__import__("base64").b64decode(frame["surface"]), np.uint8)) == 64 * 64
        ws.send_json({"type": "step"})
        frame, _ = receive_until(ws, "frame")
        assert frame["epoch"] == 1 and frame["step"] == 3  # 42 training points in batches of 20
        assert len(frame["grad_norms"]) == 2 and all(g > 0 for g in frame["grad_norms"])
        assert len(frame["dead"]) == 1
        ws.send_json({"type": "threshold", "value": 0.3})
        metrics = receive_until(ws, "metrics")[0]["metrics"]
        session = client.app.state.sessions[hello["session"]].session
        test = ~session.is_train
        p = session.predict_proba(session.X[test])
        expected = sk_confusion_matrix(session.y[test], (p >= 0.3).astype(int), labels=[0, 1])
        assert metrics["confusion"] == expected.tolist() and metrics["threshold"] == 0.3
        ws.send_json({"type": "threshold", "value": 1.0})
        high = receive_until(ws, "metrics")[0]["metrics"]
        assert high["confusion"] != metrics["confusion"] or p.max() >= 1.0


def test_play_streams_frames_and_pause_stops_them(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "play"})
        assert receive_until(ws, "state")[0]["playing"] is True
        epochs = [receive_until(ws, "frame")[0]["epoch"] for _ in range(4)]
        assert epochs == sorted(epochs) and epochs[-1] >= 4
        ws.send_json({"type": "pause"})
        state, _ = receive_until(ws, "state")
        assert state["playing"] is False
        ws.send_json({"type": "ping"})
        msg, seen = receive_until(ws, "pong")
        assert len([m for m in seen if m["type"] == "frame"]) <= 1  # at most one frame was in flight


@pytest.mark.parametrize("message, words", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('{"kind": "play"}', '"type"'),
    ('{"type": "launch"}', "unknown message type"),
    ('{"type": "__init__"}', "unknown message type"),
    ('{"type": "config", "config": [1]}', "must be an object"),
    ('{"type": "config", "config": {"layers": [4, 4, 4, 4, 4, 4, 4]}}', "at most 6"),
    ('{"type": "config", "config": {"layers": [9]}}', "1 to 8"),
    ('{"type": "config", "config": {"activation": "swish"}}', "activation must be one of"),
    ('{"type": "config", "config": {"lr": "fast"}}', "lr must be a number"),
    ('{"type": "config", "config": {"points": 100000}}', "points must be in"),
    ('{"type": "config", "config": {"hack": 1}}', "unknown setting"),
    ('{"type": "config", "config": {"features": []}}', "at least one feature"),
    ('{"type": "config", "config": {"batchnorm": true, "batch_size": 1}}', "at least 2 with BatchNorm"),
    ('{"type": "threshold", "value": 2}', "in [0, 1]"),
    ('{"type": "add_point", "x": 0, "y": 0, "label": 2}', "0 or 1"),
    ('{"type": "add_point", "x": "a", "y": 0, "label": 1}', '"x" must be a number'),
    ('{"type": "add_point", "x": 100, "y": 0, "label": 1}', "outside"),
    ('{"type": "upload_csv", "text": "a,b,c\\n"}', "no data rows"),
    ('{"type": "upload_csv", "text": "1,2\\n"}', "has 2 fields"),
    ('{"type": "upload_csv", "text": "1,2,0\\n3,x,1"}', "row 2, column 2"),
    ('{"type": "upload_csv", "text": "1,2,0\\n3,4,0"}', "exactly 2 classes"),
    ('{"type": "upload_csv", "text": 5}', "expected the file's text"),
])
def test_bad_messages_get_an_error_and_the_session_goes_on(client, message, words):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_text(message)
        error = ws.receive_json()
        assert error["type"] == "error" and words in error["message"], error
        ws.send_json({"type": "step"})
        assert receive_until(ws, "frame")[0]["epoch"] == 1


def test_binary_and_oversized_messages_are_refused(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_bytes(b"\x00\x01")
        assert "not binary" in ws.receive_json()["message"]
        ws.send_text(json.dumps({"type": "upload_csv", "text": "1,2,0\n" * 200_000}))
        assert "limit" in ws.receive_json()["message"]
        ws.send_json({"type": "ping"})
        assert receive_until(ws, "pong")


def test_csv_upload_replaces_the_data(client):
    text = "x1,x2,label\n" + "".join(f"{i % 7},{i % 5},{'yes' if i % 2 else 'no'}\n" for i in range(40))
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "upload_csv", "text": text})
        data, _ = receive_until(ws, "data")
        assert len(data["train"]) + len(data["test"]) == 40
        assert data["bounds"][0] < 0 < 6 < data["bounds"][1]
        labels = {p[2] for p in data["train"] + data["test"]}
        assert labels == {0.0, 1.0}  # "no" < "yes": yes is class 1


def test_point_limit(client, monkeypatch):
    from tensorgate.playground import data as pdata

    monkeypatch.setitem(pdata.LIMITS, "points", 62)
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        for label in (0, 1):
            ws.send_json({"type": "add_point", "x": 1.0, "y": -2.0, "label": label})
            data, _ = receive_until(ws, "data")
        assert len(data["train"]) == 42 + 2 and [1.0, -2.0, 1.0] in data["train"]
        ws.send_json({"type": "add_point", "x": 1.0, "y": 2.0, "label": 1})
        assert "at most 62 points" in ws.receive_json()["message"]


def test_session_limit_and_two_clients_at_once(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ha, _, _ = open_session(a, {**SMALL, "dataset": "moons"})
        hb, _, _ = open_session(b, {**SMALL, "dataset": "circles", "layers": [2, 2]})
        assert ha["session"] != hb["session"] and len(client.app.state.sessions) == 2
        with client.websocket_connect("/ws") as c:
            full = c.receive_json()
            assert full["type"] == "error" and "full" in full["message"]
        a.send_json({"type": "play"})
        b.send_json({"type": "step"})
        fb, _ = receive_until(b, "frame")
        assert fb["epoch"] == 1 and len(fb["weights"]) == 3  # b's own 2-2-1 network, one epoch
        fa = [receive_until(a, "frame")[0] for _ in range(3)]
        assert len(fa[-1]["weights"]) == 2 and fa[-1]["epoch"] >= 3  # a kept playing its own 3-1 network
        sa = client.app.state.sessions[ha["session"]].session
        sb = client.app.state.sessions[hb["session"]].session
        assert sa.config["dataset"] == "moons" and sb.config["dataset"] == "circles"
        a.send_json({"type": "pause"})


def test_a_tab_that_leaves_mid_training_ends_its_session(client):
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = open_session(ws)
        ws.send_json({"type": "play"})
        receive_until(ws, "frame")
        assert hello["session"] in client.app.state.sessions
    for _ in range(200):  # the server notices the closed socket at its next frame
        if not client.app.state.sessions:
            break
        __import__("time").sleep(0.02)
    assert client.app.state.sessions == {}
    assert client.get(f"/export/{hello['session']}/model").status_code == 404
    with client.websocket_connect("/ws") as ws:  # and the server goes on serving
        open_session(ws)


def test_exports_model_csv_and_a_script_that_reproduces_the_run(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = open_session(ws, {**SMALL, "features": ["x1", "x2", "sin(x1)"], "degree": 2,
                                        "init": "lecun", "regularization": "l2", "optimizer": "adam"})
        for _ in range(3):
            ws.send_json({"type": "step"})
            frame, _ = receive_until(ws, "frame")
        token = hello["session"]
        session = client.app.state.sessions[token].session
        model_file = tmp_path / "m.tgate"
        response = client.get(f"/export/{token}/model")
        assert response.status_code == 200 and "playground.tgate" in response.headers["content-disposition"]
        model_file.write_bytes(response.content)
        model = tg.load(str(model_file)).eval()
        grid = session.grid
        p = model(grid).numpy()[:, 0]
        np.testing.assert_allclose(p, session.predict_proba(grid), atol=1e-6)
        page = np.frombuffer(__import__("base64").b64decode(frame["surface"]), np.uint8)
        assert np.abs(page - p * 255).max() <= 0.5 + 1e-3  # the page's surface is the model's, to a byte
        assert tg.io.read_metadata(str(model_file))["metadata"]["tensorgate_playground"]["init"] == "lecun"

        csv = client.get(f"/export/{token}/csv").text.splitlines()
        assert csv[0] == "x1,x2,label,split" and len(csv) == 61

        script = tmp_path / "run.py"
        script.write_text(client.get(f"/export/{token}/script").text)
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert f"train loss {frame['train_loss']:.4f}, test loss {frame['test_loss']:.4f}" in out.stdout
        assert client.get(f"/export/{token}/pickle").status_code == 404


def test_onnx_export_is_offered_only_when_tensorgate_onnx_exists(client):
    from tensorgate.playground.server import onnx_available

    with client.websocket_connect("/ws") as ws:
        hello, _, _ = open_session(ws)
        assert hello["onnx"] == onnx_available()
        if not onnx_available():
            response = client.get(f"/export/{hello['session']}/onnx")
            assert response.status_code == 501 and "tensorgate.onnx" in response.text


def test_a_failing_frame_pauses_with_a_message_and_the_server_goes_on(client, monkeypatch):
    from tensorgate.playground.session import TrainingSession

    real = TrainingSession.frame

    def frame(self, train=True, threshold=0.5):
        if train and self.epochs >= 2:
            raise FloatingPointError("the loss is nan")
        return real(self, train, threshold)

    monkeypatch.setattr(TrainingSession, "frame", frame)
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "play"})
        error, seen = receive_until(ws, "error")
        assert "training stopped: FloatingPointError: the loss is nan" in error["message"]
        assert ws.receive_json() == {"type": "state", "playing": False}
        ws.send_json({"type": "reset"})
        frame_msg, _ = receive_until(ws, "frame")
        assert frame_msg["epoch"] == 0


def test_a_refused_config_sends_back_the_settings_in_force(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "config", "config": {"layers": [20], "dataset": "spiral"}})
        error = ws.receive_json()
        assert error["type"] == "error" and "1 to 8" in error["message"]
        config = ws.receive_json()
        assert config["type"] == "config" and config["config"]["layers"] == [3]
        assert config["config"]["dataset"] == "xor"  # nothing of the refused message was applied
        ws.send_json({"type": "config", "config": {"features": ["sin(x1)", "x1"]}})
        config, _ = receive_until(ws, "config")
        assert config["config"]["features"] == ["x1", "sin(x1)"]  # normalised: the page's order
