"""The apps depend one way, no module imports itself back, and tasks go through the outbox.

The graph counts every import, also those inside functions (``tests/import_graph.py``): a cycle
that only works because an import sits in a function is still a cycle. The rules:

- no import cycle between the project's modules;
- an app imports only its own layer or a lower one:
  kernel (``pixcentre.errors``, ``.filters``, ``.forms``, the celery app) ← ``outbox`` ←
  ``accounts`` ← ``competences`` ← ``candidates`` ← ``sessions_app`` ← ``billing`` ← the rest of
  ``pixcentre`` (urls, views, settings, middleware: the wiring);
- a services module never imports a tasks module: it queues tasks by name through the outbox
  (``enqueue("app.tasks.name", ...)``), and tasks call services;
- nothing queues a task around the outbox: no ``.delay(`` / ``.apply_async(`` (nor their
  ``_on_commit`` forms) outside ``outbox/``.

Each rule is also run on a graph or a package built here with the fault in it, to show that it
would fail.
"""

import ast
from pathlib import Path

import pytest

from tests.import_graph import build_graph, cycles

ROOT = Path(__file__).resolve().parents[1]
APPS = ["outbox", "accounts", "competences", "candidates", "sessions_app", "billing"]
PACKAGES = ["pixcentre", *APPS]
# Modules of pixcentre that every app may use: they import no app.
KERNEL = {
    "pixcentre",
    "pixcentre.celery",
    "pixcentre.confirm",
    "pixcentre.errors",
    "pixcentre.filters",
    "pixcentre.forms",
    "pixcentre.pdf",
    "pixcentre.text",
}
RANK = {"kernel": 0, **{app: i for i, app in enumerate(APPS, 1)}, "pixcentre": len(APPS) + 1}
QUEUEING_CALLS = {"delay", "apply_async", "delay_on_commit", "apply_async_on_commit"}


def layer(module: str) -> str:
    return "kernel" if module in KERNEL else module.split(".")[0]


def upward_imports(graph) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if RANK[layer(target)] > RANK[layer(module)]
    )


def services_importing_tasks(graph) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if ".services" in module or module.endswith("services")
        for target in targets
        if target.split(".")[-1] == "tasks"
    )


def queued_around_the_outbox(root: Path, packages) -> list[str]:
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts or path.parts[len(root.parts)] == "outbox":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in QUEUEING_CALLS
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}(")
    return found


@pytest.fixture(scope="module")
def graph():
    return build_graph(ROOT, PACKAGES)


def explain(graph, component) -> str:
    members = set(component)
    return "\n".join(
        f"  {m} imports {', '.join(sorted(graph[m] & members))}" for m in sorted(members)
    )


def test_no_import_cycle(graph):
    found = cycles(graph)
    assert found == [], "import cycles:\n" + "\n\n".join(explain(graph, c) for c in found)


def test_no_app_imports_a_higher_one(graph):
    assert upward_imports(graph) == []


def test_the_kernel_imports_no_app(graph):
    assert sorted(t for m in KERNEL if m in graph for t in graph[m] if layer(t) != "kernel") == []


def test_services_never_import_tasks(graph):
    assert services_importing_tasks(graph) == []


def test_no_task_is_queued_around_the_outbox():
    assert queued_around_the_outbox(ROOT, PACKAGES) == []


def test_every_app_and_layer_is_in_the_graph(graph):
    """The rules above are only as good as the graph: it holds the apps' layer modules."""
    for name in [
        "sessions_app.services.registrations",
        "sessions_app.tasks",
        "sessions_app.views.invigilation",
        "candidates.services.profiles",
        "candidates.tasks",
        "billing.services",
        "pixcentre.urls",
    ]:
        assert name in graph
    assert "sessions_app.services.registrations" in graph["sessions_app.tasks"] or (
        "sessions_app.services.campaigns" in graph["sessions_app.tasks"]
    )


# --- the rules fail on the faults they are there for ------------------------------------------


def test_a_reintroduced_cycle_in_the_real_graph_is_found(graph):
    """Put back what the layer work removed (the seat email importing its task) and the
    cycle tasks → services → mail → tasks shows."""
    broken = {m: set(t) for m, t in graph.items()}
    broken["sessions_app.services.mail"].add("sessions_app.tasks")
    found = cycles(broken)
    assert any(
        {"sessions_app.services.mail", "sessions_app.tasks", "sessions_app.services"} <= set(c)
        for c in found
    )
    assert services_importing_tasks(broken) == ["sessions_app.services.mail -> sessions_app.tasks"]


def write(root: Path, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/services.py": "def order():\n    from .tasks import mail\n    mail.delay()\n",
            "shop/tasks.py": "from . import services\n\ndef mail():\n    services.order()\n",
            "shop/views.py": "from shop.services import order\n",
        },
    )
    found = cycles(build_graph(tmp_path, ["shop"]))
    assert found == [["shop.services", "shop.tasks"]]
    assert services_importing_tasks(build_graph(tmp_path, ["shop"])) == [
        "shop.services -> shop.tasks"
    ]
    assert queued_around_the_outbox(tmp_path, ["shop"]) == ["shop/services.py:3 .delay("]


def test_a_cycle_through_a_package_that_re_exports_is_found(tmp_path):
    """``tasks`` imports ``services.campaigns``, which runs ``services/__init__``, which imports
    ``services.mail``, which imports ``tasks``: a cycle though no module names its importer."""
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/services/__init__.py": "from .campaigns import go\nfrom .mail import send\n",
            "shop/services/campaigns.py": "from .mail import send\n\ndef go():\n    send()\n",
            "shop/services/mail.py": "def send():\n    from shop.tasks import deliver\n",
            "shop/tasks.py": "from shop.services.campaigns import go\n",
        },
    )
    found = cycles(build_graph(tmp_path, ["shop"]))
    assert found == [
        ["shop.services", "shop.services.campaigns", "shop.services.mail", "shop.tasks"]
    ]


def test_a_package_importing_its_own_modules_is_not_a_cycle(tmp_path):
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/services/__init__.py": "from .campaigns import go\n",
            "shop/services/campaigns.py": "from . import locking\nfrom .locking import lock\n",
            "shop/services/locking.py": "def lock():\n    pass\n",
        },
    )
    assert cycles(build_graph(tmp_path, ["shop"])) == []


def test_an_upward_import_is_found(graph):
    broken = {m: set(t) for m, t in graph.items()}
    broken["candidates.services.profiles"].add("sessions_app.models")
    broken["sessions_app.forms"].add("pixcentre.urls")
    assert upward_imports(broken) == [
        "candidates.services.profiles -> sessions_app.models",
        "sessions_app.forms -> pixcentre.urls",
    ]


def test_every_task_queued_by_name_is_a_registered_task():
    """A task named by a string is checked here, since no import would fail on a typo."""
    from outbox.dispatch import registered_task

    names = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None))
                    in {"enqueue", "enqueue_now"}
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    names.add(node.args[0].value)
    assert "accounts.tasks.send_email" in names
    for name in sorted(names):
        assert registered_task(name).name == name
