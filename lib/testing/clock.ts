/**
 * A clock that moves only when told: pass `clock.now` as a store's `clock` option and every
 * transaction's `this.time` is the time you set. Times a store journals never go backwards,
 * so setting the clock back makes later transactions repeat the last time.
 *
 * @example
 * const clock = new TestClock(Date.UTC(2026, 0, 1))
 * const store = await createStore(definition, { storage, clock: clock.now })
 * await store.dispatch('open', 'ann')      // journaled at 2026-01-01T00:00:00Z
 * clock.advance(60_000)
 * await store.dispatch('close', 'ann')     // one minute later
 */
export class TestClock {
  #time: number

  /** Starts at `start` milliseconds since the epoch (default 0). */
  constructor(start = 0) {
    this.#time = start
  }

  /** The current time in milliseconds since the epoch; a bound function, ready to pass as `clock`. */
  readonly now = (): number => this.#time

  /** Moves the clock forward by `ms` milliseconds and returns the new time. */
  advance(ms: number): number {
    this.#time += ms
    return this.#time
  }

  /** Sets the clock to `time` milliseconds since the epoch. */
  set(time: number): void {
    this.#time = time
  }
}
