import type { Credential, LoadResult, MeasuredHeader } from "./load";

// The table, the ratios and the targets of issue 5, from the measurements of one run.

export interface Measurement extends LoadResult {
  target: string;
  endpoint: string;
  /** An authenticated task endpoint. */
  task: boolean;
  /** The request line, shared by the session and API-key variants of a task endpoint. */
  route: string;
  /** What a task endpoint authenticated with; null for the others. */
  credential: Credential | null;
  /** The header this variant adds to its route's plain request (Idempotency-Key, If-Match); null for the plain one. */
  header: MeasuredHeader | null;
  /** For a floor: the task request whose shape it has; null for the others. */
  floorOf: string | null;
  connections: number;
  serverCpuMsPerReq: number;
  pgCpuMsPerReq: number | null;
  statementsPerReq: number | null;
  /** CPU of helper processes (the neon target's WebSocket proxy), per request. */
  auxCpuMsPerReq: number | null;
  loadavg: string;
  /** Server processes the target was started with (node:cluster workers; the baseline's too). */
  processes: number;
  /** Each worker's share of the workers' CPU in the window, in pid order: one entry per process that served. */
  processCpuShares: number[];
  /** The primary, then its workers: the processes whose CPU is summed (and profiled). */
  serverPids: number[];
  /** Monotonic microseconds (same clock as V8 CPU profiles) bounding the measured window. */
  windowUs: [number, number];
}

export interface Ratio {
  target: string;
  endpoint: string;
  cpuVsBaseline: number | null;
  rpsVsBaseline: number | null;
  totalCpuVsBaseline: number | null;
  cpuVsFloor: number | null;
  rpsVsFloor: number | null;
  /** CPU per request ÷ the floor of the same request shape (Measurement.floorOf). */
  cpuVsShapedFloor: number | null;
}

export interface TargetCheck {
  name: string;
  target: string;
  met: boolean | null;
  detail: string;
}

/** A task endpoint measured with an API key beside the same requests with a session token. */
export interface KeyComparison {
  target: string;
  route: string;
  session: Measurement;
  key: Measurement;
  cpuRatio: number | null;
  rpsRatio: number | null;
}

/** A request with Idempotency-Key or If-Match beside the same request without it, on one server. */
export interface HeaderComparison {
  target: string;
  route: string;
  header: MeasuredHeader;
  plain: Measurement;
  withHeader: Measurement;
  cpuRatio: number | null;
  pgCpuRatio: number | null;
}

export const PRODUCT_TARGETS = ["product (pg)", "product (neon)", "product (pglite)"];
export const FLOOR = "floor";
export const FLOOR_ENDPOINT = "GET /api/bench/floor";
export const BASELINE = "baseline";

const fixed = (value: number | null | undefined, digits: number) => (value === null || value === undefined ? "n/a" : value.toFixed(digits));

