import { BehaviorSubject, distinctUntilChanged, map, Subject, type Observable } from 'rxjs'
import { encodeArgs } from './codec.js'
import type { Commit } from './commits.js'
import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { fingerprint, IdempotencyTable } from './idempotency.js'
import type { JournalEntry } from './journal-entry.js'
import type { LoadedSnapshot } from './snapshots.js'
import { createImmer, initialState, Replayer } from './replay.js'
import { StoreRef, type Ref } from './ref.js'
import type { Frozen } from './state-types.js'
import type { Refs } from './store-api.js'

/**
 * The state a follower shows: refs and streams over a root that only ever moves forward by
 * whole runs of journal entries (each run applied, then every changed ref emitted, then its
 * commits), or jumps to a newer snapshot. Entries at or before the current seq are ignored, so
 * two readers (the tail and a takeover's replay) may hand it the same entries.
 * @internal
 */
export class FollowerState<S extends RefValues> {
  readonly refs: Refs<S>
  readonly keys: IdempotencyTable
  readonly #definition: StoreDefinition<S, Transactions<S>>
  readonly #location: string
  readonly #subjects = new Map<string, BehaviorSubject<unknown>>()
  readonly #state$: BehaviorSubject<S>
  readonly #commits = new Subject<Commit>()
  #replayer: Replayer<S>
  #root: S
  /** When the last run was applied, and the journaled time of its last entry. */
  lastApplied = { at: 0, time: 0 }

  constructor(definition: StoreDefinition<S, Transactions<S>>, location: string, idempotencyWindow?: number) {
    this.#definition = definition
    this.#location = location
    this.keys = new IdempotencyTable(idempotencyWindow)
    this.#root = initialState(definition, true)
    this.#replayer = new Replayer(definition, createImmer(), this.#root, location, 'immer')
    this.#state$ = new BehaviorSubject(this.#root)
    const refs: Record<string, Ref<unknown>> = {}
    for (const name of Object.keys(definition.refs)) {
      const subject = new BehaviorSubject<unknown>(this.#root[name])
      this.#subjects.set(name, subject)
      refs[name] = new StoreRef(name, subject, () => this.#root[name])
    }
    this.refs = Object.freeze(refs) as Refs<S>
  }

  get root(): S {
    return this.#root
  }

  get seq(): number {
    return this.#replayer.seq
  }

  get time(): number {
    return this.#replayer.time
  }

  get state$(): Observable<Frozen<S>> {
    return this.#state$.asObservable() as Observable<Frozen<S>>
  }

  get commits$(): Observable<Commit> {
    return this.#commits.asObservable()
  }

  select<R>(selector: (state: Frozen<S>) => R, compare: (a: R, b: R) => boolean = Object.is): Observable<R> {
    return this.#state$.pipe(map((s) => selector(s as Frozen<S>)), distinctUntilChanged(compare))
  }

  /** Starts over from a snapshot (at open, or when the entries after the current seq were removed). */
  reset(loaded: LoadedSnapshot): void {
    this.#replayer = new Replayer(this.#definition, createImmer(), loaded.state as S, this.#location, 'immer')
    this.#replayer.seq = loaded.header.seq
    this.#replayer.time = loaded.header.time
    for (const [key, print, receipt] of loaded.keys) this.keys.remember(key, print, receipt)
    this.show(this.#replayer.finish(true))
  }

  /**
   * Applies the entries after the current seq (which must follow on from it), then shows them.
   * @throws StoreError `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`; the state is then unchanged.
   */
  apply(entries: readonly JournalEntry[]): number {
    const fresh = entries.filter((entry) => entry.seq > this.#replayer.seq)
    if (fresh.length === 0) return 0
    this.#replayer.apply(fresh, (entry, result) => this.keys.remember(entry.key as string, fingerprint(entry.name, encodeArgs(entry.name, entry.args).encoded), { seq: entry.seq, result, journaled: true }))
    this.lastApplied = { at: Date.now(), time: this.#replayer.time }
    this.show(this.#replayer.finish(true))
    if (this.#commits.observed) for (const { seq, name, args, time, key } of fresh) this.#commits.next({ seq, name, args, time, ...(key === undefined ? {} : { key }) })
    return fresh.length
  }

  /** Shows a new root: swapped first, so every ref reads it while any of them emits. */
  show(root: S): void {
    const previous = this.#root
    this.#root = root
    for (const [name, subject] of this.#subjects) if (root[name] !== previous[name]) subject.next(root[name])
    this.#state$.next(root)
  }

  /** Emits a commit made by the writer this standby became. */
  forward(commit: Commit): void {
    this.#commits.next(commit)
  }

  complete(): void {
    for (const subject of this.#subjects.values()) subject.complete()
    this.#state$.complete()
    this.#commits.complete()
  }
}
