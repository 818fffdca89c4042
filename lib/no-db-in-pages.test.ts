import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Pages and components talk to the API over HTTP only: nothing they import, directly or through
// other modules of this repository, may reach the database layer or the auth library. Route
// handlers (app/api/**) are the server side and are the only app files allowed to.

const FORBIDDEN_PACKAGES = ["drizzle-orm", "pg", "@electric-sql/pglite", "@neondatabase/serverless", "better-auth"];
const FORBIDDEN_MODULES = ["lib/db", "lib/auth"];
const SOURCE = /\.(tsx?|jsx?|mjs|cjs)$/;
const EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"];

function walk(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : walk(full);
    return SOURCE.test(entry.name) ? [full] : [];
  });
}

/** Value imports of a module: `import type` / `export type` are erased and cannot reach anything. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\bimport\s+(?!type\s)(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+(?!type\s)(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function resolveLocal(root: string, from: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = path.join(root, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(from), specifier);
  else return null;
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile()) ?? null;
}

function forbiddenModule(root: string, file: string): string | null {
  const relative = path.relative(root, file).split(path.sep).join("/");
  return FORBIDDEN_MODULES.find((name) => relative === name || relative.startsWith(`${name}/`) || relative.startsWith(`${name}.`)) ?? null;
}

/**
 * Every page or component file under `<root>/app` (everything but the route handlers in
 * `app/api`), with the chain of imports
 * by which it reaches the database or auth layer, if it does.
 */
export function findOffenders(root: string): string[] {
  const appDir = path.join(root, "app");
  const entries = walk(appDir).filter((file) => {
    const relative = path.relative(appDir, file).split(path.sep).join("/");
    if (/\.test\.[jt]sx?$/.test(relative)) return false;
    // Route handlers (app/api/**/*.ts) are the server side; any .tsx there is a component.
    return !relative.startsWith("api/") || relative.endsWith(".tsx");
  });
  const offenders: string[] = [];
  for (const entry of entries) {
    const seen = new Set<string>();
    const queue: { file: string; chain: string[] }[] = [{ file: entry, chain: [path.relative(root, entry)] }];
    let offence: string | null = null;
    while (queue.length > 0 && !offence) {
      const { file, chain } = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importSpecifiers(fs.readFileSync(file, "utf8"))) {
        const local = resolveLocal(root, file, specifier);
        if (local) {
          const module = forbiddenModule(root, local);
          if (module) {
            offence = [...chain, `${specifier} (${module})`].join(" -> ");
            break;
          }
          if (!local.includes(`${path.sep}node_modules${path.sep}`)) queue.push({ file: local, chain: [...chain, specifier] });
        } else if (!specifier.startsWith(".") && !specifier.startsWith("@/")) {
          const name = packageName(specifier.replace(/^node:/, ""));
          if (FORBIDDEN_PACKAGES.includes(name)) {
            offence = [...chain, specifier].join(" -> ");
            break;
          }
        }
      }
    }
    if (offence) offenders.push(offence);
  }
  return offenders;
}

describe("pages and components use the HTTP API only", () => {
  it("no file under app/ outside app/api imports the database or auth layer, directly or indirectly", () => {
    const offenders = findOffenders(process.cwd());
    expect(offenders, `These files reach the database layer:\n${offenders.join("\n")}`).toEqual([]);
  });

  it("the admin page's HTTP client exists and is scanned", () => {
    expect(fs.existsSync(path.join(process.cwd(), "app/admin/api.ts"))).toBe(true);
  });

  it("catches direct and indirect offenders, and ignores type-only imports", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "no-db-check-"));
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
      };
      write("lib/db/index.ts", "export const db = 1;\n");
      write("lib/auth/index.ts", "export const auth = 1;\n");
      write("lib/tasks/queries.ts", 'import { db } from "@/lib/db";\nexport const list = () => db;\n');
      write("lib/tasks/schema.ts", "export interface Task { id: number }\n");
      write("app/api/tasks/route.ts", 'import { db } from "@/lib/db";\nexport const GET = () => db;\n');
      write("app/api/docs/Panel.tsx", 'import { db } from "@/lib/db";\nexport const Panel = () => db;\n');
      write("app/ok/page.tsx", 'import type { Task } from "@/lib/tasks/schema";\nimport type { db } from "@/lib/db";\nexport default function P() { return null; }\n');
      write("app/direct/page.tsx", 'import { db } from "@/lib/db";\nexport default function P() { return db; }\n');
      write("app/indirect/page.tsx", 'import { list } from "../../lib/tasks/queries";\nexport default function P() { return list(); }\n');
      write("app/auth/page.tsx", 'import { auth } from "@/lib/auth";\nexport default function P() { return auth; }\n');
      write("app/pkg/Widget.tsx", 'import { sql } from "drizzle-orm";\nexport const W = () => sql;\n');
      write("app/pkg/pool.ts", 'const { Pool } = require("pg");\nexport default Pool;\n');
      write("app/pkg/lazy.tsx", 'export const load = () => import("@electric-sql/pglite");\n');
      write("app/pkg/reexport.ts", 'export * from "@neondatabase/serverless";\n');

      const offenders = findOffenders(root);
      const files = offenders.map((line) => line.split(" -> ")[0]).sort();
      expect(files).toEqual(
        [
          "app/api/docs/Panel.tsx",
          "app/auth/page.tsx",
          "app/direct/page.tsx",
          "app/indirect/page.tsx",
          "app/pkg/Widget.tsx",
          "app/pkg/lazy.tsx",
          "app/pkg/pool.ts",
          "app/pkg/reexport.ts",
        ].map((file) => file.split("/").join(path.sep)),
      );
      expect(offenders.find((line) => line.startsWith(path.join("app", "indirect")))).toContain("@/lib/db (lib/db)");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
