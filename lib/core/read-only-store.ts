import type { Frozen } from './state-types.js'
import { BehaviorSubject, distinctUntilChanged, map, Subject, type Observable } from 'rxjs'
import type { Commit } from './commits.js'
import type { RefValues, StoreDefinition, TransactionArgs, TransactionResult, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import type { OnceReceipt } from './idempotency.js'
import { MetricsRecorder, type StoreMetrics } from './metrics.js'
import { StoreRef, type Ref } from './ref.js'
import type { Receipt, Refs, Store } from './store-api.js'
import type { SnapshotInfo } from './storage.js'

/**
 * A store fixed at one state (a point in a journal's history): readable and subscribable like
 * a live one, but every write rejects with `READ_ONLY`. Holds no journal and no lock.
 * @internal made by `createStoreAt` / `openStoreAt`.
 */
export class ReadOnlyStore<S extends RefValues, T extends Transactions<S>> implements Store<S, T> {
  readonly refs: Refs<S>
  readonly seq: number
  readonly halted = null
  readonly #root: S
  readonly #location: string
  readonly #state$: BehaviorSubject<S>
  readonly #subjects: Array<BehaviorSubject<unknown>> = []
  readonly #commits = new Subject<Commit>()
  readonly #metrics: MetricsRecorder

  constructor(definition: StoreDefinition<S, T>, root: S, seq: number, location: string, replayMs: number) {
    this.#root = root
    this.#metrics = new MetricsRecorder({ entries: seq, ms: replayMs })
    this.seq = seq
    this.#location = location
    this.#state$ = new BehaviorSubject(root)
    const refs: Record<string, Ref<unknown>> = {}
    for (const name of Object.keys(definition.refs)) {
      const subject = new BehaviorSubject<unknown>(root[name])
      this.#subjects.push(subject)
      refs[name] = new StoreRef(name, subject, () => root[name])
    }
    this.refs = Object.freeze(refs) as Refs<S>
  }

  get state(): Frozen<S> {
    return this.#root as Frozen<S>
  }

  get state$(): Observable<Frozen<S>> {
    return this.#state$.asObservable() as Observable<Frozen<S>>
  }

  select<R>(selector: (state: Frozen<S>) => R, compare: (a: R, b: R) => boolean = Object.is): Observable<R> {
    return this.#state$.pipe(map((s) => selector(s as Frozen<S>)), distinctUntilChanged(compare))
  }

  dispatch<K extends keyof T & string>(name: K, ..._args: TransactionArgs<T[K]>): Promise<Receipt<TransactionResult<T[K]>>> {
    return Promise.reject(this.#readOnly(String(name)))
  }

  dispatchOnce<K extends keyof T & string>(_key: string, name: K, ..._args: TransactionArgs<T[K]>): Promise<OnceReceipt<TransactionResult<T[K]>>> {
    return Promise.reject(this.#readOnly(String(name)))
  }

  snapshot(): Promise<SnapshotInfo> {
    return Promise.reject(new StoreError('READ_ONLY', `snapshot() refused: this store was opened read-only at seq ${this.seq} of ${this.#location}`, { location: this.#location, seq: this.seq }))
  }

  /** Never emits: nothing is committed here. Completes on close. */
  get commits$(): Observable<Commit> {
    return this.#commits.asObservable()
  }

  metrics(): StoreMetrics {
    return this.#metrics.read(0)
  }

  async close(): Promise<void> {
    this.#commits.complete()
    for (const subject of this.#subjects) subject.complete()
    this.#state$.complete()
  }

  #readOnly(name: string): StoreError {
    return new StoreError('READ_ONLY', `dispatch("${name}") refused: this store was opened read-only at seq ${this.seq} of ${this.#location}; open it with openStore to write`, { transaction: name, location: this.#location, seq: this.seq })
  }
}
