"""`devenv render` must not pay for the heavy clients: they are imported lazily by doctor."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_render_does_not_import_heavy_clients():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "devenv", "render", "--stdout", "-f", "services.yaml"], cwd=REPO, capture_output=True, text=True, check=True
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert modules.isdisjoint({"kubernetes", "docker", "httpx"}), modules & {"kubernetes", "docker", "httpx"}
