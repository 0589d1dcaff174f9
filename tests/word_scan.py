"""Find words for people written into code instead of the word catalogue.

Run it in a fresh interpreter, as ``tests/test_words.py`` does: CPython 3.11.7 can leave the
ast module's recursion counter wrong after deep async code, and then every ``ast.parse`` in that
process raises SystemError (fixed in 3.11.8).

    python -m tests.prose ROOT DIR...     prints [[path, line, scope, text], ...] as JSON

A string looks like prose when it has at least two words, or is one capitalised word ending
like a sentence (``Skipped.``). An f-string is read whole, with ``{}`` for each value. Not
counted: docstrings and other bare strings, logging calls, what a ``raise`` says, argparse's
``help=`` and ``description=``, SQL, regular expressions, dict keys, subscripts and format
specs.
A key asked for is the first argument of a call to ``say``, ``say_date`` or ``words`` (both
keys of ``"a" if x else "b"``); of an f-string, the part before its first value
(``"digest.question."``).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

Finding = tuple[str, int, str, str]
"""(path relative to ROOT, line, scope such as ``Class.method``, the text)."""
KeyAsked = tuple[str, int, str]
"""(path relative to ROOT, line, the key or the start of it)."""
_ASKING = frozenset({"say", "say_date", "words"})

_WORD = re.compile(r"^[^\w{]*[A-Za-z][A-Za-z'\u2019-]*[A-Za-z][^\w{}]*$")
_SENTENCE = re.compile(r"^\W*[A-Z].*[A-Za-z)][.!?\u2026]$", re.DOTALL)
"""One word can be a sentence: "Skipped." (but not a key's start, "choice.")."""
_REGEX = re.compile(r"\\[bBdDsSwW]|\(\?")
_SQL = re.compile(r"^\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|PRAGMA)\b")
_LOGGERS = frozenset({"log", "logger", "logging"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "error", "exception", "critical", "log"})
_FOR_OPERATORS = frozenset({"help", "description", "epilog", "usage", "metavar"})


def looks_like_prose(text: str) -> bool:
    """Words a person would read, rather than a key, a name, a pattern or a query."""
    if _REGEX.search(text) or _SQL.match(text):
        return False
    words = sum(1 for token in text.split() if _WORD.match(token))
    return words >= 2 or (words == 1 and bool(_SENTENCE.match(text.strip())))


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.found: list[Finding] = []

    def _inside(self, name: str, node: ast.AST) -> None:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._inside(node.name, node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._inside(node.name, node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._inside(node.name, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned(node.targets[0], node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node)

    def _assigned(self, target: ast.expr, node: ast.AST) -> None:
        at_top = not self.scope or self.scope[-1][:1].isupper()  # a module's or a class's
        if at_top and isinstance(target, ast.Name):
            self._inside(target.id, node)
        else:
            self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            self.generic_visit(node)  # a bare string is a docstring or a comment

    def visit_Raise(self, node: ast.Raise) -> None:
        """What an exception says is for whoever reads the log or the traceback."""

    def visit_Call(self, node: ast.Call) -> None:
        if _is_logging(node.func):
            return
        self.visit(node.func)
        for arg in node.args:
            self.visit(arg)
        for keyword in node.keywords:
            if keyword.arg not in _FOR_OPERATORS:
                self.visit(keyword.value)

    def visit_Dict(self, node: ast.Dict) -> None:
        for value in node.values:
            self.visit(value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._check(node.value, node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        parts = [p.value if isinstance(p, ast.Constant) else "{}" for p in node.values]
        self._check("".join(str(part) for part in parts), node)
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.visit(part.value)  # not its format spec

    def _check(self, text: str, node: ast.expr) -> None:
        if looks_like_prose(text):
            self.found.append((self.path, node.lineno, ".".join(self.scope), text))


def _is_logging(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS
            and isinstance(func.value, ast.Name) and func.value.id in _LOGGERS)


def findings(tree: ast.Module, path: str) -> list[Finding]:
    """Every prose-like string in one module."""
    finder = _Finder(path)
    finder.visit(tree)
    return finder.found


def keys_asked(tree: ast.Module, path: str) -> Iterator[KeyAsked]:
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Name)
                and node.func.id in _ASKING):
            for key in _leading_texts(node.args[0]):
                yield path, node.lineno, key


def _leading_texts(node: ast.expr) -> list[str]:
    """The key a call's argument names: both of ``"a" if x else "b"``; none of a variable."""
    if isinstance(node, ast.IfExp):
        return _leading_texts(node.body) + _leading_texts(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    first = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
        return [first.value]
    return []


def scan(root: Path, folders: list[str]) -> dict[str, list[Finding] | list[KeyAsked]]:
    prose: list[Finding] = []
    asked: list[KeyAsked] = []
    for folder in folders:
        for file in sorted((root / folder).rglob("*.py")):
            path = file.relative_to(root).as_posix()
            tree = ast.parse(file.read_text(encoding="utf-8"))
            prose += findings(tree, path)
            asked += keys_asked(tree, path)
    return {"prose": prose, "keys": asked}


if __name__ == "__main__":
    print(json.dumps(scan(Path(sys.argv[1]), sys.argv[2:])))