export function table(headers: string[], rows: string[][], rightAligned: (column: number) => boolean): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (rightAligned(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(headers), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

export function formatMeasurements(measurements: Measurement[]): string {
  const headers = ["target", "endpoint", "processes", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors", "server CPU ms/req", "PG CPU ms/req", "SQL/req"];
  const rows = measurements.map((m) => [
    m.target,
    m.endpoint,
    String(m.processes),
    m.rps.toFixed(0),
    String(m.p50),
    String(m.p99),
    String(m.non2xx),
    String(m.errors + m.timeouts),
    fixed(m.serverCpuMsPerReq, 3) + (m.auxCpuMsPerReq !== null ? ` (+${m.auxCpuMsPerReq.toFixed(3)} proxy)` : ""),
    fixed(m.pgCpuMsPerReq, 3),
    fixed(m.statementsPerReq, 2),
  ]);
  return table(headers, rows, (i) => i >= 2);
}

const divide = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;

export function ratios(measurements: Measurement[]): Ratio[] {
  const find = (target: string, endpoint: string) => measurements.find((m) => m.target === target && m.endpoint === endpoint);
  const floor = find(FLOOR, FLOOR_ENDPOINT);
  return measurements
    .filter((m) => PRODUCT_TARGETS.includes(m.target))
    .map((m) => {
      // The baseline serves sessions only: an API-key row is compared with the same request there.
      const baseline = find(BASELINE, m.route);
      const total = (x: Measurement | undefined) => (x && x.pgCpuMsPerReq !== null ? x.serverCpuMsPerReq + x.pgCpuMsPerReq : null);
      return {
        target: m.target,
        endpoint: m.endpoint,
        cpuVsBaseline: divide(m.serverCpuMsPerReq, baseline?.serverCpuMsPerReq),
        rpsVsBaseline: divide(m.rps, baseline?.rps),
        totalCpuVsBaseline: divide(total(m), total(baseline)),
        cpuVsFloor: divide(m.serverCpuMsPerReq, floor?.serverCpuMsPerReq),
        rpsVsFloor: divide(m.rps, floor?.rps),
        cpuVsShapedFloor: divide(m.serverCpuMsPerReq, measurements.find((x) => x.target === FLOOR && x.floorOf === m.route)?.serverCpuMsPerReq),
      };
    });
}

export function formatRatios(list: Ratio[]): string {
  const x = (value: number | null) => (value === null ? "n/a" : `${value.toFixed(2)}×`);
  const headers = ["target", "endpoint", "CPU/req ÷ baseline", "req/s ÷ baseline", "server+PG CPU/req ÷ baseline", "CPU/req ÷ floor", "req/s ÷ floor", "CPU/req ÷ same-shape floor"];
  const rows = list.map((r) => [r.target, r.endpoint, x(r.cpuVsBaseline), x(r.rpsVsBaseline), x(r.totalCpuVsBaseline), x(r.cpuVsFloor), x(r.rpsVsFloor), x(r.cpuVsShapedFloor)]);
  return table(headers, rows, (i) => i >= 2);
}

export function keyComparisons(measurements: Measurement[]): KeyComparison[] {
  return measurements
    .filter((m) => m.credential === "api-key")
    .flatMap((key) => {
      const session = measurements.find((m) => m.target === key.target && m.route === key.route && m.credential === "session" && m.header === null);
      return session
        ? [{ target: key.target, route: key.route, session, key, cpuRatio: divide(key.serverCpuMsPerReq, session.serverCpuMsPerReq), rpsRatio: divide(key.rps, session.rps) }]
        : [];
    });
}

export function formatKeyComparisons(list: KeyComparison[]): string {
  const x = (value: number | null) => (value === null ? "n/a" : `${value.toFixed(2)}×`);
  const headers = [
    "target",
    "endpoint",
    "SQL/req session",
    "SQL/req API key",
    "CPU ms/req session",
    "CPU ms/req API key",
    "CPU key ÷ session",
    "PG CPU ms/req session",
    "PG CPU ms/req API key",
    "req/s session",
    "req/s API key",
    "req/s key ÷ session",
  ];
  const rows = list.map((c) => [
    c.target,
    c.route,
    fixed(c.session.statementsPerReq, 2),
    fixed(c.key.statementsPerReq, 2),
    fixed(c.session.serverCpuMsPerReq, 3),
    fixed(c.key.serverCpuMsPerReq, 3),
    x(c.cpuRatio),
    fixed(c.session.pgCpuMsPerReq, 3),
    fixed(c.key.pgCpuMsPerReq, 3),
    c.session.rps.toFixed(0),
    c.key.rps.toFixed(0),
    x(c.rpsRatio),
  ]);
  return table(headers, rows, (i) => i >= 2);
}

export function headerComparisons(measurements: Measurement[]): HeaderComparison[] {
  return measurements.flatMap((withHeader) => {
    if (withHeader.header === null) return [];
    const plain = measurements.find(
      (m) => m.target === withHeader.target && m.route === withHeader.route && m.credential === withHeader.credential && m.header === null,
    );
    return plain
      ? [
          {
            target: withHeader.target,
            route: withHeader.route,
            header: withHeader.header,
            plain,
            withHeader,
            cpuRatio: divide(withHeader.serverCpuMsPerReq, plain.serverCpuMsPerReq),
            pgCpuRatio: divide(withHeader.pgCpuMsPerReq, plain.pgCpuMsPerReq),
          },
        ]
      : [];
  });
}

export function formatHeaderComparisons(list: HeaderComparison[]): string {
  const x = (value: number | null) => (value === null ? "n/a" : `${value.toFixed(2)}×`);
  const plus = (a: number | null, b: number | null, digits: number) => (a === null || b === null ? "n/a" : `${b - a >= 0 ? "+" : ""}${(b - a).toFixed(digits)}`);
  const headers = [
    "target",
    "request",
    "header",
    "SQL/req plain",
    "SQL/req with",
    "SQL Δ",
    "CPU ms/req plain",
    "CPU ms/req with",
    "CPU with ÷ plain",
    "PG CPU ms/req plain",
    "PG CPU ms/req with",
    "PG with ÷ plain",
    "req/s plain",
    "req/s with",
  ];
  const rows = list.map((c) => [
    c.target,
    c.route,
    c.header,
    fixed(c.plain.statementsPerReq, 2),
    fixed(c.withHeader.statementsPerReq, 2),
    plus(c.plain.statementsPerReq, c.withHeader.statementsPerReq, 2),
    fixed(c.plain.serverCpuMsPerReq, 3),
    fixed(c.withHeader.serverCpuMsPerReq, 3),
    x(c.cpuRatio),
    fixed(c.plain.pgCpuMsPerReq, 3),
    fixed(c.withHeader.pgCpuMsPerReq, 3),
    x(c.pgCpuRatio),
    c.plain.rps.toFixed(0),
    c.withHeader.rps.toFixed(0),
  ]);
  return table(headers, rows, (i) => i >= 3);
}

/** Issues 5's and 13's targets that one run can judge (the scale target is judged by the scale run). */
export function checkTargets(measurements: Measurement[], list: Ratio[], keys: KeyComparison[] = keyComparisons(measurements)): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const target of PRODUCT_TARGETS) {
    // Issue 5's targets are for the plain requests: what Idempotency-Key and If-Match add is
    // reported beside them (headerComparisons), as the statements their guarantees need.
    const own = measurements.filter((m) => m.target === target && m.task && m.header === null);
    if (own.length === 0) continue;
    const statements = own.map((m) => m.statementsPerReq);
    if (statements.every((value) => value !== null)) {
      const worst = Math.max(...(statements as number[]));
      checks.push({
        name: "one SQL statement per authenticated request",
        target,
        // Requests cut off when the load stops ran their statement without being counted.
        met: worst <= 1.02,
        detail: own.map((m) => `${m.endpoint}: ${fixed(m.statementsPerReq, 2)}`).join("; "),
      });
    }
    const cpu = list.filter((r) => r.target === target && own.some((m) => m.endpoint === r.endpoint));
    if (cpu.every((r) => r.cpuVsFloor !== null)) {
      const worst = Math.max(...cpu.map((r) => r.cpuVsFloor!));
      checks.push({
        name: "server CPU per request ≤ 1.3× the floor on every task endpoint",
        target,
        met: worst <= 1.3,
        detail: cpu.map((r) => `${r.endpoint}: ${r.cpuVsFloor!.toFixed(2)}×`).join("; ") + (worst > 1.3 ? ` (worst ${(worst / 1.3).toFixed(2)}× over the target)` : ""),
      });
    }
    // The same allowance over Next's own cost for each request's shape (a dynamic segment, a
    // body read): what the product adds to a route handler that does nothing, request for request.
    if (cpu.length > 0 && cpu.every((r) => r.cpuVsShapedFloor !== null)) {
      const worst = Math.max(...cpu.map((r) => r.cpuVsShapedFloor!));
      checks.push({
        name: "server CPU per request ≤ 1.3× the floor of the same request shape",
        target,
        met: worst <= 1.3,
        detail: cpu.map((r) => `${r.endpoint}: ${r.cpuVsShapedFloor!.toFixed(2)}×`).join("; "),
      });
    }
    // An API key is verified inside the statement that finds the user, so it costs what a
    // session costs. Same tolerance as above: requests cut off when the load stops.
    for (const c of keys.filter((k) => k.target === target)) {
      const session = c.session.statementsPerReq;
      const key = c.key.statementsPerReq;
      if (session === null || key === null) continue;
      checks.push({
        name: "SQL statements per request: API key = session",
        target,
        met: Math.abs(key - session) <= 0.05,
        detail: `${c.route}: API key ${fixed(key, 2)}, session ${fixed(session, 2)}`,
      });
    }
  }
  if (measurements.length === 0) return checks; // only the rtt target ran: it checks its own answers
  const failed = measurements.filter((m) => m.non2xx > 0 || m.errors > 0 || m.timeouts > 0 || m.requests === 0);
  checks.push({
    name: "no errors and no non-2xx (and every endpoint answered)",
    target: "all",
    met: failed.length === 0,
    detail:
      failed.length === 0
        ? `${measurements.reduce((sum, m) => sum + m.requests, 0)} requests, all 2xx`
        : failed.map((m) => `${m.target} ${m.endpoint}: ${m.requests} responses ${JSON.stringify(m.statusCodes)} errors=${m.errors} timeouts=${m.timeouts}`).join("; "),
  });
  checks.push(checkProcesses(measurements));
  return checks;
}

/** "CPU split 51/49 %" over the processes that served, or "1 process". */
export function formatShares(shares: number[]): string {
  if (shares.length === 0) return "no worker process found";
  return shares.length === 1 ? "1 process" : `CPU split ${shares.map((share) => (share * 100).toFixed(0)).join("/")} %`;
}

/**
 * Every server process served, the target really ran with its processes: each did at least a tenth
 * of an even share of the work (node:cluster hands each new connection to the next process that is
 * free to take it, so a busy one can get fewer; an idle one does next to nothing). Per measurement.
 */
function checkProcesses(measurements: Measurement[]): TargetCheck {
  const uneven = measurements.filter((m) => m.processCpuShares.length !== m.processes || m.processCpuShares.some((share) => share < 0.1 / m.processes));
  const counts = [...new Set(measurements.map((m) => `${m.target} ${m.processes}`))];
  return {
    name: "every server process served (at least a tenth of an even share of the workers' CPU)",
    target: "all",
    met: uneven.length === 0,
    detail:
      uneven.length === 0
        ? `processes: ${counts.join(", ")}`
        : uneven.map((m) => `${m.target} ${m.endpoint}: ${m.processCpuShares.length} of ${m.processes} processes served, ${formatShares(m.processCpuShares)}`).join("; "),
  };
}

export function formatChecks(checks: TargetCheck[]): string {
  return checks.map((c) => `${c.met === null ? "?" : c.met ? "MET   " : "MISSED"} ${c.name} [${c.target}]: ${c.detail}`).join("\n");
}
