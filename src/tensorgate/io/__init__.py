"""tensorgate.io: ``save`` / ``load`` for models, training checkpoints and arrays, without pickle.

The file format (magic bytes, version, JSON header, raw little-endian tensors, SHA-256) is specified in
:mod:`tensorgate.io.format`. Loading never executes code from the file.
"""
from .format import FORMAT_VERSION, ModelFileError
from .serialize import load, load_checkpoint, read_metadata, save, save_checkpoint

__all__ = ["save", "load", "save_checkpoint", "load_checkpoint", "read_metadata", "ModelFileError",
           "FORMAT_VERSION"]
