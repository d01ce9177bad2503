import { current, enablePatches, isDraft, type Immer } from 'immer'
import type { Frozen } from './state-types.js'
import { freezeChanged } from './freeze.js'
import { createImmer, initialState, Replayer, type ReplayMode } from './replay.js'
import { BehaviorSubject, distinctUntilChanged, map, type Observable } from 'rxjs'
import { encodeArgs, type EncodedArgs } from './codec.js'
import { CommitStream, patchesByRef, type Commit } from './commits.js'
import { TransactionContext } from './context.js'
import type { RefValues, StoreDefinition, TransactionArgs, TransactionResult, Transactions } from './definition.js'
import { checkDeterminism } from './determinism.js'
import { StoreError } from './errors.js'
import { checkKey, fingerprint, IdempotencyTable, type OnceReceipt } from './idempotency.js'
import { openJournal, type Journal, type JournalWarning } from './journal.js'
import { encodeEntry, type JournalEntry } from './journal-entry.js'
import { MetricsRecorder, type StoreMetrics } from './metrics.js'
import { StoreRef, type Ref } from './ref.js'
import type { JournalStorage } from './storage.js'
import { queueFull, queueLimits, WriteStream } from './write-stream.js'

/**
 * When `dispatch` resolves:
 * - `always` (default): after the entry's batch is fsynced (one fsync covers the whole batch);
 * - `interval`: once written to the OS; an fsync follows within `syncIntervalMs`;
 * - `none`: once written to the OS; fsync only at `close()`.
 */
export type Durability = 'always' | 'interval' | 'none'

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** Where the journal lives (the file journal, a memory journal, another backend). */
  readonly storage: JournalStorage
  /** When a dispatch is acknowledged (default `'always'`). */
  readonly durability?: Durability
  /** With `durability: 'interval'`, the longest time between fsyncs (default 1000 ms). */
  readonly syncIntervalMs?: number
  /** Told about repairs made at open (torn last entry cut off). Default `console.warn`. */
  readonly onWarning?: (warning: JournalWarning) => void
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
}

/** What a dispatch resolves with once its transaction is committed. */
export interface Receipt<R> {
  /** The entry's sequence number (for a transaction that changed nothing: the last one before it). */
  readonly seq: number
  /** Whatever the recipe returned. */
  readonly result: R
  /** False when the recipe changed nothing, so no entry was written. */
  readonly journaled: boolean
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

interface Call {
  readonly name: string
  readonly live: unknown[]
  readonly encoded: EncodedArgs
  readonly key?: string
  readonly resolve: (receipt: Receipt<unknown>) => void
  readonly reject: (error: unknown) => void
}

class PrevalentStore<S extends RefValues, T extends Transactions<S>> implements Store<S, T> {
  readonly refs: Refs<S>
  readonly #recipes: T
  readonly #immer: Immer
  readonly #journal: Journal
  readonly #durability: Durability
  readonly #syncIntervalMs: number
  readonly #clock: () => number
  readonly #freeze: boolean
  readonly #checkDeterminism: boolean
  readonly #subjects = new Map<string, BehaviorSubject<unknown>>()
  readonly #state$: BehaviorSubject<S>
  readonly #stream: WriteStream<Call>
  #root: S
  #seq: number
  #time = 0
  #halted: StoreError | null = null
  #closed = false
  #closing: Promise<void> | null = null
  #inRecipe = false
  #unsynced = false
  #syncTimer: ReturnType<typeof setTimeout> | null = null
  // Commit stream, metrics and idempotency keys: kept apart (commits.ts, metrics.ts, idempotency.ts).
  readonly #commits = new CommitStream()
  readonly #patches: boolean
  readonly #metrics: MetricsRecorder
  readonly #keys: IdempotencyTable

