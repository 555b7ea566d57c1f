#!/usr/bin/env python3
"""Import cycles between the modules of a Rust crate (default: crates/gxa-service/src).

A module is a top-level file (`config.rs`) or directory (`routes/`) under `src/`; with
`--depth 2`, each file inside a directory is a module of its own (`routes/pages`).
`lib.rs` is the crate root, not a module: its `pub use` lines are read so that a path
through a re-export (`crate::VerifyPool`) counts as a use of the module defining it.

An edge A -> B is any `crate::b…` path in A's code (`use` lines, paths in expressions and
attributes such as `#[utoipa::path(.., body = crate::error::Problem)]`), with `crate::{b, c}`
groups expanded, and at depth 2 `super::b` inside a directory. Comments, string and char
literals are ignored; test modules inside a file count (they are code of that module).

Prints the edges (with `--edges`, where each comes from), the strongly connected components
of more than one module, and the elementary cycles, shortest first. Exits 1 when there is a
cycle, 0 otherwise, so it can run as a check.

    tools/module-cycles.py                       # gxa-service, top-level modules
    tools/module-cycles.py --depth 2 --edges     # and the files inside routes/
    tools/module-cycles.py crates/gxa-issuer/src
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip_code(text: str) -> str:
    """`text` with comments and string/char literal contents blanked (newlines kept)."""
    out: list[str] = []
    i, n = 0, len(text)

    def blank(s: str) -> str:
        return "".join("\n" if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif (m := re.match(r'b?r(#*)"', text[i:])) and (i == 0 or not (
            text[i - 1].isalnum() or text[i - 1] == "_"
        )):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(blank(text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(blank(text[i:j]))
            i = j
        elif c == "'":
            # A char literal ('a', '\n', '\u{1F600}', '"') or a lifetime ('a).
            if i + 1 < n and text[i + 1] == "\\":
                j = text.find("'", i + 2)
                j = n if j < 0 else j + 1
            elif i + 2 < n and text[i + 2] == "'":
                j = i + 3
            else:
                j = i + 1
            out.append(blank(text[i:j]) if j > i + 1 else c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def group_items(text: str, start: int) -> list[tuple[str, int]]:
    """The first identifier of each top-level item of the `{…}` group opening at `start`."""
    items, depth, i, expect = [], 0, start, True
    while i < len(text):
        c = text[i]
        if c == "{":
            depth += 1
            if depth == 1:
                expect = True
        elif c == "}":
            depth -= 1
            if depth == 0:
                break
        elif c == "," and depth == 1:
            expect = True
        elif expect and depth == 1 and (m := IDENT.match(text, i)):
            items.append((m.group(0), i))
            expect = False
            i = m.end()
            continue
        elif not c.isspace() and depth == 1:
            expect = False
        i += 1
    return items


def module_of(path: Path, src: Path, depth: int) -> str | None:
    """The module name of a source file, or None for the crate root."""
    parts = list(path.relative_to(src).parts)
    if parts in (["lib.rs"], ["main.rs"]):
        return None
    parts[-1] = parts[-1].removesuffix(".rs")
    if len(parts) > 1 and parts[-1] == "mod":
        parts.pop()
    return "/".join(parts[:depth])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument("src", nargs="?", default=repo / "crates/gxa-service/src", type=Path)
    parser.add_argument("--depth", type=int, default=1, choices=(1, 2))
    parser.add_argument("--edges", action="store_true", help="list where each edge comes from")
    parser.add_argument("--max", type=int, default=40, help="cycles to print (default 40)")
    args = parser.parse_args()
    src: Path = args.src.resolve()

    files = sorted(src.rglob("*.rs"))
    modules = {m for f in files if (m := module_of(f, src, args.depth))}
    submodules = {m.split("/", 1)[1] for m in modules if "/" in m}

    # Names the crate root re-exports: `pub use server::{bind, run};`, `pub use routes::openapi;`.
    reexports: dict[str, str] = {}
    root = src / "lib.rs"
    if root.exists():
        code = strip_code(root.read_text())
        for m in re.finditer(r"\bpub\s+use\s+(?:crate::)?([A-Za-z_]\w*)::", code):
            target, rest = m.group(1), m.end()
            if code[rest] == "{":
                names = [name for name, _ in group_items(code, rest)]
            else:
                names = re.findall(r"\w+", code[rest : code.find(";", rest)])
                names = names[-1:]  # `a::b::c` or `a as c`: the name it is known by
            for name in names:
                reexports[name] = target

    def resolve(first: str, second: str | None) -> str | None:
        top = first if first in {m.split("/")[0] for m in modules} else reexports.get(first)
        if top is None:
            return None
        if args.depth == 2 and first == top and second and f"{top}/{second}" in modules:
            return f"{top}/{second}"
        return top

    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in files:
        here = module_of(f, src, args.depth)
        if here is None:
            continue
        code = strip_code(f.read_text())
        line_of = lambda pos: code.count("\n", 0, pos) + 1  # noqa: E731
        targets: list[tuple[str, int]] = []
        for m in re.finditer(r"(?<![\w$])crate::", code):
            rest = m.end()
            if code.startswith("{", rest):
                for name, pos in group_items(code, rest):
                    nxt = re.match(r"(\w+)\s*::\s*(\w+)", code[pos:])
                    target = resolve(name, nxt.group(2) if nxt else None)
                    if target:
                        targets.append((target, pos))
            elif nm := re.match(r"(\w+)(?:\s*::\s*(\w+))?", code[rest:]):
                target = resolve(nm.group(1), nm.group(2))
                if target:
                    targets.append((target, rest))
        if args.depth == 2:
            # `use crate::routes;` then `routes::pages::f`: a use of `routes/pages`.
            for m in re.finditer(r"\buse\s+crate::(\w+)\s*;", code):
                top = m.group(1)
                for r in re.finditer(rf"(?<![\w:]){top}::(\w+)", code):
                    if f"{top}/{r.group(1)}" in modules:
                        targets.append((f"{top}/{r.group(1)}", r.start()))
        if args.depth == 2 and "/" in here:
            parent = here.split("/")[0]
            for m in re.finditer(r"(?<![\w$])super::(\w+)", code):
                if m.group(1) in submodules and f"{parent}/{m.group(1)}" in modules:
                    targets.append((f"{parent}/{m.group(1)}", m.start()))
        for target, pos in targets:
            if target != here:
                edges[(here, target)].append(f"{f.relative_to(src)}:{line_of(pos)}")

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for a, b in edges:
        graph[a].add(b)

    print(f"{src} — {len(modules)} modules, {len(edges)} edges (depth {args.depth})")
    for a in sorted(graph):
        deps = ", ".join(sorted(graph[a])) or "-"
        print(f"  {a} -> {deps}")
        if args.edges:
            for b in sorted(graph[a]):
                print(f"      {b}: {' '.join(edges[(a, b)])}")

    sccs = [c for c in tarjan(graph) if len(c) > 1]
    cycles = elementary_cycles(graph, limit=100_000)
    if not sccs:
        print("no cycles")
        return 0
    print(f"{len(sccs)} strongly connected component(s) with a cycle:")
    for c in sccs:
        print(f"  {{{', '.join(sorted(c))}}} ({len(c)} modules)")
    cycles.sort(key=lambda c: (len(c), c))
    more = "+" if len(cycles) >= 100_000 else ""
    print(f"{len(cycles)}{more} elementary cycles, shortest first:")
    for c in cycles[: args.max]:
        print("  " + " -> ".join(c + [c[0]]))
    if len(cycles) > args.max:
        print(f"  … {len(cycles) - args.max}{more} more (--max)")
    return 1


def tarjan(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def elementary_cycles(graph: dict[str, set[str]], limit: int) -> list[list[str]]:
    """Every simple cycle, each once (started at its smallest module), up to `limit`."""
    order = sorted(graph)
    rank = {v: i for i, v in enumerate(order)}
    found: list[list[str]] = []
    for start in order:
        # Only through modules ranked after `start`: each cycle is found from its smallest one.
        path, on_path = [start], {start}
        iters = [iter(sorted(w for w in graph[start] if rank[w] >= rank[start]))]
        while iters and len(found) < limit:
            w = next(iters[-1], None)
            if w is None:
                iters.pop()
                on_path.discard(path.pop())
            elif w == start:
                found.append(list(path))
            elif w not in on_path:
                path.append(w)
                on_path.add(w)
                iters.append(iter(sorted(x for x in graph[w] if rank[x] >= rank[start])))
    return found


if __name__ == "__main__":
    sys.exit(main())
