import fs from "node:fs/promises";
import path from "node:path";
import { ApiError } from "@/lib/errors";
import { generateOpenApiDocument, type OpenApiDocument } from "@/lib/openapi/document";

let cachedDocument: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  cachedDocument ??= generateOpenApiDocument();
  return cachedDocument;
}

// Swagger UI is served from the swagger-ui-dist package itself, not a CDN: the docs work
// offline and under a strict Content-Security-Policy (no inline script).
const SWAGGER_DIR = path.join(process.cwd(), "node_modules", "swagger-ui-dist");
const ASSETS: Record<string, { file?: string; type: string; body?: string }> = {
  "swagger-ui.css": { file: "swagger-ui.css", type: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { file: "swagger-ui-bundle.js", type: "text/javascript; charset=utf-8" },
  "favicon-32x32.png": { file: "favicon-32x32.png", type: "image/png" },
  "init.js": {
    type: "text/javascript; charset=utf-8",
    body: `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  displayOperationId: true,
});
`,
  },
};

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Task API reference</title>
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
`;

export async function docsAsset(name: string): Promise<Response> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) throw new ApiError("NOT_FOUND", "No such docs asset");
  const body = asset.body ?? (await fs.readFile(path.join(SWAGGER_DIR, asset.file!)));
  return new Response(body, {
    headers: { "Content-Type": asset.type, "Cache-Control": "public, max-age=3600" },
  });
}
