"""Python SDK for the Ameide platform APIs: a small JSON-over-HTTP client."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import asdict, dataclass

__version__ = "1.4.0"


@dataclass(frozen=True)
class RequestContext:
    tenant_id: str
    actor_id: str = ""
    trace_id: str = ""


class AmeideClient:
    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, service: str, method: str, context: RequestContext, body: dict) -> dict:
        """POST ``body`` to ``<service>/<method>``, e.g. ``ameide.graph.v1.GraphService/GetNode``."""
        request = urllib.request.Request(
            f"{self.base_url}/{service}/{method}",
            data=json.dumps({"context": asdict(context), **body}).encode(),
            headers={"Content-Type": "application/json", "X-Ameide-Sdk": f"python/{__version__}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.load(response)
