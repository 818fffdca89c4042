import fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Measurement } from "./report";

// --profile: the V8 CPU profiles that bench/cpu-profile.cjs writes when a server process exits, cut
// to each measured window (V8's profile clock and process.hrtime are both CLOCK_MONOTONIC) and
// added up over the server's processes (npm start's primary and workers), with self time
// attributed to the original package or source file through the build's source maps.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface WindowSummary {
  target: string;
  endpoint: string;
  requests: number;
  sampledMs: number;
  /** Microseconds of CPU per request by category, largest first. */
  categories: { category: string; usPerRequest: number; share: number }[];
  functions: { name: string; category: string; usPerRequest: number }[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")) as SourceMapPayload);
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return maps.get(file)!;
}

function original(frame: CallFrame): string {
  if (!frame.url) return "";
  const file = frame.url.startsWith("file://") ? fileURLToPath(frame.url) : frame.url;
  const map = file.includes(`${path.sep}.next${path.sep}`) ? sourceMapFor(file) : null;
  if (!map) return file;
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
  return entry.originalSource ?? file;
}

function category(frame: CallFrame, source: string): string {
  if (frame.functionName === "(garbage collector)") return "GC";
  if (frame.functionName === "(program)") return "(program: V8/native, unattributed)";
  if (!source || source === "undefined") return "V8 builtins and native (no source)";
  if (source.startsWith("node:")) {
    const module = source.slice(5).replace(/^internal\//, "").split("/");
    return `node:${module.slice(0, 2).join("/")}`;
  }
  if (source.startsWith("turbopack:///[turbopack]")) return "turbopack runtime";
  // The only WebAssembly in these servers is PGlite's PostgreSQL.
  if (source.startsWith("wasm://")) return "PGlite's PostgreSQL (WebAssembly)";
  // drizzle-orm ships source maps to its TypeScript: chained by Turbopack they read node_modules/src/...
  if (source.includes("node_modules/src/")) return "drizzle-orm";
  const modules = source.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = decodeURIComponent(source.slice(modules + "node_modules/".length)).split("/");
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (pkg === "next") {
      const compiled = rest.indexOf("compiled");
      if (compiled >= 0) return `next (compiled ${rest[compiled + 1]})`;
      const server = rest.indexOf("server");
      return `next (${server >= 0 ? rest.slice(server, server + 2).join("/") : rest.slice(1, 3).join("/")})`;
    }
    return pkg;
  }
  const project = (/\[project\]\/(.*)$/.exec(source)?.[1] ?? source).replace(/^(\.\.\/)+/, "");
  if (/^(lib|app|instrumentation)/.test(project)) return `app: ${project}`;
  return project;
}

function summarize(profiles: CpuProfile[], window: [number, number], m: Measurement): WindowSummary {
  const categories = new Map<string, number>();
  const functions = new Map<string, { category: string; us: number }>();
  let sampled = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const labels = new Map<number, { category: string; name: string }>();
    let time = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      time += profile.timeDeltas[i]!;
      if (time < window[0] || time > window[1]) continue;
      const delta = profile.timeDeltas[i + 1] ?? 0; // the sample stands for the time until the next one
      const id = profile.samples[i]!;
      let label = labels.get(id);
      if (!label) {
        const frame = byId.get(id)!.callFrame;
        if (frame.functionName === "(idle)" || frame.functionName === "(root)") {
          label = { category: "", name: "" };
        } else {
          const source = original(frame);
          label = { category: category(frame, source), name: `${frame.functionName || "(anonymous)"} ${path.basename(source)}` };
        }
        labels.set(id, label);
      }
      if (!label.category) continue;
      sampled += delta;
      categories.set(label.category, (categories.get(label.category) ?? 0) + delta);
      const fn = functions.get(label.name) ?? { category: label.category, us: 0 };
      fn.us += delta;
      functions.set(label.name, fn);
    }
  }
  const perRequest = (us: number) => us / Math.max(1, m.requests);
  return {
    target: m.target,
    endpoint: m.endpoint,
    requests: m.requests,
    sampledMs: sampled / 1000,
    categories: [...categories]
      .map(([name, us]) => ({ category: name, usPerRequest: perRequest(us), share: us / Math.max(1, sampled) }))
      .sort((a, b) => b.usPerRequest - a.usPerRequest),
    functions: [...functions]
      .map(([name, { category: cat, us }]) => ({ name, category: cat, usPerRequest: perRequest(us) }))
      .sort((a, b) => b.usPerRequest - a.usPerRequest)
      .slice(0, 25),
  };
}

export async function summarizeProfiles(root: string, directory: string, measurements: Measurement[], log: (line: string) => void) {
  const files = fs.existsSync(directory) ? fs.readdirSync(directory).filter((name) => name.endsWith(".cpuprofile")) : [];
  // CPU.<pid>.<thread>.cpuprofile
  const profiles = files.map((name) => ({
    pid: Number(name.split(".")[1]),
    profile: JSON.parse(fs.readFileSync(path.join(directory, name), "utf8")) as CpuProfile,
  }));
  const summaries: WindowSummary[] = [];
  for (const m of measurements) {
    const own = profiles.filter(({ pid }) => m.serverPids.includes(pid)).map(({ profile }) => profile);
    if (own.length > 0) summaries.push(summarize(own, m.windowUs, m));
  }
  if (summaries.length === 0) {
    log(`no CPU profiles matched the measurements in ${path.relative(root, directory)}`);
    return undefined;
  }
  const floor = summaries.find((s) => s.endpoint === "GET /api/bench/floor");
  for (const s of summaries) {
    const perRequest = s.sampledMs / Math.max(1, s.requests);
    console.log(`\nprofile ${s.target} ${s.endpoint}: ${perRequest.toFixed(3)} ms sampled CPU per request (main threads of its processes, profiler on)`);
    const base = (category: string) => floor?.categories.find((f) => f.category === category)?.usPerRequest ?? 0;
    const rows = s.categories.map((c) => ({ ...c, beyond: floor && s !== floor ? c.usPerRequest - base(c.category) : undefined }));
    if (floor && s !== floor) rows.sort((a, b) => b.beyond! - a.beyond!);
    for (const c of rows.slice(0, 16)) {
      const beyond = c.beyond === undefined ? "" : `  ${c.beyond >= 0 ? "+" : ""}${c.beyond.toFixed(0).padStart(4)} µs beyond the floor`;
      console.log(`  ${c.category.padEnd(44)} ${c.usPerRequest.toFixed(0).padStart(6)} µs/req ${(c.share * 100).toFixed(1).padStart(5)}%${beyond}`);
    }
    console.log("  top functions (self time):");
    for (const f of s.functions.slice(0, 12)) console.log(`    ${f.usPerRequest.toFixed(1).padStart(6)} µs  ${f.name}  [${f.category}]`);
  }
  log(`CPU profiles in ${path.relative(root, directory)} (open them in Chrome DevTools or speedscope)`);
  return summaries;
}

// tsx bench/profile.ts bench/results/<stamp>.json: summarizes that run's profiles again.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = path.resolve(process.argv[2] ?? "");
  const result = JSON.parse(fs.readFileSync(file, "utf8")) as { measurements: Measurement[] };
  await summarizeProfiles(process.cwd(), file.replace(/\.json$/, "-profiles"), result.measurements, console.log);
}
