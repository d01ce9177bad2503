/**
 * The committed states of the last `window` commits, oldest first, each with its seq. States
 * are immutable and share every part a commit did not touch, so keeping them costs what the
 * commits changed, not copies of the state. A client that resumes from seq `s` is sent the
 * difference between its views at `s` and now.
 * @internal
 */
export class StateHistory<S> {
  readonly #window: number
  readonly #seqs: number[] = []
  readonly #states: S[] = []

  constructor(window: number) {
    this.#window = window
  }

  /** Records the state after a commit (seqs only grow). */
  push(seq: number, state: S): void {
    this.#seqs.push(seq)
    this.#states.push(state)
    let drop = 0
    while (drop < this.#seqs.length - 1 && seq - this.#seqs[drop + 1] >= this.#window) drop++
    if (drop > 0) {
      this.#seqs.splice(0, drop)
      this.#states.splice(0, drop)
    }
  }

  /** The state at `seq` (the last recorded at or before it), or null when `seq` is outside the window. */
  at(seq: number): S | null {
    const seqs = this.#seqs
    if (seqs.length === 0 || seq < seqs[0] || seq > seqs[seqs.length - 1]) return null
    let lo = 0
    let hi = seqs.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (seqs[mid] <= seq) lo = mid
      else hi = mid - 1
    }
    return this.#states[lo]
  }
}
