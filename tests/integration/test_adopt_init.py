"""`devenv init` on the example monorepo with services.yaml removed: the manifest it writes
validates and renders, and the real Tilt reports the same graph as for the shipped example,
except where init marked a guess (every difference is traced to a GUESS-marked key)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from devenv.adopt.init import discover
from devenv.adopt.yamlout import emit
from tests.integration.judge import load, render_tiltfile

REPO = Path(__file__).resolve().parents[2]


def _example_monorepo_only(folder: str, names: list[str]) -> set[str]:
    """The example monorepo without the buf/ and workspace/ example manifests beside it."""
    skip = {"buf", "workspace"} if Path(folder) == REPO / "examples" else set()
    return skip | set(shutil.ignore_patterns("node_modules", "generated")(folder, names))


def _repo(root: Path, manifest: bool) -> Path:
    shutil.copytree(REPO / "examples", root / "examples", ignore=_example_monorepo_only)
    if manifest:
        shutil.copy(REPO / "services.yaml", root / "services.yaml")
    return root


def _owner(name: str, data: dict) -> tuple:
    """The manifest key a Tilt resource comes from."""
    if name.startswith("packages:") and "-sdk-" in name:
        return ("sdks", name[len("packages:") :].split("-sdk-")[0], "steps")
    if name.startswith("packages:"):
        return ("registries",)
    return ("services", name)


def _guessed(path: tuple, guesses: dict) -> bool:
    return any(path[: len(g)] == g or g[: len(path)] == path for g in guesses)


def test_init_matches_the_shipped_example_except_guesses(tilt_helm, tmp_path):
    shipped = _repo(tmp_path / "shipped", manifest=True)
    fresh = _repo(tmp_path / "fresh", manifest=False)
    data, notes = discover(fresh)
    (fresh / "services.yaml").write_text(emit(data, notes.guesses))
    want = load(tilt_helm, render_tiltfile(shipped))
    got = load(tilt_helm, render_tiltfile(fresh))

    assert sorted(got.names) == sorted(want.names)
    unexplained = []
    for name in want.names:
        a, b = want.resources[name], got.resources[name]
        owner = _owner(name, data)

        def rel(value, root):  # the two copies live in different folders
            return repr(value).replace(str(root), "<root>")

        checks = {
            ("after",): set(a.resource_deps) == set(b.resource_deps),
            ("labels",): a.labels == b.labels,
            ("port_forwards",): a.port_forwards == b.port_forwards,
            ("k8s",): a.objects == b.objects,
            ("image",): [i.ref for i in a.images] == [i.ref for i in b.images],
            ("live_update",): rel([i.syncs for i in a.images], shipped) == rel([i.syncs for i in b.images], fresh),
            ("cmd",): rel((a.cmd, a.deps, a.env), shipped) == rel((b.cmd, b.deps, b.env), fresh),
        }
        for (key,), same in checks.items():
            if same:
                continue
            path = owner if owner[0] != "services" or key == "cmd" else owner + (key,)
            if not _guessed(path, notes.guesses):
                unexplained.append(f"{name}.{key} differs and {'.'.join(path)} is not marked GUESS")
        for old, new in zip(a.images, b.images):
            for arg in set(old.build_args) | set(new.build_args):
                if old.build_args.get(arg) != new.build_args.get(arg):
                    sdk = next((s for s in data.get("sdks", {}) if arg == s.upper() + "_SDK_VERSION"), None)
                    path = ("sdks", sdk, "version") if sdk else ("build", "build_args")
                    if not _guessed(path, notes.guesses):
                        unexplained.append(f"{name} build arg {arg}: {old.build_args.get(arg)!r} -> {new.build_args.get(arg)!r}")
            if set(old.extra_hosts) != set(new.extra_hosts) and not _guessed(("build", "extra_hosts"), notes.guesses):
                unexplained.append(f"{name} extra hosts {old.extra_hosts} -> {new.extra_hosts}")
    assert not unexplained, "\n".join(unexplained)
    # The identity of each piece is read, not guessed: same SDK packages, proto workspace and images.
    shipped_data = yaml.safe_load((shipped / "services.yaml").read_text())
    assert {k: (v["language"], v["path"], v["package"]) for k, v in data["sdks"].items()} == {
        k: (v["language"], v["path"], v["package"]) for k, v in shipped_data["sdks"].items()
    }
    assert data["proto"]["path"] == shipped_data["proto"]["path"]
    assert set(data["proto"]["allowed"]) == set(shipped_data["proto"]["allowed"])
    assert {k: v["image"] for k, v in data["services"].items()} == {k: v["image"] for k, v in shipped_data["services"].items()}
