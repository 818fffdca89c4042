import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { publicOperation } from "@/lib/http/operation";
import type { OpenApiDocument } from "@/lib/openapi/document";

let cachedDocument: OpenApiDocument | undefined;

// Imported when first asked for: the document is generated from every operation, this one too.
async function openApiDocument(): Promise<OpenApiDocument> {
  cachedDocument ??= (await import("@/lib/openapi/document")).generateOpenApiDocument();
  return cachedDocument;
}

export const getOpenApiDocumentOperation = publicOperation({
  method: "GET",
  path: "/api/openapi.json",
  operationId: "getOpenApiDocument",
  tag: "Docs",
  summary: "This OpenAPI document",
  description: "No authentication. Swagger UI for it is at `/api/docs`.",
  offline: true,
  response: {
    status: 200,
    description: "The document",
    schema: z.looseObject({ openapi: z.literal("3.1.0") }).meta({ description: "An OpenAPI 3.1 document" }),
  },
  handler: async () => Response.json(await openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }),
});

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

// The page and its assets are for people, not API operations: `hidden` keeps them out of the
// document, while they still get the route wrapper (405, request id, logging).
export const docsPageOperation = publicOperation({
  method: "GET",
  path: "/api/docs",
  operationId: "docsPage",
  tag: "Docs",
  summary: "The interactive API reference (HTML)",
  hidden: true,
  offline: true,
  response: { status: 200, description: "Swagger UI" },
  handler: () => new Response(DOCS_HTML, { headers: { "Content-Type": "text/html; charset=utf-8" } }),
});

export const docsAssetOperation = publicOperation({
  method: "GET",
  path: "/api/docs/{asset}",
  operationId: "docsAsset",
  tag: "Docs",
  summary: "A script, style sheet or icon of the reference page",
  hidden: true,
  params: z.object({ asset: z.string() }),
  errors: ["NOT_FOUND"],
  response: { status: 200, description: "The asset" },
  handler: async ({ params }) => {
    const asset = Object.hasOwn(ASSETS, params.asset) ? ASSETS[params.asset] : undefined;
    if (!asset) throw new ApiError("NOT_FOUND", "No such docs asset");
    const body = asset.body ?? (await fs.readFile(path.join(SWAGGER_DIR, asset.file!)));
    return new Response(body, { headers: { "Content-Type": asset.type, "Cache-Control": "public, max-age=3600" } });
  },
});
