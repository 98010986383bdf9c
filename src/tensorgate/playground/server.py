"""The playground's web server: the page, one WebSocket per tab, downloads, and the limits that keep one tab
from starving the others.

Protocol (JSON text messages). The client sends ``{"type": ...}``:

* ``config`` ``{"config": {...}}``: new choices (data and/or network); the network restarts;
* ``play``, ``pause``, ``step`` (one epoch), ``reset`` (fresh weights, same data);
* ``threshold`` ``{"value": t}``: metrics at threshold t;
* ``add_point`` ``{"x", "y", "label"}``: a clicked training point; ``upload_csv`` ``{"text"}``: new data.

The server answers ``hello`` (the session's token, the limits, whether ONNX export exists, the settings),
``config`` (the settings in force, after each ``config``), ``data`` (the points), ``frame`` (see :meth:`TrainingSession.frame`), ``metrics``, ``state`` (playing or not) and
``error`` ``{"message"}`` for anything it cannot do. A bad message never ends the connection, and nothing
a client sends can raise out of the handler. Downloads are plain GETs on ``/export/{token}/{kind}``; the
token is the session's secret and dies with its socket.
"""
import asyncio
import importlib.util
import json
import logging
import os
import secrets
import threading
import time

import anyio
from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from .config import DEFAULTS, ConfigError
from .data import LIMITS, DataError
from .session import TrainingSession

__all__ = ["create_app", "STATIC_DIR", "MAX_MESSAGE_BYTES"]

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
MAX_MESSAGE_BYTES = 2 * LIMITS["csv_bytes"] + 4096  # a CSV upload in JSON (escaped) and a little more
MAX_FPS = 30  # a playing session sends at most this many frames a second (the page cannot draw more)

log = logging.getLogger("tensorgate.playground")


def onnx_available():
    """True if ``tensorgate.onnx`` can be imported (the ONNX button lights up then)."""
    try:
        return importlib.util.find_spec("tensorgate.onnx") is not None
    except (ImportError, ValueError):
        return False


# tensorgate's grad mode (no_grad) and its random generator are global to the process, not per thread, so
# two sessions' engine work must not interleave: one session's no_grad would switch off the other's gradients
# mid-step. Each piece of engine work (a frame, a download) runs in a worker thread under this lock; the
# event loop stays free to serve every socket meanwhile.
ENGINE_LOCK = threading.Lock()


class _Slot:
    """A live session; its engine work runs under ENGINE_LOCK (so a download never reads a model mid-step)."""

    def __init__(self, session):
        self.session = session
        self.lock = ENGINE_LOCK


