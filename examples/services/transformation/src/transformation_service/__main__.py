"""The transformation service: turns documents into graph nodes through the graph service."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ameide_sdk import AmeideClient, RequestContext, __version__

GRAPH = AmeideClient(os.environ.get("GRAPH_URL", "http://graph:8080"))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/healthz":
            body = b'"ok"'
        else:
            try:
                root = GRAPH.call("ameide.graph.v1.GraphService", "GetNode", RequestContext(tenant_id="local"), {"id": "root"})
            except OSError as exc:
                root = {"error": str(exc)}
            body = json.dumps({"service": "transformation", "sdk": __version__, "root": root}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"transformation listening on :{port} (sdk {__version__})", flush=True)
    ThreadingHTTPServer(("", port), Handler).serve_forever()
