import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite loads its WebAssembly and data files from its own package directory at run time.
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  // Read from node_modules at run time by /api/docs; traced so that serverless bundles ship it.
  outputFileTracingIncludes: {
    "/api/docs/[asset]": ["./node_modules/swagger-ui-dist/swagger-ui.css", "./node_modules/swagger-ui-dist/swagger-ui-bundle.js", "./node_modules/swagger-ui-dist/favicon-32x32.png"],
    "/api/health": ["./drizzle/**/*"],
  },
};

export default nextConfig;
