import type { Observable } from 'rxjs'
import type { Commit } from './commits.js'
import type { RefValues, StoreDefinition, TransactionArgs, TransactionResult, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import { FollowerState } from './follower-state.js'
import { FollowerTail } from './follower-tail.js'
import type { OnceReceipt } from './idempotency.js'
import { MetricsRecorder, type StoreMetrics } from './metrics.js'
import type { Frozen } from './state-types.js'
import type { Receipt, Refs, Store, StoreOptions, StoreWarning } from './store-api.js'
import type { JournalStorage, SnapshotInfo } from './storage.js'
import type { FollowerWarning } from './follower-warning.js'

export type { FollowerWarning } from './follower-warning.js'

/** What a follower measured: the store's counters, plus how far behind the writer it is. */
export interface FollowerMetrics extends StoreMetrics {
  /** `'follower'` while it follows; `'writer'` once a standby took over. */
  readonly role: 'follower' | 'writer'
  readonly lag: {
    /** Acknowledged entries the follower has not applied yet (as far as it knows). */
    readonly entries: number
    /** For the last run applied: from the journaled time of its last entry to when the follower showed it. */
    readonly ms: number
  }
}

/** A standby: a follower that takes over once the writer's lease (or lock) is free. */
export interface StandbyOptions {
  /** Makes the storage to write through, a fresh one for each attempt (the file journal: same directory). */
  readonly storage: () => JournalStorage
  /** How often it tries to take over (default 250 ms). */
  readonly pollMs?: number
  /** Options of the store it becomes (durability, snapshots, …). */
  readonly store?: Omit<StoreOptions, 'storage'>
  /** Told once it writes. */
  readonly onPromoted?: () => void
}

/** Options of {@link createFollower}. */
export interface FollowerOptions {
  /** The journal to follow (it needs `tail`). It is opened read-only. */
  readonly storage: JournalStorage
  /** Given: the follower is a standby and takes over when the writer is gone. */
  readonly standby?: StandbyOptions
  /** How long to wait before tailing again after the storage failed (default 1000 ms). */
  readonly retryMs?: number
  /** Told about snapshots skipped, catch-ups from a snapshot, and tails restarted after a failure. Default `console.warn`. */
  readonly onWarning?: (warning: StoreWarning | FollowerWarning) => void
  /** Idempotency keys remembered (for a standby that takes over; default 10,000). */
  readonly idempotencyWindow?: number
}


/**
 * A live, read-only store: the state of a journal another store writes, kept up to date
 * through the same recipes. Made by {@link createFollower} (or `openFollower`).
 */
export interface Follower<S extends RefValues, T extends Transactions<S>> extends Store<S, T> {
  metrics(): FollowerMetrics
  /** Resolves once this standby writes (never for a plain follower). */
  readonly promoted: Promise<void>
}

/** @internal made by {@link createFollower}. */
export class FollowerStore<S extends RefValues, T extends Transactions<S>> implements Follower<S, T> {
  readonly #state: FollowerState<S>
  readonly #tail: FollowerTail<S>
  readonly #storage: JournalStorage
  readonly #metrics: MetricsRecorder
  #writer: Store<S, T> | null = null
  #closed = false

  /** @internal */
  constructor(state: FollowerState<S>, tail: FollowerTail<S>, storage: JournalStorage, metrics: MetricsRecorder) {
    this.#state = state
    this.#tail = tail
    this.#storage = storage
    this.#metrics = metrics
  }

  /** Becomes the writer's face: its state and commits now come from `writer`. @internal */
  takeOver(writer: Store<S, T>): void {
    this.#writer = writer
    writer.state$.subscribe((root) => {
      if (root !== this.#state.root) this.#state.show(root as S)
    })
    writer.commits$.subscribe((commit) => this.#state.forward(commit))
  }

  /** True once closed. @internal */
  get closed(): boolean {
    return this.#closed
  }

  get refs(): Refs<S> {
    return this.#state.refs
  }

  get state(): Frozen<S> {
    return (this.#writer?.state ?? this.#state.root) as Frozen<S>
  }

  get state$(): Observable<Frozen<S>> {
    return this.#state.state$
  }

  get seq(): number {
    return this.#writer?.seq ?? this.#state.seq
  }

  get halted(): StoreError | null {
    return this.#writer ? this.#writer.halted : this.#tail.halted
  }

  get commits$(): Observable<Commit> {
    return this.#state.commits$
  }

  get promoted(): Promise<void> {
    return this.#tail.promoted
  }

  select<R>(selector: (state: Frozen<S>) => R, compare?: (a: R, b: R) => boolean): Observable<R> {
    return this.#state.select(selector, compare)
  }

  metrics(): FollowerMetrics {
    const own = this.#writer?.metrics() ?? this.#metrics.read(0)
    const { at, time } = this.#state.lastApplied
    return { ...own, role: this.#writer ? 'writer' : 'follower', lag: { entries: Math.max(0, this.#tail.head - this.seq), ms: at === 0 ? 0 : Math.max(0, at - time) } }
  }

  dispatch<K extends keyof T & string>(name: K, ...args: TransactionArgs<T[K]>): Promise<Receipt<TransactionResult<T[K]>>> {
    if (this.#writer) return this.#writer.dispatch(name, ...args)
    return this.#refuse(String(name))
  }

  dispatchOnce<K extends keyof T & string>(key: string, name: K, ...args: TransactionArgs<T[K]>): Promise<OnceReceipt<TransactionResult<T[K]>>> {
    if (this.#writer) return this.#writer.dispatchOnce(key, name, ...args)
    return this.#refuse(String(name))
  }

  snapshot(): Promise<SnapshotInfo> {
    if (this.#writer) return this.#writer.snapshot()
    return this.#refuse('snapshot')
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#tail.stop()
    if (this.#writer) await this.#writer.close()
    await this.#storage.close()
    this.#state.complete()
  }

  async #refuse(name: string): Promise<never> {
    const call = name === 'snapshot' ? 'snapshot()' : `dispatch("${name}")`
    if (this.#closed) throw new StoreError('STORE_CLOSED', `${call} after close()`, { transaction: name })
    const holder = await this.#storage.holder?.().catch(() => null)
    const writer = holder ? `its writer (${holder})` : 'its writer (none holds it right now)'
    throw new StoreError('READ_ONLY', `${call} refused: this store follows the journal ${this.#storage.location} at seq ${this.seq}; send writes to ${writer}`, { transaction: name, location: this.#storage.location, seq: this.seq })
  }
}
