// Timing helpers: throughput of a run, per-call latency percentiles, CPU time, medians.

/** What one timed run measured. */
export interface Run {
  /** Transactions per second (wall clock). */
  readonly tps: number
  /** Latency percentiles of one call, µs (only for one-at-a-time runs). */
  readonly p50Us?: number
  readonly p99Us?: number
  /** CPU time (user + system) per transaction, µs. */
  readonly cpuUs: number
}

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The q-quantile (0 … 1) of latencies, nearest rank. */
export function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** Runs `n` calls one at a time (each awaited before the next), timing each one. */
export async function oneAtATime(n: number, call: (i: number) => unknown): Promise<Run> {
  const latencies = new Float64Array(n)
  const cpu = cpuMicros()
  const started = performance.now()
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await call(i)
    latencies[i] = performance.now() - t0
  }
  const ms = performance.now() - started
  const cpuUs = (cpuMicros() - cpu) / n
  latencies.sort()
  return { tps: (n * 1000) / ms, p50Us: percentile(latencies, 0.5) * 1000, p99Us: percentile(latencies, 0.99) * 1000, cpuUs }
}

/** Runs `n` synchronous calls in a plain loop (no promise at all): the ceiling of a loop. */
export function syncLoop(n: number, call: (i: number) => void): Run {
  const cpu = cpuMicros()
  const started = performance.now()
  for (let i = 0; i < n; i++) call(i)
  const ms = performance.now() - started
  return { tps: (n * 1000) / ms, cpuUs: (cpuMicros() - cpu) / n }
}

/**
 * Runs `n` calls with `width` callers in flight: each caller awaits its call, then takes the
 * next index. Calls start in index order, so the workload's order is kept at the start of each.
 */
export async function inFlight(n: number, width: number, call: (i: number) => Promise<unknown>): Promise<Run> {
  let next = 0
  const caller = async (): Promise<void> => {
    while (next < n) await call(next++)
  }
  const cpu = cpuMicros()
  const started = performance.now()
  await Promise.all(Array.from({ length: Math.min(width, n) }, caller))
  const ms = performance.now() - started
  return { tps: (n * 1000) / ms, cpuUs: (cpuMicros() - cpu) / n }
}

/** Times one asynchronous step, ms. */
export async function timeMs(step: () => unknown): Promise<number> {
  const started = performance.now()
  await step()
  return performance.now() - started
}

/** The run with the median throughput of several (its latencies and CPU come with it). */
export function medianRun(runs: readonly Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.tps - b.tps)
  return sorted[(sorted.length - 1) >> 1]
}

/** Collects garbage between measurements when the process allows it (`--expose-gc`). */
export function settle(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

/** The median run of `reps` runs of `measure`, collecting garbage before each. */
export async function repeat(reps: number, measure: () => Promise<Run> | Run): Promise<Run> {
  const runs: Run[] = []
  for (let r = 0; r < reps; r++) {
    settle()
    runs.push(await measure())
  }
  return medianRun(runs)
}
