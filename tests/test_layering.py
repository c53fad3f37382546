"""The apps depend on each other one way: feedback → replies → proposals, and the apps above them
(workspace, supervision, legacy; then printing and accounts; then demo) may use what lies below them;
notifications lies beneath them all. Nothing below imports from above, and no modules import each
other in a circle. Read from the source (ast), imports inside functions included: a lazy import is
still a dependency."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Lower number = lower layer. An app may import only from apps of a lower layer, or from itself.
LAYERS = {
    # Telling people (in the app, e-mail, text messages) and the site's address: every app's
    # write paths notify, so it sits beneath them and knows none of their models.
    "notifications": -1,
    "proposals": 0,
    "replies": 1,
    "feedback": 2,
    "workspace": 3,
    "supervision": 3,
    # Prints every app's documents, supervision's 督办通知单 among them.
    "printing": 4,
    "legacy": 3,
    # Signing in, sessions, staff joining and leaving: uses the workflow (handover) and
    # notifications (members' one-time codes by text message).
    "accounts": 4,
    # Builds its records through every app's write paths, staff joining units included.
    "demo": 5,
    "config": 5,
}


def modules():
    """{dotted module name: path} for every Python file of the apps (migrations left out)."""
    found = {}
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name, path, known):
    """The project modules `name` imports (resolving relative imports and `from x import module`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for candidate in candidates:
            # the longest known module the import names (a package's submodule, or the package)
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def graph():
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def app_of(module):
    return module.split(".")[0]


def test_no_app_imports_from_an_app_above_it():
    upward = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if app_of(target) != app_of(module) and LAYERS[app_of(target)] >= LAYERS[app_of(module)]
    ]
    assert upward == []


def cycles(edges):
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_modules_import_each_other_in_a_circle():
    # A package and its own modules are not a circle (`from . import views` in an __init__).
    edges = {
        module: {t for t in targets if not (t.startswith(module + ".") or module.startswith(t + "."))}
        for module, targets in graph().items()
    }
    assert cycles(edges) == []


def test_the_checker_sees_an_upward_import_and_a_circle():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    edges = graph()
    assert "proposals.models" in edges["replies.models"]  # it reads real imports
    assert "proposals.access" in edges["proposals.models"]
    assert not any(app_of(t) in ("replies", "feedback") for t in edges["proposals.views.pages"])
