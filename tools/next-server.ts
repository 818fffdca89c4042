import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

// Runs the production build (`next start`) as a child process with its own environment, for
// the behaviour that only a real HTTP server shows. Needs `next build` first (npm test does it).
export interface NextServer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);

/**
 * package.json's `start` script, run as npm runs it (`sh -c`, with node_modules/.bin on the PATH
 * and the extra arguments appended), minus npm's own process. Its `exec` makes the spawned pid
 * the server's primary process itself: what a supervisor holds and signals.
 */
function npmStartCommand(): [string, string[]] {
  const { scripts } = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { scripts: Record<string, string> };
  return ["sh", ["-c", `${scripts.start} "$@"`, "npm-start"]];
}

/**
 * `next start`, or with `npmStart` the server as `npm start` runs it (scripts/start.ts: one
 * process per core, or WEB_CONCURRENCY of them, on one port): the script alone, or with
 * `npmStart: "npm"` npm itself, whose pid the returned process then is.
 */
export async function startNextServer(
  env: Record<string, string>,
  { waitFor = "/api/health", port: fixedPort, npmStart = false }: { waitFor?: string; port?: number; npmStart?: boolean | "npm" } = {},
): Promise<NextServer> {
  const port = fixedPort ?? (await freePort());
  const [command, args] =
    npmStart === "npm" ? ["npm", ["start", "--silent", "--"]] : npmStart ? npmStartCommand() : [bin("next"), ["start"]];
  const child = spawn(command, [...args, "-p", String(port), "-H", "127.0.0.1"], {
    env: {
      ...process.env,
      ...(npmStart && { PATH: [path.dirname(bin("next")), process.env.PATH].filter(Boolean).join(path.delimiter) }),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      BETTER_AUTH_SECRET: "test-secret-of-at-least-thirty-two-characters",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // A process group of its own, so that SIGKILL reaches npm start's server processes too.
    detached: Boolean(npmStart),
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const server: NextServer = {
    url,
    process: child,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (npmStart && signal === "SIGKILL") {
        // The whole group: a SIGKILLed primary cannot pass it on to its server processes.
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      } else if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(url + waitFor);
      if (response.status < 500) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop("SIGKILL");
      throw new Error(`next start did not answer ${waitFor} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
