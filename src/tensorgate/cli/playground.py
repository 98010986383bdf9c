"""``tensorgate playground``: start the browser playground on this machine.

The web server (:mod:`tensorgate.playground.server`) is imported only when this subcommand runs, so the rest of
the command line needs no web framework (``pip install "tensorgate[playground]"`` brings Starlette and uvicorn).
"""
import sys

from .errors import UserError


def add_parser(subparsers):
    p = subparsers.add_parser(
        "playground", help="train small networks on 2-D data in your browser, on tensorgate's engine",
        description="Start a local web server with the playground and open it in the browser. Each browser tab "
                    "gets its own training session.",
        epilog="example: tensorgate playground --port 8000 --no-browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1, this machine only); another needs --allow-remote")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--no-browser", action="store_true", help="print the address but do not open a browser")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow --host to be an address other computers can reach (anyone who can reach it can "
                        "use the playground and the CPU)")
    p.add_argument("--max-sessions", type=int, default=8, help="browser tabs served at once (default 8)")
    p.set_defaults(run=run)
    return p


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def run(args, extra):
    if not 0 <= args.port <= 65535:
        raise UserError(f"playground: --port must be in [0, 65535], got {args.port}")
    if args.max_sessions < 1:
        raise UserError(f"playground: --max-sessions must be at least 1, got {args.max_sessions}")
    if args.host not in LOCAL_HOSTS and not args.allow_remote:
        raise UserError(f"playground: --host {args.host} lets other computers reach the playground; add "
                        "--allow-remote if that is what you want")
    try:
        from ..playground.serve import serve
    except ImportError as err:
        raise UserError(f"playground: the web server is missing ({err.name or err}); install it with "
                        "pip install \"tensorgate[playground]\"") from None
    if args.host not in LOCAL_HOSTS:
        print(f"warning: the playground listens on {args.host}: anyone who can reach this address can use it "
              "and this machine's CPU; there is no login.", file=sys.stderr)
    try:
        serve(args.host, args.port, open_browser=not args.no_browser, max_sessions=args.max_sessions)
    except OSError as err:
        raise UserError(f"playground: cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    return 0
