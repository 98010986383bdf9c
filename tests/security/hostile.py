"""Helpers for the hostile-input tests: files crafted with valid checksums, and a child process run under
a memory cap and a time limit (``resource.setrlimit``), for the findings that were memory or time bombs."""
import hashlib
import json
import os
import struct
import subprocess
import sys
import textwrap

from tensorgate.io.format import FORMAT_VERSION, MAGIC


def craft(path, header, data=b"", version=FORMAT_VERSION, raw_header=None):
    """A tensorgate file with a valid SHA-256 around any header: what an attacker could write."""
    header_bytes = raw_header if raw_header is not None else json.dumps(header).encode()
    head = struct.pack("<8sIQQ", MAGIC, version, len(header_bytes), len(data)) + header_bytes
    head += b"\0" * ((-len(head)) % 64)
    body = head + data
    path.write_bytes(body + hashlib.sha256(body).digest())
    return path


def header(tensors=(), payload=None, kind="dict", metadata=None):
    return {"format_version": 1, "kind": kind, "tensors": list(tensors), "payload": payload if payload is not None
            else {}, "metadata": metadata if metadata is not None else {}}


def run_capped(code, memory_mb=600, seconds=60):
    """Run ``code`` in a fresh Python with its address space capped at ``memory_mb`` and a wall-clock
    limit; returns the CompletedProcess (the test then looks at its stdout and return code)."""
    prelude = textwrap.dedent(f"""
        import resource
        limit = {memory_mb} * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    """)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=seconds, env=env)
