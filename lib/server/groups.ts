import type { PatchOp } from '../client/protocol.js'
import { diff } from './diff.js'

/** One subscriber of a view group: where to send the group's patches, under which id. */
export interface Subscriber {
  /** The subscription's id on its connection. */
  readonly id: number
  /** Queues the group's encoded patch (a JSON array text) for this subscriber's next frame. */
  queue(id: number, opsJson: string): void
  /** The view failed: tells the subscriber and forgets its subscription. */
  fail(id: number, code: string, message: string): void
}

/**
 * Every subscription to one view with one identity shares one group: the view runs once per
 * commit for all of them, its patch is computed once and encoded once.
 * @internal
 */
export class ViewGroup<S> {
  readonly key: string
  readonly #view: (state: S, identity: unknown) => unknown
  readonly #identity: unknown
  readonly subscribers = new Set<Subscriber>()
  /** The view's value at the last commit seen. */
  value: unknown

  constructor(key: string, view: (state: S, identity: unknown) => unknown, identity: unknown, state: S) {
    this.key = key
    this.#view = view
    this.#identity = identity
    this.value = view(state, identity)
  }

  /** The view of an earlier state (for a client that resumes). */
  valueAt(state: S): unknown {
    return this.#view(state, this.#identity)
  }

  /** Runs the view on a new state; queues its patch, if any, to every subscriber. */
  update(state: S): void {
    let next: unknown
    try {
      next = this.#view(state, this.#identity)
    } catch (error) {
      const message = `view failed: ${(error as Error)?.message ?? String(error)}`
      for (const subscriber of [...this.subscribers]) subscriber.fail(subscriber.id, 'VIEW_FAILED', message)
      this.subscribers.clear()
      return
    }
    // Same reference: nothing the view returns changed (the state is immutable).
    if (next === this.value) return
    const ops: PatchOp[] = diff(this.value, next)
    this.value = next
    if (ops.length === 0) return
    const json = JSON.stringify(ops)
    for (const subscriber of this.subscribers) subscriber.queue(subscriber.id, json)
  }
}
