import { createServer } from "node:http";
import { AmeideClient, SDK_VERSION } from "@ameideio/ameide-sdk-ts";

const port = Number(process.env.PORT ?? 3000);
const graph = new AmeideClient({ baseUrl: process.env.GRAPH_URL ?? "http://graph:8080" });

createServer(async (req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200).end("ok");
    return;
  }
  if (req.url?.startsWith("/api/nodes/")) {
    const id = decodeURIComponent(req.url.slice("/api/nodes/".length));
    try {
      const node = await graph.call("ameide.graph.v1.GraphService", "GetNode", { tenantId: "local" }, { id });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(node));
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
    return;
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ service: "platform", sdk: SDK_VERSION }));
}).listen(port, () => console.log(`platform listening on :${port} (sdk ${SDK_VERSION})`));
