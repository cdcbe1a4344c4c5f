"""The slice `tilt up -- NAME...` must enable, computed from the manifest alone (not devenv's
code), as docs/slices.md states it:

- a NAME is a service, or a label: a service's labels (`services` when it has none) or the
  labels of an SDK with steps (`packages` by default; an SDK without steps has no resource to
  carry them); a label picks every service and SDK carrying it;
- a picked service brings the services it runs `after`, transitively, and every step of every
  SDK any of them consumes (its `sdks`, else all SDKs of its language); a picked SDK brings all
  its steps; the health gate `packages:health` comes whenever registries are declared;
- no NAME: everything.
"""

from __future__ import annotations


def valid_names(m: dict) -> set[str]:
    names = set(m.get("services") or {})
    for svc in (m.get("services") or {}).values():
        names.update(svc.get("labels") or ["services"])
    for sdk in (m.get("sdks") or {}).values():
        if sdk.get("steps"):
            names.update(sdk.get("labels", ["packages"]))
    return names


def _consumed(m: dict, svc: dict) -> list[str]:
    sdks = m.get("sdks") or {}
    if "sdks" in svc and svc["sdks"] is not None:
        return [s for s in svc["sdks"] if s in sdks]
    return [name for name, sdk in sdks.items() if svc.get("language") and sdk["language"] == svc["language"]]


def _chain(sdk: dict) -> list[str]:
    """An SDK's steps, plus the `smoke` step render adds to a published chain without one (issue 21)."""
    steps = list(sdk.get("steps") or {})
    if steps and sdk.get("registry") and sdk.get("version") and "smoke" not in steps and (sdk.get("verify") or {}).get("smoke", True):
        steps.append("smoke")
    return steps


def closure(m: dict, names: list[str]) -> set[str]:
    services = m.get("services") or {}
    sdks = m.get("sdks") or {}
    steps = {name: [f"packages:{name}-sdk-{step}" for step in _chain(sdk)] for name, sdk in sdks.items()}
    if not names:
        everything = set(services) | {s for chain in steps.values() for s in chain}
        return everything | ({"packages:health"} if m.get("registries") else set())
    todo = [s for s in services if s in names or any(label in names for label in services[s].get("labels") or ["services"])]
    picked_sdks = {s for s, sdk in sdks.items() if sdk.get("steps") and any(label in names for label in sdk.get("labels", ["packages"]))}
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        picked_sdks.update(_consumed(m, services[name]))
        todo.extend(a for a in services[name].get("after") or [] if a in services)
    out = seen | {s for sdk in picked_sdks for s in steps[sdk]}
    return out | ({"packages:health"} if m.get("registries") else set())
