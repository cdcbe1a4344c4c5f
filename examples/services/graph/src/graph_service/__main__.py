"""The graph service: answers ameide.graph.v1.GraphService calls from an in-memory graph."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ameide_sdk

NODES = {"root": {"id": "root", "kind": "workspace", "attributes": {"name": "Ameide"}}}


class Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._send(200, "ok")
        else:
            self._send(200, {"service": "graph", "sdk": ameide_sdk.__version__, "nodes": len(NODES)})

    def do_POST(self) -> None:
        if self.path != "/ameide.graph.v1.GraphService/GetNode":
            self._send(404, {"error": f"no such method: {self.path}"})
            return
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        node = NODES.get(request.get("id", ""))
        if node:
            self._send(200, {"node": node})
        else:
            self._send(404, {"error": "not found"})


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"graph listening on :{port} (sdk {ameide_sdk.__version__})", flush=True)
    ThreadingHTTPServer(("", port), Handler).serve_forever()
