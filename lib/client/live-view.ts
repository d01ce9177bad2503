import { BehaviorSubject, filter, map, Observable, distinctUntilChanged } from 'rxjs'
import type { StoreError } from '../core/errors.js'

/**
 * A served view, live on the client: `value` is the last value received (undefined until the
 * first arrives), read synchronously; `subscribe` (RxJS) emits each new value, in commit order,
 * starting with the current one once there is one. Values are frozen and keep every unchanged
 * part by reference, so `a.x === b.x` tells whether `x` changed.
 *
 * @example
 * const mine = live.view('mine')
 * mine.subscribe((accounts) => render(accounts))
 */
export interface LiveView<T> extends Observable<T> {
  /** The view's name on the server. */
  readonly name: string
  /** The last value received, or undefined before the first. */
  readonly value: T | undefined
  /** The seq of the commit the value is at (0 before the first value). */
  readonly seq: number
  /** Why the server refused or stopped the subscription (`UNKNOWN_VIEW`, `VIEW_FAILED`), or null. */
  readonly error: StoreError | null
  /**
   * An observable of part of the value that emits only when that part changes.
   * @param compare equality of two selections (default `Object.is`).
   */
  select<R>(selector: (value: T) => R, compare?: (a: R, b: R) => boolean): Observable<R>
}

const NONE: unique symbol = Symbol('none')

/** @internal the connection's side of a {@link LiveView}. */
export class ClientView<T> extends Observable<T> implements LiveView<T> {
  readonly name: string
  readonly id: number
  readonly #subject = new BehaviorSubject<T | typeof NONE>(NONE)
  // Read by `value`: set before any view of a commit emits, so none reads another's old value.
  #current: T | typeof NONE = NONE
  #staged = false
  #seq = 0
  #error: StoreError | null = null

  constructor(name: string, id: number) {
    super((subscriber) => this.#subject.pipe(filter((value): value is T => value !== NONE)).subscribe(subscriber))
    this.name = name
    this.id = id
  }

  get value(): T | undefined {
    return this.#current === NONE ? undefined : this.#current
  }

  get seq(): number {
    return this.#seq
  }

  get error(): StoreError | null {
    return this.#error
  }

  /** Whether a value has arrived (a reconnect then resumes from `seq`). */
  get loaded(): boolean {
    return this.#current !== NONE
  }

  select<R>(selector: (value: T) => R, compare: (a: R, b: R) => boolean = Object.is): Observable<R> {
    return this.pipe(map(selector), distinctUntilChanged(compare))
  }

  /** Takes a new value without telling subscribers yet (a commit's views change together). */
  stage(value: T, seq: number): void {
    this.#current = value
    this.#seq = seq
    this.#error = null
    this.#staged = true
  }

  /** Tells subscribers of the staged value. */
  emit(): void {
    if (!this.#staged) return
    this.#staged = false
    this.#subject.next(this.#current)
  }

  /** Records the server's refusal. */
  fail(error: StoreError): void {
    this.#error = error
  }

  /** Ends the view (the connection closed for good). */
  complete(): void {
    this.#subject.complete()
  }
}
