import { createServer } from "node:http";
import { SDK_VERSION } from "@ameideio/ameide-sdk-ts";

const port = Number(process.env.PORT ?? 3000);
const platformUrl = process.env.PLATFORM_URL ?? "http://platform:3000";

const page = `<!doctype html>
<title>Ameide</title>
<h1>Ameide</h1>
<p>Platform API: <a href="${platformUrl}">${platformUrl}</a> &middot; SDK ${SDK_VERSION}</p>
`;

createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200).end("ok");
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
}).listen(port, () => console.log(`www_ameide_platform listening on :${port} (sdk ${SDK_VERSION})`));
