"""No import cycle between Parley's modules, function-level imports included.

A cycle held together by imports inside functions works until someone moves one of them;
import-linter's contracts (config/importlinter.ini) guard the walls between layers, this
guards against cycles within a layer. Only Flask's blueprint pattern is allowed: a
blueprint's package imports its routes, which import the blueprint back.
"""

import grimp


def _cycles(graph):
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def _within_one_blueprint(group):
    return len({".".join(m.split(".")[:3]) for m in group}) == 1 and group[0].startswith("app.blueprints.")


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("app", "workers", "tools", cache_dir=None)
    cycles = [group for group in _cycles(graph) if not _within_one_blueprint(group)]
    assert cycles == []
