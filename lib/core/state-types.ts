import type { Collection } from './collection.js'

type Primitive = string | number | boolean | bigint | symbol | undefined | null
type AnyFunction = (...args: any[]) => any

/** How a committed (frozen) value is typed for readers: read-only all the way down. */
export type Frozen<T> = unknown extends T
  ? T
  : T extends Primitive | AnyFunction | Date
  ? T
  : T extends Collection<infer V>
    ? ReadonlyCollection<V>
    : T extends ReadonlyMap<infer K, infer V>
      ? ReadonlyMap<Frozen<K>, Frozen<V>>
      : T extends ReadonlySet<infer V>
        ? ReadonlySet<Frozen<V>>
        : { readonly [K in keyof T]: Frozen<T[K]> }

/** How a value is typed inside a recipe: writable all the way down. */
export type Drafted<T> = unknown extends T
  ? T
  : T extends Primitive | AnyFunction | Date
  ? T
  : T extends Collection<infer V>
    ? CollectionDraft<V>
    : T extends ReadonlyMap<infer K, infer V>
      ? Map<Drafted<K>, Drafted<V>>
      : T extends ReadonlySet<infer V>
        ? Set<Drafted<V>>
        : { -readonly [K in keyof T]: Drafted<T[K]> }

/** The read-only view of a committed {@link Collection}. */
export interface ReadonlyCollection<V> extends Iterable<[string, Frozen<V>]> {
  readonly size: number
  get(key: string): Frozen<V> | undefined
  has(key: string): boolean
  keys(): IterableIterator<string>
  values(): IterableIterator<Frozen<V>>
  entries(): IterableIterator<[string, Frozen<V>]>
  forEach(fn: (value: Frozen<V>, key: string) => void): void
  toObject(): Record<string, Frozen<V>>
  toJSON(): Record<string, Frozen<V>>
}

/** A {@link Collection} inside a recipe: its values are drafts, changed in place. */
export interface CollectionDraft<V> extends Iterable<[string, Drafted<V>]> {
  readonly size: number
  get(key: string): Drafted<V> | undefined
  has(key: string): boolean
  set(key: string, value: V | Drafted<V>): this
  delete(key: string): boolean
  keys(): IterableIterator<string>
  values(): IterableIterator<Drafted<V>>
  entries(): IterableIterator<[string, Drafted<V>]>
  forEach(fn: (value: Drafted<V>, key: string) => void): void
  toObject(): Record<string, Drafted<V>>
}