  constructor(definition: StoreDefinition<S, T>, immer: Immer, root: S, lastTime: number, journal: Journal, options: StoreOptions, extras: { metrics: MetricsRecorder; keys: IdempotencyTable }) {
    this.#recipes = definition.transactions
    this.#immer = immer
    this.#root = root
    this.#time = lastTime
    this.#journal = journal
    this.#seq = journal.lastSeq
    this.#durability = options.durability ?? 'always'
    this.#syncIntervalMs = options.syncIntervalMs ?? 1000
    this.#clock = options.clock ?? Date.now
    this.#freeze = options.freeze ?? true
    this.#patches = options.patches === true
    this.#metrics = extras.metrics
    this.#keys = extras.keys
    this.#checkDeterminism = options.checkDeterminism ?? false
    this.#state$ = new BehaviorSubject(root)
    const refs: Record<string, Ref<unknown>> = {}
    for (const name of Object.keys(definition.refs)) {
      const subject = new BehaviorSubject<unknown>(root[name])
      this.#subjects.set(name, subject)
      refs[name] = new StoreRef(name, subject, () => this.#root[name])
    }
    this.refs = Object.freeze(refs) as Refs<S>
    this.#stream = new WriteStream(
      (batch) => this.#process(batch),
      (batch, error) => {
        this.#halt(new StoreError('WRITE_FAILED', `a batch failed before it was acknowledged (${(error as Error)?.message ?? String(error)}); none of its calls took effect`, {}, { cause: error }))
        for (const call of batch) call.reject(this.#haltedError(call.name))
      },
      queueLimits(options),
    )
  }

  get state(): Frozen<S> {
    return this.#root as Frozen<S>
  }

  get state$(): Observable<Frozen<S>> {
    return this.#state$.asObservable() as Observable<Frozen<S>>
  }

  get seq(): number {
    return this.#seq
  }

  get halted(): StoreError | null {
    return this.#halted
  }

  get commits$(): Observable<Commit> {
    return this.#commits.commits$
  }

  metrics(): StoreMetrics {
    return this.#metrics.read(this.#stream.queued)
  }

  select<R>(selector: (state: Frozen<S>) => R, compare: (a: R, b: R) => boolean = Object.is): Observable<R> {
    return this.#state$.pipe(map((s) => selector(s as Frozen<S>)), distinctUntilChanged(compare))
  }

  dispatch<K extends keyof T & string>(name: K, ...args: TransactionArgs<T[K]>): Promise<Receipt<TransactionResult<T[K]>>> {
    return this.#enqueue(name, args, undefined) as Promise<Receipt<TransactionResult<T[K]>>>
  }

  dispatchOnce<K extends keyof T & string>(key: string, name: K, ...args: TransactionArgs<T[K]>): Promise<OnceReceipt<TransactionResult<T[K]>>> {
    if (this.#inRecipe || this.#closed) return this.#enqueue(name, args, key) as never
    try {
      checkKey(key, String(name))
    } catch (error) {
      return Promise.reject(error)
    }
    let print: string
    try {
      print = fingerprint(String(name), encodeArgs(String(name), args).encoded)
    } catch {
      // Unserializable arguments: let dispatch reject them with its own error.
      return this.#enqueue(name, args, key) as never
    }
    return this.#keys.run(key, String(name), print, () => this.#enqueue(name, args, key)) as Promise<OnceReceipt<TransactionResult<T[K]>>>
  }

  #enqueue(name: string, args: readonly unknown[], key: string | undefined): Promise<Receipt<unknown>> {
    // Inside a recipe a dispatch could never complete (the write stream waits for the recipe):
    // fail the recipe loudly instead of deadlocking.
    if (this.#inRecipe) throw new StoreError('DISPATCH_IN_RECIPE', `dispatch("${String(name)}") was called inside a recipe; recipes must not dispatch (return a value, or dispatch after the first one resolves)`, { transaction: String(name) })
    if (this.#closed) return Promise.reject(new StoreError('STORE_CLOSED', `dispatch("${String(name)}") after close(); open the store again to write`, { transaction: String(name) }))
    if (this.#halted) return Promise.reject(this.#haltedError(String(name)))
    if (typeof name !== 'string' || !Object.hasOwn(this.#recipes, name)) {
      const known = Object.keys(this.#recipes).join(', ')
      return Promise.reject(new StoreError('UNKNOWN_TRANSACTION', `dispatch(${JSON.stringify(name)}): expected one of the defined transactions (${known})`, { transaction: String(name) }))
    }
    let encoded: ReturnType<typeof encodeArgs>
    try {
      encoded = encodeArgs(name, args)
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise((resolve, reject) => {
      const queued = this.#stream.push({ name, live: encoded.live, encoded: encoded.encoded, key, resolve, reject })
      if (!queued) reject(queueFull(name, this.#stream.queued))
    })
  }

  close(): Promise<void> {
    this.#closed = true
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    await this.#stream.drained()
    this.#stream.stop()
    if (this.#syncTimer) clearTimeout(this.#syncTimer)
    try {
      if (!this.#halted && this.#unsynced) await this.#journal.sync()
    } finally {
      await this.#journal.close()
      for (const subject of this.#subjects.values()) subject.complete()
      this.#state$.complete()
      this.#commits.complete()
    }
  }

  /** One batch: produce → nothing changed? done → journal → durable → commit → emit → resolve. */
  async #process(batch: Call[]): Promise<void> {
    if (this.#halted) {
      for (const call of batch) call.reject(this.#haltedError(call.name))
      return
    }
    const time = (this.#time = Math.max(this.#time, this.#clock()))
    let root = this.#root
    let seq = this.#seq
    let lines = ''
    const done: Array<{ call: Call; receipt: Receipt<unknown> }> = []
    const iso = new Date(time).toISOString()
    const observed = this.#commits.observed
    for (const call of batch) {
      // Each recipe runs on the state left by the ones before it in this batch.
      const next = this.#run(root, call, seq + 1, time)
      if (next === null) continue
      // A keyed call is journaled even if it changed nothing: its key must survive a restart.
      const journaled = next.root !== root || call.key !== undefined
      if (journaled) {
        seq++
        root = next.root
        lines += encodeEntry(seq, iso, call.name, call.encoded, call.key)
        if (observed) this.#commits.stage({ seq, name: call.name, args: call.live, time, ...(call.key === undefined ? {} : { key: call.key }), ...next.patches })
      }
      done.push({ call, receipt: { seq, result: next.result, journaled } })
    }
    if (lines !== '') {
      // (D)urability: nothing is committed or acknowledged before the policy says it is on disk.
      try {
        await this.#journal.writeLines(lines, seq)
        if (this.#durability === 'always') await this.#timedSync()
        else this.#markUnsynced()
      } catch (error) {
        this.#commits.discard()
        this.#halt(error)
        for (const { call } of done) call.reject(this.#halted)
        return
      }
      const committed = seq - this.#seq
      this.#commit(root, seq)
      this.#commits.publish()
      this.#metrics.batch(batch.length, committed)
    } else {
      this.#metrics.batch(batch.length, 0)
    }
    for (const { call, receipt } of done) call.resolve(receipt)
  }

  async #timedSync(): Promise<void> {
    const started = performance.now()
    await this.#journal.sync()
    this.#metrics.sync(performance.now() - started)
  }

  /** Runs one recipe; returns the new root (same object when nothing changed), or null after rejecting the call. */
  #run(root: S, call: Call, seq: number, time: number): { root: S; result: unknown; patches?: Pick<Commit, 'patches' | 'inversePatches'> } | null {
    const recipe = this.#recipes[call.name]
    const ctx = new TransactionContext(seq, time)
    let result: unknown
    try {
      this.#inRecipe = true
      // The recipe's return value goes to the caller, not to Immer (so returning a value never
      // replaces the state); a returned draft is copied out before it is revoked.
      const produce = (draft: unknown): void => {
        const value = recipe.call(ctx, draft as never, ...call.live)
        result = isDraft(value) ? current(value) : value
      }
      let next: S
      let patches: Pick<Commit, 'patches' | 'inversePatches'> | undefined
      if (this.#patches) {
        const [produced, forward, inverse] = this.#immer.produceWithPatches(root, produce)
        next = produced as S
        patches = { patches: patchesByRef(forward), inversePatches: patchesByRef(inverse) }
      } else {
        next = this.#immer.produce(root, produce)
      }
      if (this.#freeze && next !== root) freezeChanged(next, root)
      if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
        throw new StoreError('ASYNC_RECIPE', `transaction "${call.name}" returned a promise; recipes must be synchronous (do async work before dispatch)`, { transaction: call.name })
      }
      if (this.#checkDeterminism) checkDeterminism(this.#immer, recipe, root, next, call.name, call.encoded, seq, time)
      return { root: next, result, patches }
    } catch (error) {
      // A recipe that throws changes nothing: its draft is discarded, nothing is journaled.
      call.reject(error)
      return null
    } finally {
      this.#inRecipe = false
    }
  }

  #commit(root: S, seq: number): void {
    const previous = this.#root
    // Swap the root first so that, while refs emit, every ref already reads the new state.
    this.#root = root
    this.#seq = seq
    for (const [name, subject] of this.#subjects) {
      if (root[name] !== previous[name]) subject.next(root[name])
    }
    this.#state$.next(root)
  }

  #markUnsynced(): void {
    this.#unsynced = true
    if (this.#durability !== 'interval' || this.#syncTimer) return
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null
      if (this.#halted || !this.#unsynced) return
      this.#unsynced = false
      this.#timedSync().catch((error: unknown) => this.#halt(error))
    }, this.#syncIntervalMs)
    this.#syncTimer.unref?.()
  }

  #halt(error: unknown): void {
    this.#halted ??= error instanceof StoreError ? error : new StoreError('WRITE_FAILED', `journal write failed: ${String(error)}`, {}, { cause: error })
  }

  #haltedError(name: string): StoreError {
    const cause = this.#halted as StoreError
    return new StoreError('STORE_HALTED', `dispatch("${name}") refused: the store halted after a failed write (${cause.message}); reopen it once the cause is fixed`, { transaction: name }, { cause })
  }
}

/**
 * Opens a store on a journal storage: replays every entry through the definition's recipes,
 * then accepts dispatches. Use `openStore(definition, { dir })` for the file journal.
 *
 * @throws StoreError `LOCKED`, `JOURNAL_CORRUPT`, `UNKNOWN_TRANSACTION` (an entry names a
 * transaction the definition lacks), `REPLAY_FAILED` (a recipe threw during replay).
 * @example
 * const store = await createStore(counter, { storage: new MemoryJournalStorage() })
 * await store.dispatch('add', 1, 2)
 */
export async function createStore<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: StoreOptions,
): Promise<Store<S, T>> {
  queueLimits(options) // refuses bad options before the journal is opened
  if (options.patches) enablePatches()
  const immer = createImmer()
  const shouldFreeze = options.freeze ?? true
  const keys = new IdempotencyTable(options.idempotencyWindow)
  const started = performance.now()
  const replayer = new Replayer(definition, immer, initialState(definition, shouldFreeze), options.storage.location, options.replay ?? 'plain')
  // A keyed entry's outcome is remembered, for a retry after this restart.
  const remember = (entry: JournalEntry, result: unknown): void =>
    keys.remember(entry.key as string, fingerprint(entry.name, encodeArgs(entry.name, entry.args).encoded), { seq: entry.seq, result, journaled: true })
  const journal = await openJournal(options.storage, { replay: (entries) => replayer.apply(entries, remember), onWarning: options.onWarning, onCorruption: options.onCorruption })
  const root = replayer.finish(shouldFreeze)
  const metrics = new MetricsRecorder({ entries: journal.lastSeq, ms: performance.now() - started })
  return new PrevalentStore(definition, immer, root, replayer.time, journal, options, { metrics, keys })
}
