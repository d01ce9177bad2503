import type { Immer } from 'immer'
import { BehaviorSubject, distinctUntilChanged, map, type Observable } from 'rxjs'
import { encodeArgs, type EncodedArgs } from './codec.js'
import { CommitStream, type Commit } from './commits.js'
import type { RefValues, StoreDefinition, TransactionArgs, TransactionResult, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import { checkKey, fingerprint, IdempotencyTable, type OnceReceipt } from './idempotency.js'
import type { Journal } from './journal.js'
import { encodeEntry } from './journal-entry.js'
import { utf8Length } from './journal-scan.js'
import { MetricsRecorder, type StoreMetrics } from './metrics.js'
import { runRecipe, type RunOptions, type RunOutcome } from './recipe-run.js'
import { StoreRef, type Ref } from './ref.js'
import { Snapshotter } from './snapshots.js'
import type { Frozen } from './state-types.js'
import type { Durability, Receipt, Refs, Store, StoreOptions } from './store-api.js'
import type { SnapshotInfo } from './storage.js'
import { queueFull, queueLimits, WriteStream } from './write-stream.js'

/** A batch stops taking calls once its entries reach this many bytes, or this many entries. */
const BATCH_BYTES = 8 * 1024 * 1024
const BATCH_ENTRIES = 16_384
const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024

interface Call {
  readonly name: string
  readonly live: unknown[]
  readonly encoded: EncodedArgs
  /** Bytes of the encoded arguments (the entry is this plus a few dozen). */
  readonly bytes: number
  readonly key?: string
  readonly resolve: (receipt: Receipt<unknown>) => void
  readonly reject: (error: unknown) => void
}

/** What {@link PrevalentStore} starts from: the replayed state and the parts opened for it. @internal */
export interface StoreParts<S> {
  readonly immer: Immer
  readonly root: S
  readonly lastTime: number
  readonly journal: Journal
  readonly metrics: MetricsRecorder
  readonly keys: IdempotencyTable
  readonly snapshots: Snapshotter
  /** The journal replayed at open already calls for a snapshot (policy). */
  readonly snapshotDue?: boolean
}

/** The running store behind {@link Store}: one write stream, refs over its committed root. @internal */
export class PrevalentStore<S extends RefValues, T extends Transactions<S>> implements Store<S, T> {
  readonly refs: Refs<S>
  readonly #recipes: T
  readonly #version: number
  readonly #run: RunOptions
  readonly #journal: Journal
  readonly #durability: Durability
  readonly #syncIntervalMs: number
  readonly #clock: () => number
  readonly #subjects = new Map<string, BehaviorSubject<unknown>>()
  readonly #state$: BehaviorSubject<S>
  readonly #stream: WriteStream<Call>
  readonly #commits = new CommitStream()
  readonly #metrics: MetricsRecorder
  readonly #keys: IdempotencyTable
  readonly #snapshots: Snapshotter
  readonly #onWarning: StoreOptions['onWarning']
  readonly #maxEntryBytes: number
  #root: S
  #seq: number
  #time: number
  #halted: StoreError | null = null
  #closed = false
  #closing: Promise<void> | null = null
  #inRecipe = false
  /** The journal rolled for a snapshot that is not written yet (or failed). */
  #rolledWithoutSnapshot = false
  #unsynced = false
  #syncTimer: ReturnType<typeof setTimeout> | null = null
  /** When the journal was last made durable (performance.now()), for the interval policy. */
  #lastSync = performance.now()

  constructor(definition: StoreDefinition<S, T>, parts: StoreParts<S>, options: StoreOptions) {
    this.#recipes = definition.transactions
    this.#version = definition.version ?? 1
    this.#run = { immer: parts.immer, freeze: options.freeze ?? true, patches: options.patches === true, checkDeterminism: options.checkDeterminism ?? false }
    this.#root = parts.root
    this.#time = parts.lastTime
    this.#journal = parts.journal
    this.#seq = parts.journal.lastSeq
    this.#metrics = parts.metrics
    this.#keys = parts.keys
    this.#snapshots = parts.snapshots
    this.#durability = options.durability ?? 'always'
    this.#syncIntervalMs = options.syncIntervalMs ?? 1000
    this.#clock = options.clock ?? Date.now
    this.#onWarning = options.onWarning
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    this.#state$ = new BehaviorSubject(parts.root)
    const refs: Record<string, Ref<unknown>> = {}
    for (const name of Object.keys(definition.refs)) {
      const subject = new BehaviorSubject<unknown>(parts.root[name])
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
    if (parts.snapshotDue) this.#autoSnapshot()
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

  snapshot(): Promise<SnapshotInfo> {
    if (this.#closed) return Promise.reject(new StoreError('STORE_CLOSED', 'snapshot() after close(); open the store again'))
    if (this.#halted) return Promise.reject(this.#haltedError('snapshot'))
    // Captured alone on the write path: the journal rolls to a new segment at exactly this seq.
    return this.#snapshots.take(() =>
      this.#stream.exclusive(async () => {
        if (this.#halted) throw this.#haltedError('snapshot')
        // After a snapshot that failed once its segment was rolled, the journal stays in that
        // segment: repeated failures must not leave a segment per attempt.
        try {
          // The journal is durable up to the snapshot's seq before the snapshot is.
          if (this.#rolledWithoutSnapshot) await this.#journal.sync()
          else await this.#journal.roll()
        } catch (error) {
          // Only a failed fsync halts; a segment that could not be made leaves the journal where it was.
          if (!(error instanceof StoreError && error.code === 'SNAPSHOT_FAILED')) this.#halt(error)
          throw error
        }
        this.#rolledWithoutSnapshot = true
        return { state: this.#root, header: { seq: this.#seq, time: this.#time, version: this.#version }, keys: this.#keys.entries() }
      }),
    ).then((info) => {
      this.#rolledWithoutSnapshot = false
      return info
    })
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
    // Refused here, not at the write: an entry too large must neither halt the store nor make the journal unreadable.
    const bytes = utf8Length(encoded.encoded.json) + (encoded.encoded.meta === undefined ? 0 : utf8Length(encoded.encoded.meta)) + utf8Length(name) + (key === undefined ? 0 : utf8Length(key))
    if (bytes > this.#maxEntryBytes) {
      const expected = `at most ${this.#maxEntryBytes} bytes`
      return Promise.reject(new StoreError('ENTRY_TOO_LARGE', `dispatch("${name}") refused: its journal entry would take ${bytes} bytes; expected ${expected} (option maxEntryBytes); nothing was journaled and the store goes on`, { transaction: name, expected, arrived: `${bytes} bytes` }))
    }
    return new Promise((resolve, reject) => {
      const queued = this.#stream.push({ name, live: encoded.live, encoded: encoded.encoded, bytes, key, resolve, reject })
      if (!queued) reject(queueFull(name, this.#stream.queued))
    })
  }

  close(): Promise<void> {
    this.#closed = true
    // No new timer from here on; a timer's sync already queued runs on the write path, which close drains.
    if (this.#syncTimer) clearTimeout(this.#syncTimer)
    this.#syncTimer = null
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    await this.#stream.drained()
    await this.#snapshots.idle()
    // A snapshot's capture ran on the write path: drain it again before stopping.
    await this.#stream.drained()
    this.#stream.stop()
    try {
      if (!this.#halted && this.#unsynced) await this.#journal.sync()
    } finally {
      await this.#journal.close()
      for (const subject of this.#subjects.values()) subject.complete()
      this.#state$.complete()
      this.#commits.complete()
    }
  }

  /**
   * One batch: produce → nothing changed? done → journal → durable → commit → emit → resolve.
   * A batch is bounded (bytes and entries): the calls past the bound are handed back for the next one.
   */
  async #process(batch: Call[]): Promise<Call[] | void> {
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
    let bytes = 0
    let taken = 0
    for (const call of batch) {
      if (bytes >= BATCH_BYTES || taken >= BATCH_ENTRIES) break
      taken++
      bytes += call.bytes
      // Each recipe runs on the state left by the ones before it in this batch.
      const next = this.#runCall(root, call, seq + 1, time)
      if (next === null) continue
      // A keyed call is journaled even if it changed nothing: its key must survive a restart.
      const journaled = next.root !== root || call.key !== undefined
      if (journaled) {
        seq++
        root = next.root
        lines += encodeEntry(seq, iso, call.name, call.encoded, call.key, this.#version)
        if (observed) this.#commits.stage({ seq, name: call.name, args: call.live, time, ...(call.key === undefined ? {} : { key: call.key }), ...next.patches })
      }
      done.push({ call, receipt: { seq, result: next.result, journaled } })
    }
    const left = taken < batch.length ? batch.slice(taken) : undefined
    if (lines !== '') {
      // (D)urability: nothing is committed or acknowledged before the policy says it is on disk.
      try {
        await this.#journal.writeLines(lines, seq)
        // 'interval': the write path itself syncs once the interval has passed, so the bound
        // holds however busy it is (a timer covers the quiet times).
        if (this.#durability === 'always' || (this.#durability === 'interval' && performance.now() - this.#lastSync >= this.#syncIntervalMs)) await this.#timedSync()
        else this.#markUnsynced()
      } catch (error) {
        this.#commits.discard()
        this.#halt(error)
        for (const { call } of done) call.reject(this.#halted)
        return left
      }
      const committed = seq - this.#seq
      this.#commit(root, seq)
      this.#commits.publish()
      this.#metrics.batch(taken, committed)
      this.#rememberKeys(done)
      if (this.#snapshots.journaled(committed, lines.length)) this.#autoSnapshot()
    } else {
      this.#metrics.batch(taken, 0)
    }
    for (const { call, receipt } of done) call.resolve(receipt)
    return left
  }

  /** Keys are remembered as they commit, so a snapshot taken between batches holds every one. */
  #rememberKeys(done: ReadonlyArray<{ call: Call; receipt: Receipt<unknown> }>): void {
    for (const { call, receipt } of done) if (call.key !== undefined && receipt.journaled) this.#keys.remember(call.key, fingerprint(call.name, call.encoded), receipt)
  }

  #autoSnapshot(): void {
    this.snapshot().catch((error: unknown) => {
      if (this.#closed || this.#halted) return
      // The next automatic attempt waits for the policy's amount again, doubled per failure.
      const after = this.#snapshots.backOff()
      const message = `automatic snapshot failed: ${(error as Error)?.message ?? String(error)}; the journal goes on, the next attempt after ${after}`
      const warning = { code: 'SNAPSHOT_FAILED' as const, message, location: this.#journal.location }
      if (this.#onWarning) this.#onWarning(warning)
      else console.warn(`prevalent: ${message}`)
    })
  }

  async #timedSync(): Promise<void> {
    const started = performance.now()
    this.#unsynced = false
    await this.#journal.sync()
    this.#lastSync = performance.now()
    this.#metrics.sync(this.#lastSync - started)
  }

  /** Runs one recipe; returns its outcome, or null after rejecting the call (a recipe that throws changes nothing). */
  #runCall(root: S, call: Call, seq: number, time: number): RunOutcome<S> | null {
    try {
      this.#inRecipe = true
      return runRecipe(this.#run, this.#recipes[call.name], call.name, root, call.live, call.encoded, seq, time)
    } catch (error) {
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
    if (this.#durability !== 'interval' || this.#syncTimer || this.#closed) return
    const due = Math.max(0, this.#syncIntervalMs - (performance.now() - this.#lastSync))
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null
      // On the write path, so it never overlaps an append, and close() waits for it.
      this.#stream
        .exclusive(async () => {
          if (!this.#halted && this.#unsynced) await this.#timedSync()
        })
        .catch((error: unknown) => this.#halt(error))
    }, due)
    this.#syncTimer.unref?.()
  }

  #halt(error: unknown): void {
    this.#halted ??= error instanceof StoreError ? error : new StoreError('WRITE_FAILED', `journal write failed: ${String(error)}`, {}, { cause: error })
  }

  #haltedError(name: string): StoreError {
    const cause = this.#halted as StoreError
    return new StoreError('STORE_HALTED', `${name === 'snapshot' ? 'snapshot()' : `dispatch("${name}")`} refused: the store halted after a failed write (${cause.message}); reopen it once the cause is fixed`, { transaction: name }, { cause })
  }
}
