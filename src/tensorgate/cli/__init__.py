"""The ``tensorgate`` command line: ``train``, ``evaluate``, ``predict`` and ``trace``.

Entry point :func:`tensorgate.cli.main.main` (also ``python -m tensorgate``). One file per subcommand;
``config.py`` resolves the settings, ``data.py`` loads the data sets, ``errors.py`` defines the one-line
user errors.
"""
