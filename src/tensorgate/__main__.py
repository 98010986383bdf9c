"""``python -m tensorgate``: the same as the ``tensorgate`` command."""
import sys

from tensorgate.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
