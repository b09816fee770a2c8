/** CPU time and memory of a process by PID, from /proc (Linux). */
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SEC = 100;

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

/** Resident set size, MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Watches a process: CPU used between start and stop, peak RSS sampled every 250 ms. */
export function watchProcess(pid: number) {
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      clearInterval(timer); // the process is gone
    }
  }, 250);
  return {
    stop(): { cpuSec: number; cores: number; peakRssMb: number; rssMb: number } {
      clearInterval(timer);
      const cpuSec = cpuSeconds(pid) - cpu0;
      const rss = rssMb(pid);
      return { cpuSec, cores: cpuSec / ((Date.now() - t0) / 1000), peakRssMb: Math.max(peak, rss), rssMb: rss };
    },
  };
}
