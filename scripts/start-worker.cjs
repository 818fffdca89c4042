// Preloaded (--require) into every server process of `npm start` by scripts/start.ts. Plain
// CommonJS because those processes run Next's CLI without tsx.
//
// Their IPC channel to the primary closes when the primary dies, even by SIGKILL, which
// cannot be caught. node:cluster's own reaction is process.exit(0) on the spot, cutting off
// the requests in flight; instead, this starts the same drain as SIGTERM does (lib/shutdown.ts).
"use strict";
const cluster = require("node:cluster");

// Taken now: lib/shutdown.ts holds process.exit back until its drain ends, the very thing that
// may hang below.
const exit = process.exit.bind(process);

if (cluster.worker) {
  process.prependOnceListener("disconnect", () => {
    // Node skips its immediate exit for a disconnect it was told to expect.
    cluster.worker.exitedAfterDisconnect = true;
    process.kill(process.pid, "SIGTERM");
    // No primary is left to SIGKILL a drain that hangs (scripts/start.ts): the same limit, here.
    setTimeout(() => exit(1), Number(process.env.START_WORKER_GRACE_MS) || 30_000).unref();
  });
}
