import type { NextConfig } from "next";
import { machineHosts } from "./lib/http/machine-hosts";
import { API_POLICY, COMMON_HEADERS, DOCS_POLICY } from "./lib/http/security-headers";

// `next dev` refuses its own dev resources (/_next/*, the HMR socket) to pages whose Origin
// hostname is not localhost, *.localhost, the -H hostname or listed here, so /admin opened at
// http://127.0.0.1:3000 or at the "Network" address that `next dev` prints stayed on
// "Loading…". Next 16 compares bare hostnames (no scheme, no port; IPv6 in brackets).
const nextConfig: NextConfig = {
  allowedDevOrigins: machineHosts(),
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
