import { BehaviorSubject, distinctUntilChanged, map, Observable } from 'rxjs'

/**
 * One named piece of state: a read-only view of a `BehaviorSubject`. `value` is the last
 * committed, durable value, frozen, read with no lock and no await; `subscribe` and `pipe`
 * are RxJS. It emits only when a commit changed it.
 *
 * @example
 * store.refs.balance.subscribe((b) => render(b))
 * const now = store.refs.balance.value
 */
export interface Ref<T> extends Observable<T> {
  /** The ref's name (its key in the definition's `refs`). */
  readonly name: string
  /** The last committed value (frozen). Never waits. */
  readonly value: T
  /**
   * An observable of part of the value that emits only when that part changes.
   * @param compare equality of two selections (default `Object.is`).
   */
  select<R>(selector: (value: T) => R, compare?: (a: R, b: R) => boolean): Observable<R>
}

/** @internal a Ref whose value is read from the store's committed root. */
export class StoreRef<T> extends Observable<T> implements Ref<T> {
  readonly name: string
  readonly #subject: BehaviorSubject<T>
  readonly #read: () => T

  constructor(name: string, subject: BehaviorSubject<T>, read: () => T) {
    super((subscriber) => subject.subscribe(subscriber))
    this.name = name
    this.#subject = subject
    this.#read = read
  }

  get value(): T {
    // Read from the committed root (not the subject), so during any emission of a commit
    // every ref already reads its new value: no glitch between refs.
    return this.#read()
  }

  select<R>(selector: (value: T) => R, compare: (a: R, b: R) => boolean = Object.is): Observable<R> {
    return this.#subject.pipe(map(selector), distinctUntilChanged(compare))
  }
}
