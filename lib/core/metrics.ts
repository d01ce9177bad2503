/**
 * What a store measured about itself (`store.metrics()`), cheap to read at any time.
 * Counters run from the moment the store opened.
 */
export interface StoreMetrics {
  /** Entries committed since open. */
  readonly commits: number
  /** Entries committed per second over the last 10 seconds (or since open, if shorter). */
  readonly commitsPerSecond: number
  /** Batches processed (each one write and, under `always`, one fsync). */
  readonly batches: number
  /** Calls per batch: the last one, the mean, the largest. */
  readonly batchSize: { readonly last: number; readonly mean: number; readonly max: number }
  /** fsync latency in milliseconds, over the write path's fsyncs (one per batch under `always`, one per interval under `interval`). */
  readonly fsync: { readonly count: number; readonly lastMs: number; readonly meanMs: number; readonly maxMs: number }
  /** Calls waiting for the next batch right now. */
  readonly queueDepth: number
  /** The replay at open: entries, time taken and speed. */
  readonly replay: { readonly entries: number; readonly ms: number; readonly entriesPerSecond: number }
}

const WINDOW_SECONDS = 10

/**
 * Small counters the store bumps on its write path: a handful of additions per batch, and
 * ten one-second buckets for the commit rate.
 * @internal
 */
export class MetricsRecorder {
  readonly #opened: number
  readonly #replay: StoreMetrics['replay']
  #commits = 0
  #batches = 0
  #calls = 0
  #lastBatch = 0
  #maxBatch = 0
  #syncs = 0
  #syncMs = 0
  #lastSyncMs = 0
  #maxSyncMs = 0
  readonly #buckets = new Array<number>(WINDOW_SECONDS).fill(0)
  readonly #bucketSecond = new Array<number>(WINDOW_SECONDS).fill(-1)

  constructor(replay: { entries: number; ms: number }, now = Date.now()) {
    this.#opened = now
    const seconds = replay.ms / 1000
    this.#replay = { ...replay, entriesPerSecond: seconds > 0 ? Math.round(replay.entries / seconds) : 0 }
  }

  /** A batch of `calls` dispatches was processed; `committed` of them were journaled. */
  batch(calls: number, committed: number, now = Date.now()): void {
    this.#batches++
    this.#calls += calls
    this.#lastBatch = calls
    if (calls > this.#maxBatch) this.#maxBatch = calls
    this.#commits += committed
    const second = Math.floor(now / 1000)
    const slot = second % WINDOW_SECONDS
    if (this.#bucketSecond[slot] !== second) {
      this.#bucketSecond[slot] = second
      this.#buckets[slot] = 0
    }
    this.#buckets[slot] += committed
  }

  /** An fsync took `ms` milliseconds. */
  sync(ms: number): void {
    this.#syncs++
    this.#syncMs += ms
    this.#lastSyncMs = ms
    if (ms > this.#maxSyncMs) this.#maxSyncMs = ms
  }

  /** The counters as they stand, with the current queue depth. */
  read(queueDepth: number, now = Date.now()): StoreMetrics {
    const second = Math.floor(now / 1000)
    let recent = 0
    for (let i = 0; i < WINDOW_SECONDS; i++) if (second - this.#bucketSecond[i] < WINDOW_SECONDS) recent += this.#buckets[i]
    const window = Math.min(WINDOW_SECONDS, Math.max(1, (now - this.#opened) / 1000))
    return {
      commits: this.#commits,
      commitsPerSecond: recent / window,
      batches: this.#batches,
      batchSize: { last: this.#lastBatch, mean: this.#batches > 0 ? this.#calls / this.#batches : 0, max: this.#maxBatch },
      fsync: { count: this.#syncs, lastMs: this.#lastSyncMs, meanMs: this.#syncs > 0 ? this.#syncMs / this.#syncs : 0, maxMs: this.#maxSyncMs },
      queueDepth,
      replay: this.#replay,
    }
  }
}
