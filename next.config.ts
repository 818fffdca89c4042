import type { NextConfig } from "next";
import { API_POLICY, COMMON_HEADERS, DOCS_POLICY } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // PGlite loads its WebAssembly and data files from its own package directory at run time.
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  // Read from node_modules at run time by /api/docs; traced so that serverless bundles ship it.
  outputFileTracingIncludes: {
    "/api/docs/[asset]": [
      "./node_modules/swagger-ui-dist/swagger-ui.css",
      "./node_modules/swagger-ui-dist/swagger-ui-bundle.js",
      "./node_modules/swagger-ui-dist/favicon-32x32.png",
    ],
  },
  async headers() {
    return [
      { source: "/:path*", headers: COMMON_HEADERS },
      { source: "/api/:path((?!docs(?:/|$)).*)", headers: [{ key: "Content-Security-Policy", value: API_POLICY }] },
      { source: "/api/docs/:path*", headers: [{ key: "Content-Security-Policy", value: DOCS_POLICY }] },
      { source: "/api/docs", headers: [{ key: "Content-Security-Policy", value: DOCS_POLICY }] },
    ];
  },
};

export default nextConfig;
