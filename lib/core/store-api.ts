import type { Observable } from 'rxjs'
import type { Commit } from './commits.js'
import type { RefValues, TransactionArgs, TransactionResult, Transactions } from './definition.js'
import type { StoreError } from './errors.js'
import type { OnceReceipt, Receipt } from './receipt.js'
import type { JournalWarning } from './journal.js'
import type { SnapshotWarning } from './snapshot-warning.js'
import type { StoreMetrics } from './metrics.js'
import type { Ref } from './ref.js'
import type { ReplayMode } from './replay.js'
import type { Frozen } from './state-types.js'
import type { JournalStorage, SnapshotInfo } from './storage.js'

export type { Receipt } from './receipt.js'

/**
 * When `dispatch` resolves:
 * - `always` (default): after the entry's batch is fsynced (one fsync covers the whole batch);
 * - `interval`: once written to the OS; an fsync follows within `syncIntervalMs`;
 * - `none`: once written to the OS; fsync only at `close()`.
 */
export type Durability = 'always' | 'interval' | 'none'

/** What a store tells its `onWarning` about: a repair of the journal, or a snapshot skipped or failed. */
export type StoreWarning = JournalWarning | SnapshotWarning

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** Where the journal lives (the file journal, a memory journal, another backend). */
  readonly storage: JournalStorage
  /** When a dispatch is acknowledged (default `'always'`). */
  readonly durability?: Durability
  /** With `durability: 'interval'`, the longest time between fsyncs (default 1000 ms). */
  readonly syncIntervalMs?: number
  /**
   * Told about repairs made at open (torn last entry cut off), damaged snapshots skipped, and
   * automatic snapshots that failed. Default `console.warn`.
   */
  readonly onWarning?: (warning: StoreWarning) => void
  /** Damage before the last entry: `'refuse'` (default) or `'truncate'` there, losing the rest. */
  readonly onCorruption?: 'refuse' | 'truncate'
  /** Source of transaction times (default `Date.now`); times never go backwards. */
  readonly clock?: () => number
  /**
   * Deep-freeze committed values (default `true`). Only what a transaction created is frozen,
   * so the cost follows the change, not the state's size. With `false`, values are not frozen
   * at run time (types stay read-only): mutating one outside a recipe corrupts the store.
   */
  readonly freeze?: boolean
  /** How replay runs recipes at open (default `'plain'`; see {@link ReplayMode}). */
  readonly replay?: ReplayMode
  /** Attach each ref's Immer patches to the commits of `commits$` (default `false`: a little slower). */
  readonly patches?: boolean
  /**
   * How many idempotency keys (`dispatchOnce`) are remembered, newest first (default 10,000).
   * A retry whose key has been forgotten runs again.
   */
  readonly idempotencyWindow?: number
  /**
   * Most dispatches that may wait for a batch (default `Infinity`: unbounded). A batch takes
   * at most this many, so it also bounds the work of one write and one fsync.
   */
  readonly maxQueue?: number
  /**
   * What a dispatch meets when `maxQueue` dispatches are already waiting:
   * - `'wait'` (default): its promise stays pending until there is room, then it queues in
   *   arrival order; callers that await are slowed to the store's pace (parked calls still
   *   take memory, so callers that never await are not bounded);
   * - `'reject'`: it rejects at once with `QUEUE_FULL` and nothing is queued.
   */
  readonly whenFull?: 'wait' | 'reject'
  /**
   * Runs every recipe twice at dispatch (the second time with fresh arguments and the wall
   * clock moved) and refuses, with `NONDETERMINISTIC` naming the first differing path, a
   * dispatch whose two runs leave different states: a recipe that read `Date.now()`,
   * `new Date()` or `Math.random()` instead of its context. Default `false`; it doubles the
   * cost of every recipe, so turn it on in tests and development.
   */
  readonly checkDeterminism?: boolean
  /**
   * When snapshots are taken on their own (see {@link SnapshotPolicy}); `false` turns that off
   * (`store.snapshot()` still works). Only for storages that keep snapshots (the file journal does).
   */
  readonly snapshots?: SnapshotPolicy | false
  /** Told how far the replay at open has come, about once per MiB read (for logs and progress bars). */
  readonly onProgress?: (progress: OpenProgress) => void
  /**
   * The largest journal entry a dispatch may write, in bytes (default 64 MiB, at most 256 MiB):
   * a larger one is refused at `dispatch` with `ENTRY_TOO_LARGE`, so the journal stays readable.
   */
  readonly maxEntryBytes?: number
}

/**
 * When a store takes snapshots on its own, and what it keeps. The default takes one once the
 * journal has grown by 64 MiB since the last one (and by at least the last snapshot's size, so
 * writing snapshots never costs more than writing the journal): start-up then replays at most
 * that much journal, a few seconds, while a small store never pays for snapshots at all.
 */
