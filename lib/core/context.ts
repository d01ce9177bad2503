/**
 * What a recipe may use instead of the clock and randomness: every value here comes from the
 * journaled entry (its sequence number and time), so a replay reproduces it exactly.
 * Recipes reach it as `this` (use method syntax or a `function`).
 *
 * @example
 * openAccount(state, owner: string) {
 *   const id = this.id()
 *   state.accounts[id] = { owner, opened: this.time, balance: 0 }
 *   return id
 * }
 */
export interface TxContext {
  /** The transaction's sequence number. */
  readonly seq: number
  /** The transaction's journaled time, in milliseconds since the epoch (never decreases). */
  readonly time: number
  /** The journaled time as a new `Date`. */
  date(): Date
  /** A deterministic pseudo-random number in [0, 1), seeded by the entry. */
  random(): number
  /** A deterministic id, unique within this journal: `<seq in base 36>-<n>`. */
  id(): string
}

/** @internal the context given to a recipe; cheap to create, PRNG only made when asked for. */
export class TransactionContext implements TxContext {
  readonly seq: number
  readonly time: number
  #state = 0
  #ids = 0

  constructor(seq: number, time: number) {
    this.seq = seq
    this.time = time
  }

  date(): Date {
    return new Date(this.time)
  }

  random(): number {
    // mulberry32, seeded from the entry's seq and time on first use.
    if (this.#state === 0) this.#state = (Math.imul(this.seq, 0x9e3779b1) ^ (this.time % 0x7fffffff)) | 1
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  id(): string {
    return `${this.seq.toString(36)}-${(++this.#ids).toString(36)}`
  }
}
