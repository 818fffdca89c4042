// The baseline as npm start runs the product (scripts/start.ts): WEB_CONCURRENCY processes of
// bench/baseline/server.ts on one port through node:cluster, so that req/s compare like for like.
// Prints "listening on <port>" once every process listens; SIGTERM stops them all.
//
//   DATABASE_URL=postgres://... PORT=8080 WEB_CONCURRENCY=2 node --import tsx bench/baseline/start.ts
import cluster from "node:cluster";
import path from "node:path";
import { fileURLToPath } from "node:url";

const processes = Number(process.env.WEB_CONCURRENCY ?? 1);
const port = Number(process.env.PORT);
if (!Number.isInteger(processes) || processes < 1 || !Number.isInteger(port) || port < 1) {
  console.error(`WEB_CONCURRENCY (${process.env.WEB_CONCURRENCY}) and PORT (${process.env.PORT}) must be positive integers`);
  process.exit(1);
}

// The workers inherit this process's flags (tsx's loader) and environment.
cluster.setupPrimary({ exec: path.join(path.dirname(fileURLToPath(import.meta.url)), "server.ts") });

let listening = 0;
let running = 0;
let stopping = false;
let exitCode = 0;
for (let i = 0; i < processes; i++) {
  const worker = cluster.fork();
  running++;
  worker.once("listening", () => {
    if (++listening === processes) console.log(`listening on ${port}`);
  });
  worker.once("exit", (code, signal) => {
    running--;
    // A baseline process that dies mid-run would skew what is measured: stop, and let the bench say so.
    if (!stopping) {
      console.error(`baseline process ${worker.process.pid} exited (${code ?? signal}); stopping`);
      stop(1);
    }
    if (running === 0) process.exit(exitCode);
  });
}

function stop(code: number) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const worker of Object.values(cluster.workers ?? {})) if (!worker?.isDead()) worker?.process.kill("SIGTERM");
}

for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stop(0));
