import { concatMap, defer, Subject, type Subscription } from 'rxjs'
import { StoreError } from './errors.js'

/** How many calls may wait for a batch, and what happens to one more. */
export interface QueueLimits {
  /** Calls waiting for a batch at most (`Infinity`: unbounded). */
  readonly maxQueue: number
  /** `'wait'`: park the call until there is room; `'reject'`: refuse it. */
  readonly whenFull: 'wait' | 'reject'
}

/**
 * Checks and completes the queue options of a store (default: unbounded, `'wait'`).
 * @throws StoreError `INVALID_OPTION` for a `maxQueue` that is not a positive integer or
 * `Infinity`, or an unknown `whenFull`.
 * @internal
 */
export function queueLimits(options: { readonly maxQueue?: number; readonly whenFull?: string }): QueueLimits {
  const { maxQueue = Infinity, whenFull = 'wait' } = options
  if (maxQueue !== Infinity && !(Number.isSafeInteger(maxQueue) && maxQueue > 0)) {
    throw new StoreError('INVALID_OPTION', `option maxQueue: expected a positive integer or Infinity, got ${String(maxQueue)}`)
  }
  if (whenFull !== 'wait' && whenFull !== 'reject') throw new StoreError('INVALID_OPTION', `option whenFull: expected 'wait' or 'reject', got ${JSON.stringify(whenFull)}`)
  return { maxQueue, whenFull }
}

/** The write path hands the event loop a turn at least this often, however busy it is. */
const YIELD_EVERY_MS = 10

/**
 * Lets timers and I/O callbacks run: a write path fed by callers that await each dispatch
 * would otherwise run on microtasks alone, starving the interval fsync and snapshot writes.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)))
}

/**
 * The one ordered write path: calls pushed here are processed in batches, one batch at a
 * time, in order (RxJS `concatMap`). While a batch is being made durable, new calls gather
 * into the next one, so each batch costs one write and one fsync (group commit).
 * @internal
 */
export class WriteStream<C> {
  readonly #trigger = new Subject<void>()
  readonly #subscription: Subscription
  readonly #limits: QueueLimits
  #pending: C[] = []
  /** Calls parked while the queue is full (`whenFull: 'wait'`), in arrival order. */
  #parked: C[] = []
  /** Work to run between batches (a segment roll before a snapshot), in order. */
  #tasks: Array<() => Promise<void>> = []
  #scheduled = false
  #busy = false
  #idle: Array<() => void> = []
  #lastYield = performance.now()

  /**
   * `process` settles each call of the batch itself, or hands back the calls it left for the
   * next batch (a batch is bounded): they go first into it. Should it throw all the same (a
   * bug), `crashed` is told so the calls are settled and the stream goes on to the next batch.
   */
  constructor(
    process: (batch: C[]) => Promise<C[] | void>,
    crashed: (batch: C[], error: unknown) => void,
    limits: QueueLimits = { maxQueue: Infinity, whenFull: 'wait' },
  ) {
    this.#limits = limits
    this.#subscription = this.#trigger
      .pipe(
        concatMap(() =>
          defer(async () => {
            // Take everything that gathered while the previous batch was in flight.
            this.#scheduled = false
            const batch = this.#pending
            this.#pending = []
            this.#admitParked()
            this.#busy = true
            try {
              const left = batch.length > 0 ? await process(batch) : undefined
              if (left && left.length > 0) {
                this.#pending = left.concat(this.#pending)
                this.#schedule()
              }
            } catch (error) {
              crashed(batch, error)
            }
            try {
              const tasks = this.#tasks
              this.#tasks = []
              for (const task of tasks) await task()
              if (performance.now() - this.#lastYield >= YIELD_EVERY_MS) {
                await yieldToEventLoop()
                this.#lastYield = performance.now()
              }
            } finally {
              this.#busy = false
              this.#notifyIdle()
            }
          }),
        ),
      )
      .subscribe()
  }

  /** Number of calls waiting for a batch (parked ones included). */
  get queued(): number {
    return this.#pending.length + this.#parked.length
  }

  /**
   * Queues a call; a batch starts on the next microtask so calls of the same tick share it.
   * When the queue is full, parks the call (`'wait'`) or returns false (`'reject'`).
   */
  push(call: C): boolean {
    if (this.#pending.length >= this.#limits.maxQueue) {
      if (this.#limits.whenFull === 'reject') return false
      this.#parked.push(call)
      return true
    }
    this.#enqueue(call)
    return true
  }

  /**
   * Runs `task` alone on the write path, after the batch in flight (and the calls already
   * queued) and before any later one. Resolves with its result.
   */
  exclusive<R>(task: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#tasks.push(() => task().then(resolve, reject))
      this.#schedule()
    })
  }

  #enqueue(call: C): void {
    this.#pending.push(call)
    this.#schedule()
  }

  #schedule(): void {
    if (!this.#scheduled) {
      this.#scheduled = true
      queueMicrotask(() => this.#trigger.next())
    }
  }

  /** Moves parked calls, oldest first, into the room a departing batch left. */
  #admitParked(): void {
    const room = this.#limits.maxQueue - this.#pending.length
    if (this.#parked.length === 0 || room <= 0) return
    for (const call of this.#parked.splice(0, room)) this.#enqueue(call)
  }

  /** Resolves once every call pushed so far has been processed. */
  drained(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /** Stops the stream; calls still queued are not processed. */
  stop(): void {
    this.#subscription.unsubscribe()
  }

  #isIdle(): boolean {
    return !this.#busy && !this.#scheduled && this.#pending.length === 0 && this.#parked.length === 0 && this.#tasks.length === 0
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return
    const waiters = this.#idle
    this.#idle = []
    for (const resolve of waiters) resolve()
  }
}

/** The error of a dispatch refused because the queue is full (`whenFull: 'reject'`). @internal */
export function queueFull(transaction: string, queued: number): StoreError {
  return new StoreError('QUEUE_FULL', `dispatch("${transaction}") refused: expected fewer than maxQueue dispatches waiting for a batch, found ${queued} (whenFull: 'reject'); retry once some resolve, raise maxQueue, or use whenFull: 'wait'`, { transaction })
}
