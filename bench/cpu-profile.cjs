// --profile: a V8 CPU profile of every Node process and thread this is preloaded into, written to
// BENCH_CPU_PROFILE_DIR as CPU.<pid>.<thread>.cpuprofile when it exits. Preloaded through
// NODE_OPTIONS="--require …", which reaches npm start's node:cluster workers (started without the
// primary's flags); `--cpu-prof` would do the same but Node 20 refuses it in NODE_OPTIONS.
"use strict";
const fs = require("node:fs");
const { Session } = require("node:inspector");
const path = require("node:path");
const { threadId } = require("node:worker_threads");

const directory = process.env.BENCH_CPU_PROFILE_DIR;
if (directory) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 }); // µs, --cpu-prof's default
  session.post("Profiler.start");
  process.on("exit", () => {
    // A session in the profiled thread answers synchronously, so this writes before the exit.
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      fs.mkdirSync(directory, { recursive: true });
      fs.writeFileSync(path.join(directory, `CPU.${process.pid}.${threadId}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