class Connection:
    """One tab: its session, whether it plays, its threshold; turns messages into replies."""

    def __init__(self, slot):
        self.slot = slot
        self.playing = False
        self.threshold = 0.5

    @property
    def session(self):
        return self.slot.session

    def _locked(self, fn, *args):
        with self.slot.lock:
            return fn(*args)

    async def run(self, fn, *args):
        """Engine work in a worker thread, so that other tabs' sockets stay served meanwhile."""
        return await anyio.to_thread.run_sync(self._locked, fn, *args)

    async def handle(self, text):
        """The replies (a list of dicts) to one message; never raises for anything the client sent."""
        try:
            if not isinstance(text, str):
                raise _Bad("messages must be JSON text, not binary")
            if len(text) > MAX_MESSAGE_BYTES:
                raise _Bad(f"message of {len(text)} characters; the limit is {MAX_MESSAGE_BYTES}")
            try:
                msg = json.loads(text)
            except ValueError:
                raise _Bad("message is not valid JSON") from None
            if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
                raise _Bad('message must be a JSON object with a "type"')
            handler = getattr(self, "on_" + msg["type"], None) if msg["type"].isidentifier() else None
            if handler is None:
                raise _Bad(f"unknown message type {msg['type'][:40]!r}")
            return await handler(msg)
        except (_Bad, ConfigError, DataError) as err:
            return [{"type": "error", "message": str(err)}]
        except Exception as err:  # a bug must not take the server (or the other tabs) down
            log.exception("playground: error handling a message")
            self.playing = False
            return [{"type": "error", "message": f"internal error: {type(err).__name__}: {err}"[:300]},
                    self._state()]

    def _state(self):
        return {"type": "state", "playing": self.playing}

    async def _frame(self, train):
        return await self.run(self.session.frame, train, self.threshold)

    async def handle_frame(self):
        """The replies for one frame of play: the frame, or an error and a pause if training failed."""
        try:
            return [await self._frame(True)]
        except Exception as err:  # a diverging network (nan) stops playing with a message, not a crash
            log.exception("playground: training frame failed")
            self.playing = False
            return [{"type": "error", "message": f"training stopped: {type(err).__name__}: {err}"[:300]},
                    self._state()]

    async def on_config(self, msg):
        config = msg.get("config")
        if not isinstance(config, dict):
            raise _Bad('"config" must be an object')
        try:
            await self.run(self.session.set_config, config)
        except ConfigError as err:  # the page goes back to what the session really has
            return [{"type": "error", "message": str(err)}, self._config()]
        return [self._config(), self.session.points(), await self._frame(False)]

    def _config(self):
        return {"type": "config", "config": self.session.config}

    async def on_play(self, msg):
        self.playing = True
        return [self._state()]

    async def on_pause(self, msg):
        self.playing = False
        return [self._state()]

    async def on_step(self, msg):
        self.playing = False
        return [self._state(), await self._frame(True)]

    async def on_reset(self, msg):
        self.playing = False
        await self.run(self.session.reset)
        return [self._state(), await self._frame(False)]

    async def on_threshold(self, msg):
        value = msg.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
            raise _Bad(f'"value" must be a number in [0, 1], got {value!r}'[:120])
        self.threshold = float(value)
        metrics = await self.run(self.session.metrics, self.threshold)
        return [{"type": "metrics", "metrics": metrics}]

    async def on_add_point(self, msg):
        x, y, label = msg.get("x"), msg.get("y"), msg.get("label")
        for name, v in (("x", x), ("y", y)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
                raise _Bad(f'"{name}" must be a number, got {v!r}'[:120])
        if label not in (0, 1) or isinstance(label, bool):
            raise _Bad(f'"label" must be 0 or 1, got {label!r}'[:120])
        await self.run(self.session.add_point, float(x), float(y), int(label))
        return [self.session.points()]

    async def on_upload_csv(self, msg):
        await self.run(self.session.upload_csv, msg.get("text"))
        self.playing = False
        return [self._state(), self.session.points(), await self._frame(False)]

    async def on_ping(self, msg):
        return [{"type": "pong"}]


class _Bad(ValueError):
    """A malformed message."""


def create_app(max_sessions=8, max_fps=MAX_FPS):
    """The Starlette application: ``/`` the page, ``/static`` its assets, ``/ws`` the session socket,
    ``/export/{token}/{kind}`` downloads (kind: model, onnx, csv, script).

    Parameters
    ----------
    max_sessions : int
        Tabs served at once; one more is told the server is full and closed.
    max_fps : float
        Frames a second a playing session may send at most.
    """
    sessions = {}

    async def index(request):
        return FileResponse(os.path.join(STATIC_DIR, "index.html"), headers={"Cache-Control": "no-store"})

    async def info(request):
        return JSONResponse({"defaults": DEFAULTS, "limits": _limits(max_sessions), "onnx": onnx_available(),
                             "sessions": len(sessions)})

    async def export(request):
        slot = sessions.get(request.path_params["token"])
        kind = request.path_params["kind"]
        if slot is None or slot.session is None:
            return PlainTextResponse("no such session (it ends when its tab closes)", status_code=404)
        makers = {"model": ("export_model", "application/octet-stream", "playground.tgate"),
                  "onnx": ("export_onnx", "application/octet-stream", "playground.onnx"),
                  "csv": ("export_csv", "text/csv", "playground.csv"),
                  "script": ("export_script", "text/x-python", "playground.py")}
        if kind not in makers:
            return PlainTextResponse(f"unknown export {kind[:40]!r}; one of {', '.join(makers)}", status_code=404)
        method, media, filename = makers[kind]

        def make():
            with slot.lock:
                return getattr(slot.session, method)()

        try:
            body = await anyio.to_thread.run_sync(make)
        except RuntimeError as err:
            return PlainTextResponse(str(err), status_code=501)
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    async def socket(websocket):
        await websocket.accept()
        if len(sessions) >= max_sessions:
            await websocket.send_json({"type": "error", "message": f"the server is full ({max_sessions} sessions); "
                                                                   "close another tab and reload"})
            await websocket.close(code=1013)
            return
        token = secrets.token_urlsafe(16)
        slot = sessions[token] = _Slot(None)  # counted at once: the next tab sees this one

        def new_session():
            with slot.lock:  # building a network seeds tensorgate's global generator
                return TrainingSession()

        conn = Connection(slot)
        getter = reader = None
        try:
            slot.session = await anyio.to_thread.run_sync(new_session)
        except BaseException:
            sessions.pop(token, None)
            raise
        inbox = asyncio.Queue(maxsize=64)  # a flooding tab waits on its own socket, not on our memory
        reader = asyncio.create_task(_read(websocket, inbox))
        try:
            await websocket.send_json({"type": "hello", "session": token, "limits": _limits(max_sessions),
                                       "onnx": onnx_available(), "config": slot.session.config})
            await websocket.send_json(slot.session.points())
            await websocket.send_json(await conn._frame(False))
            while True:
                # one pending get survives the frames of play: cancelling a get on a timeout (wait_for) can
                # lose a message that arrives at that moment
                getter = getter or asyncio.ensure_future(inbox.get())
                if conn.playing:
                    started = time.perf_counter()
                    for reply in await conn.handle_frame():
                        await websocket.send_json(reply)
                    rest = 1.0 / max_fps - (time.perf_counter() - started)
                    done, _ = await asyncio.wait({getter}, timeout=max(rest, 0.0005))
                    if not done:
                        continue
                message = await getter
                getter = None
                if message is _CLOSED:
                    break
                for reply in await conn.handle(message):
                    await websocket.send_json(reply)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the tab went away while we were sending
        finally:
            reader.cancel()
            if getter is not None:
                getter.cancel()
            sessions.pop(token, None)

    routes = [Route("/", index), Route("/api/info", info), Route("/export/{token}/{kind}", export),
              WebSocketRoute("/ws", socket), Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")]
    app = Starlette(routes=routes)
    app.state.sessions = sessions
    return app


_CLOSED = object()


async def _read(websocket, inbox):
    """Move every incoming message into ``inbox`` (text, or the bytes of a binary message); _CLOSED at the end."""
    try:
        while True:
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                break
            text = event.get("text")
            await inbox.put(text if text is not None else event.get("bytes", b""))
    except Exception:  # the socket broke: the session ends the same way
        pass
    finally:
        await inbox.put(_CLOSED)


def _limits(max_sessions):
    return {**LIMITS, "sessions": max_sessions, "message_bytes": MAX_MESSAGE_BYTES}
