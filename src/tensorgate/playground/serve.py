"""Run the playground's server with uvicorn on a socket bound here (so port 0 can pick a free port and the
printed address is the real one), and open the browser once it listens."""
import socket
import sys
import threading
import webbrowser

import uvicorn

from .server import MAX_MESSAGE_BYTES, create_app

__all__ = ["serve", "bind"]


def bind(host, port):
    """A listening TCP socket on ``host:port`` (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(64)
    return sock


def url_of(sock):
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/"


def serve(host="127.0.0.1", port=8765, open_browser=True, max_sessions=8, announce=print):
    """Serve until interrupted. Prints the address; opens it in the default browser unless told not to."""
    sock = bind(host, port)
    url = url_of(sock)
    config = uvicorn.Config(create_app(max_sessions=max_sessions), log_level="warning",
                            ws_max_size=MAX_MESSAGE_BYTES, lifespan="off")
    server = uvicorn.Server(config)
    announce(f"tensorgate playground: {url}  (Ctrl+C to stop)")
    sys.stdout.flush()  # the address must show at once, also through a pipe
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])
