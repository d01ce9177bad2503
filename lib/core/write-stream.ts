import { concatMap, defer, Subject, type Subscription } from 'rxjs'

/**
 * The one ordered write path: calls pushed here are processed in batches, one batch at a
 * time, in order (RxJS `concatMap`). While a batch is being made durable, new calls gather
 * into the next one, so each batch costs one write and one fsync (group commit).
 * @internal
 */
export class WriteStream<C> {
  readonly #trigger = new Subject<void>()
  readonly #subscription: Subscription
  #pending: C[] = []
  #scheduled = false
  #busy = false
  #idle: Array<() => void> = []

  /**
   * `process` settles each call of the batch itself. Should it throw all the same (a bug),
   * `crashed` is told so the calls are settled and the stream goes on to the next batch.
   */
  constructor(process: (batch: C[]) => Promise<void>, crashed: (batch: C[], error: unknown) => void) {
    this.#subscription = this.#trigger
      .pipe(
        concatMap(() =>
          defer(async () => {
            // Take everything that gathered while the previous batch was in flight.
            this.#scheduled = false
            const batch = this.#pending
            this.#pending = []
            this.#busy = true
            try {
              await process(batch)
            } catch (error) {
              crashed(batch, error)
            } finally {
              this.#busy = false
              this.#notifyIdle()
            }
          }),
        ),
      )
      .subscribe()
  }

  /** Number of calls waiting for a batch. */
  get queued(): number {
    return this.#pending.length
  }

  /** Queues a call; a batch starts on the next microtask so calls of the same tick share it. */
  push(call: C): void {
    this.#pending.push(call)
    if (!this.#scheduled) {
      this.#scheduled = true
      queueMicrotask(() => this.#trigger.next())
    }
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
    return !this.#busy && !this.#scheduled && this.#pending.length === 0
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return
    const waiters = this.#idle
    this.#idle = []
    for (const resolve of waiters) resolve()
  }
}