export interface SnapshotPolicy {
  /** Take one after this many entries since the last (default: no entry count). */
  readonly everyEntries?: number
  /** Take one after this many journal bytes since the last (default 64 MiB). */
  readonly everyBytes?: number
  /** How many snapshots to keep, newest first (default 2: the newest, and one to fall back on if it is damaged). */
  readonly keep?: number
  /**
   * Remove journal segments whose entries are all in the oldest kept snapshot (default
   * `false`: the journal is the history of the system, kept whole for audits, point-in-time
   * replay and the journal tools; turn this on when disk matters more).
   */
  readonly pruneJournal?: boolean
}

/** How far the replay at open has come. */
export interface OpenProgress {
  /** `'snapshot'` while the newest snapshot is read, then `'journal'` while the entries after it are replayed. */
  readonly phase: 'snapshot' | 'journal'
  /** Sequence number reached. */
  readonly seq: number
  /** Bytes read so far in this phase. */
  readonly bytes: number
  /** Bytes to read in this phase, when the storage knows. */
  readonly totalBytes?: number
}

/** Each ref of a store, by name. */
export type Refs<S extends RefValues> = { readonly [K in keyof S]: Ref<Frozen<S[K]>> }

/**
 * A running prevalent store: refs to read and subscribe to, named transactions to dispatch.
 * Created by {@link createStore} (or `openStore` for a directory).
 */
export interface Store<S extends RefValues, T extends Transactions<S>> {
  /** The refs, by name. */
  readonly refs: Refs<S>
  /** Every ref's committed value, read together: one consistent, frozen snapshot. */
  readonly state: Frozen<S>
  /** The whole state, emitted once per commit: combinations of refs derived from it never glitch. */
  readonly state$: Observable<Frozen<S>>
  /** Sequence number of the last committed entry. */
  readonly seq: number
  /** Why the store stopped accepting writes, or `null` while it is healthy. */
  readonly halted: StoreError | null
  /**
   * Observes a selection over several refs; emits once per commit that changes it.
   * @param compare equality of two selections (default `Object.is`; see {@link shallowEqual}).
   */
  select<R>(selector: (state: Frozen<S>) => R, compare?: (a: R, b: R) => boolean): Observable<R>
  /**
   * Runs the named transaction: the recipe runs on the state so far, its entry is journaled
   * and made durable (per the durability policy), then every changed ref emits, then this resolves.
   *
   * @throws (rejects) StoreError `UNKNOWN_TRANSACTION`, `UNSERIALIZABLE_ARGUMENT`, `STORE_CLOSED`,
   * `STORE_HALTED`, `WRITE_FAILED`, `QUEUE_FULL`, `NONDETERMINISTIC`; or whatever the recipe threw (then nothing changed).
   * @example
   * const { seq, result } = await store.dispatch('add', 1, 2)
   */
  dispatch<K extends keyof T & string>(name: K, ...args: TransactionArgs<T[K]>): Promise<Receipt<TransactionResult<T[K]>>>
  /**
   * Like `dispatch`, with an idempotency key journaled in the entry: a retry with the same key
   * (also after a restart) resolves with the first outcome (`seq`, `result`, `duplicate: true`)
   * and applies nothing again. The last `idempotencyWindow` keys (default 10,000) are
   * remembered. A call whose recipe throws is not remembered, so its retry runs again. The entry
   * is journaled even when the recipe changes nothing, so that its key is kept.
   *
   * @throws (rejects) as `dispatch`; StoreError `INVALID_KEY` (not 1 to 256 characters),
   * `IDEMPOTENCY_CONFLICT` (the key was used for another transaction or other arguments).
   * @example
   * const { seq, duplicate } = await store.dispatchOnce(`order-${order.id}`, 'placeOrder', order)
   */
  dispatchOnce<K extends keyof T & string>(key: string, name: K, ...args: TransactionArgs<T[K]>): Promise<OnceReceipt<TransactionResult<T[K]>>>
  /**
   * Every committed transaction, in sequence order, emitted once it is durable and the refs
   * show it (hot: a subscriber sees commits made after it subscribed). With the option
   * `patches: true` each carries the Immer patches of the refs it changed.
   * @example
   * store.commits$.subscribe(({ seq, name, args }) => audit.write(seq, name, args))
   */
  readonly commits$: Observable<Commit>
  /** Counters of the write path and of the replay at open: commits/s, batch sizes, fsync latency, queue depth. */
  metrics(): StoreMetrics
  /**
   * Writes the whole state at the current sequence number as a snapshot, while dispatches go
   * on (the state is immutable, so it is captured at once and written in the background);
   * the journal continues in a new segment. Resolves once the snapshot is durable.
   * Calls made while one is being written wait for it, then take their own.
   *
   * @throws (rejects) StoreError `SNAPSHOT_FAILED` (the storage keeps no snapshots, or the write
   * failed: the journal is untouched and the store goes on), `STORE_CLOSED`, `STORE_HALTED`.
   * @example
   * const { seq, location, bytes } = await store.snapshot()
   */
  snapshot(): Promise<SnapshotInfo>
  /** Drains the queue, makes everything durable, releases the journal and completes the refs. Idempotent. */
  close(): Promise<void>
}

/** Equality of two objects' own keys by `Object.is`: for selections that build a new object each time. */
export function shallowEqual<V>(a: V, b: V): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => Object.hasOwn(b, k) && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
