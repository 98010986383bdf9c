"""Griffe extension: tensorgate's docstring habits, read as the numpydoc that mkdocstrings renders.

The docstrings follow numpydoc, with three habits of the project that numpydoc does not know:

* ``Shape: ...`` as a paragraph of its own (DEVELOPERS.md: every public docstring says the shapes), often
  after a Parameters section, where numpydoc would read it as one more parameter named "Shape". A
  ``Shape:`` paragraph at the docstring's own indentation becomes a section "Shape";
* ``Example`` as a section title (numpydoc says ``Examples``);
* index expressions such as ``J[o][i]`` in prose, which Markdown reads as a reference link ``[o][i]`` and
  the strict build then reports as a broken cross-reference: they are shown as code.

The source stays as it is; only what the site renders changes.
"""
import re

import griffe

_SHAPE = re.compile(r"^Shape:[ \t]*(.*)$", re.MULTILINE)
_EXAMPLE = re.compile(r"^Example\n-------$", re.MULTILINE)
_BRACKET = r"\[(?:[^\[\]\s`]|\[[^\[\]\s`]*\])*\]"   # [i], or [index[i][j]]: one level of nesting
_INDEXING = re.compile(rf"(?<![`\w\[])([\w.]*(?:{_BRACKET}){{2,}})(?![`\w])")


def _outside_code(text, rewrite):
    """Apply ``rewrite`` to the parts of ``text`` outside inline code and outside doctest lines."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith((">>>", "...")):
            lines.append(line)
            continue
        parts = re.split(r"(``?[^`]*``?)", line)
        lines.append("".join(part if part.startswith("`") else rewrite(part) for part in parts))
    return "\n".join(lines)


def normalise(text):
    """The docstring ``text`` (already dedented) with the three habits above made numpydoc."""
    text = _SHAPE.sub(lambda m: "Shape\n-----\n" + m.group(1), text)
    text = _EXAMPLE.sub("Examples\n--------", text)
    return _outside_code(text, lambda part: _INDEXING.sub(r"``\1``", part))


class TensorgateDocstrings(griffe.Extension):
    """Registered in mkdocs.yml under the python handler's ``extensions``."""

    def on_object(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = normalise(obj.docstring.value)
