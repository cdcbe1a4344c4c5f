import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { SDK_VERSION } from "@ameideio/ameide-sdk-ts";

const port = Number(process.env.PORT ?? 3000);
const threads = new Map<string, { id: string; title: string; messages: string[] }>();

createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200).end("ok");
    return;
  }
  if (req.method === "POST" && req.url === "/ameide.threads.v1.ThreadsService/CreateThread") {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const { title = "untitled" } = JSON.parse(body || "{}");
      const thread = { id: randomUUID(), title, messages: [] };
      threads.set(thread.id, thread);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ thread }));
    });
    return;
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ service: "threads", sdk: SDK_VERSION, threads: threads.size }));
}).listen(port, () => console.log(`threads listening on :${port} (sdk ${SDK_VERSION})`));
