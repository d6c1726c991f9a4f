import { readFileSync, writeFileSync } from 'node:fs';

/** Resident memory of a process, now and at its peak, from /proc (Linux). */
export function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rssBytes: field('VmRSS'), peakRssBytes: field('VmHWM') };
}

/** Resets the peak (VmHWM) to the current resident size, so that a phase's peak is its own. */
export function resetPeak(pid: number): void {
  // Writing 5 to clear_refs resets the peak resident set size (Linux 4.0+).
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not permitted: the peak then counts from the start
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
