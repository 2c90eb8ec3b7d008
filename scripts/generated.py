# SPDX-License-Identifier: Apache-2.0
"""Writing, or checking, files generated from one of Tessera's source-of-truth tables."""
import pathlib
import sys


SPDX = "SPDX-License-Identifier: Apache-2.0"
COMMENT = {".sv": "//", ".hpp": "//", ".cmake": "#"}


def licensed(path: pathlib.Path, text: str) -> str:
    """A generated source file's text with the license identifier as its first line."""
    mark = COMMENT.get(path.suffix)
    if mark is None or SPDX in text.split("\n", 1)[0]:
        return text
    return f"{mark} {SPDX}\n{text}"


def emit(root: pathlib.Path, outputs: dict, check: bool, table: str) -> int:
    """Writes each path -> text, or with check reports the stale ones; returns an exit code."""
    stale = []
    for path, text in outputs.items():
        text = licensed(path, text)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(root)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print(f"{table} changed but these were not regenerated: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


def replace_between(text: str, begin: str, end: str, body: str) -> str:
    """Replaces what lies between the marker lines begin and end (kept) with body."""
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"
