// The Chromium that the Playwright journeys run in. Playwright's own browser download does not
// work everywhere (it cannot here), so any Chromium will do; looked for in this order:
//   1. Playwright's own, if `npx playwright install chromium` was ever run;
//   2. CHROMIUM_PATH;
//   3. the system's: /usr/bin/chromium, or chromium, chromium-browser, google-chrome on PATH.
// playwright.config.ts calls findChromium() (in the runner and in every worker: cheap, no
// side effects). `npm run test:e2e` first runs this file, which installs one where it can (as
// root on Debian/Ubuntu with apt-get) and otherwise stops with one line saying how to get one.
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "@playwright/test";

export interface FoundChromium {
  path: string;
  source: string;
}

const SYSTEM_PATHS = ["/usr/bin/chromium"];
const SYSTEM_COMMANDS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function playwrightChromium(): string | undefined {
  try {
    const file = chromium.executablePath();
    return file && isExecutable(file) ? file : undefined;
  } catch {
    return undefined; // no browser registry entry for this platform
  }
}

export function findChromium(env: Record<string, string | undefined> = process.env): FoundChromium | undefined {
  const own = playwrightChromium();
  if (own) return { path: own, source: "Playwright's own Chromium" };
  const configured = env.CHROMIUM_PATH;
  if (configured && isExecutable(configured)) return { path: configured, source: "CHROMIUM_PATH" };
  for (const file of SYSTEM_PATHS) if (isExecutable(file)) return { path: file, source: "system Chromium" };
  for (const command of SYSTEM_COMMANDS) {
    const file = onPath(command);
    if (file) return { path: file, source: `${command} on PATH` };
  }
  return undefined;
}

const HOW_TO_GET_ONE =
  "No Chromium for the e2e tests: install one (Debian/Ubuntu: sudo apt-get install -y chromium; or npx playwright install chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable.";

function canInstallWithApt(): boolean {
  return process.platform === "linux" && process.getuid?.() === 0 && fs.existsSync("/etc/debian_version") && onPath("apt-get") !== undefined;
}

function installWithApt(): boolean {
  const options: ExecFileSyncOptions = { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  try {
    console.log("e2e: no Chromium found; installing one with apt-get (about a minute)");
    execFileSync("apt-get", ["update", "-qq"], options);
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], options);
    return true;
  } catch {
    return false;
  }
}

/** For `npm run test:e2e`: a Chromium exists afterwards, or the process exits 1 with one line. */
function ensureChromium(): void {
  const configured = process.env.CHROMIUM_PATH;
  let found = findChromium();
  if (!found && canInstallWithApt() && installWithApt()) found = findChromium();
  if (!found) {
    const note = configured ? ` (CHROMIUM_PATH=${configured} is not an executable file)` : "";
    console.error(HOW_TO_GET_ONE + note);
    process.exit(1);
  }
  console.log(`e2e: ${found.source}: ${found.path}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) ensureChromium();
