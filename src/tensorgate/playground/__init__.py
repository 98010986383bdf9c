"""tensorgate.playground: the course's playground in a browser, on the real engine.

``tensorgate playground`` starts a local web server (:mod:`.server`, Starlette and uvicorn, the optional
extra ``tensorgate[playground]``); each browser tab gets a :class:`~.session.TrainingSession` that trains on
the server and streams frames over a WebSocket. This package's ``__init__`` imports only the engine side,
so ``tg.load`` of a downloaded model (its :class:`~.model.PlaygroundFeatures` layer) needs no web framework.
"""
from .model import PlaygroundFeatures

__all__ = ["PlaygroundFeatures"]
