import type { Patch } from 'immer'
import { Subject, type Observable } from 'rxjs'

/**
 * One committed transaction, as `store.commits$` emits it: after it is durable and after the
 * refs show it, in sequence order.
 */
export interface Commit {
  /** The entry's sequence number. */
  readonly seq: number
  /** The transaction's name. */
  readonly name: string
  /** Its arguments, as the recipe saw them (decoded: Map, Set, Date, BigInt restored). */
  readonly args: readonly unknown[]
  /** Its journaled time, in milliseconds since the epoch. */
  readonly time: number
  /** The idempotency key it was dispatched with (`dispatchOnce`), if any. */
  readonly key?: string
  /**
   * With the store option `patches: true`: the Immer patches of each ref it changed, by ref
   * name. `applyPatches(previous[ref], patches[ref])` gives the ref's next value.
   */
  readonly patches?: Readonly<Record<string, readonly Patch[]>>
  /** With `patches: true`: the patches that undo it, by ref name. */
  readonly inversePatches?: Readonly<Record<string, readonly Patch[]>>
}

/** Groups root-level patches (paths starting with a ref name) by ref, paths made relative to it. */
export function patchesByRef(patches: readonly Patch[]): Record<string, Patch[]> {
  const byRef: Record<string, Patch[]> = {}
  for (const patch of patches) {
    const [ref, ...path] = patch.path
    ;(byRef[String(ref)] ??= []).push({ ...patch, path })
  }
  return byRef
}

/**
 * The store's commit stream: commits of a batch are staged while it is written, emitted only
 * once it is durable, and dropped if the write fails.
 * @internal
 */
export class CommitStream {
  readonly #subject = new Subject<Commit>()
  #staged: Commit[] = []

  /** The public, hot stream: a subscriber sees the commits made after it subscribed. */
  get commits$(): Observable<Commit> {
    return this.#subject.asObservable()
  }

  /** True while someone listens: otherwise the store does not even build commits. */
  get observed(): boolean {
    return this.#subject.observed
  }

  /** Holds a commit of the batch being written. */
  stage(commit: Commit): void {
    this.#staged.push(commit)
  }

  /** Emits the staged commits (call after they are durable and committed). */
  publish(): void {
    const staged = this.#staged
    this.#staged = []
    for (const commit of staged) this.#subject.next(commit)
  }

  /** Forgets the staged commits (their batch failed to be written). */
  discard(): void {
    this.#staged = []
  }

  /** Ends the stream (the store closed). */
  complete(): void {
    this.#subject.complete()
  }
}
