"""The package's version, written into every model file (``io/format.py``) and shown by ``tensorgate --version``."""
__version__ = "0.1.0"
