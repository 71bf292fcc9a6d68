// What the Rayon benchmarks report beside wall time (the Go side's
// examples/rayon/bench_test.go measures the same): the CPU time that the
// processes running the guest consumed, and the machine's steal time from
// /proc/stat, so that a run disturbed by the hypervisor shows as one.
// Node-only (it reads /proc); a page gets these readings from its driver
// (run.js exposes probe to it).
import { readFileSync, readdirSync } from 'node:fs';

/**
 * @typedef {object} Reading
 * @property {number} cpuNs CPU time (user + system) consumed so far, in ns
 * @property {number} steal machine-wide steal time so far, in clock ticks (proc(5))
 * @property {number} total machine-wide CPU time so far (the first eight counters of /proc/stat's cpu line), in clock ticks
 */

/** Clock ticks per second of /proc's counters (USER_HZ: 100 on Linux for every architecture Node runs on). */
const hz = 100;

/** jiffies returns /proc/stat's steal and total counters, or zeros off Linux. */
function jiffies() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    if (f[0] !== 'cpu' || f.length < 9) return { steal: 0, total: 0 };
    const v = f.slice(1, 9).map(Number);
    return { steal: v[7], total: v.reduce((a, b) => a + b, 0) };
  } catch {
    return { steal: 0, total: 0 };
  }
}

/** self reads this process's CPU time (every thread: its Workers too) and the machine's counters. @returns {Reading} */
export function self() {
  const u = process.cpuUsage();
  return { cpuNs: (u.user + u.system) * 1e3, ...jiffies() };
}

/**
 * descendants reads the CPU time of every process below this one (a browser
 * it launched and the browser's renderer, GPU and utility processes), from
 * /proc/PID/stat's utime and stime (clock ticks: 10 ms resolution), and the
 * machine's counters. @returns {Reading}
 */
export function descendants() {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  /** @type {Map<number, number>} */
  const ticks = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let s;
    try {
      s = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid ... : comm may hold spaces and parentheses; the fields after the last ')' are fixed.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const pid = Number(d),
      ppid = Number(f[1]);
    ticks.set(pid, Number(f[11]) + Number(f[12]));
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let t = 0;
  const todo = [...(children.get(process.pid) ?? [])];
  while (todo.length) {
    const p = /** @type {number} */ (todo.pop());
    t += ticks.get(p) ?? 0;
    todo.push(...(children.get(p) ?? []));
  }
  return { cpuNs: (t * 1e9) / hz, ...jiffies() };
}
