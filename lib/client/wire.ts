import type { ReadonlyCollection } from '../core/state-types.js'

/**
 * How a value of the state looks once it has crossed the wire (JSON): a Collection or a Map
 * becomes an object of its entries, a Set an array, a Date its ISO string, a BigInt its
 * decimal string; everything is read-only. Views and transaction results are typed with it
 * on the client, so the page's code sees what it will actually receive.
 */
export type Wire<T> = unknown extends T
  ? unknown
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends bigint | Date
      ? string
      : T extends (...args: any[]) => any
        ? never
        : T extends ReadonlyCollection<infer V>
          ? { readonly [key: string]: Wire<V> }
          : T extends { entries(): Iterable<[string, infer V]>; toObject(): unknown }
            ? { readonly [key: string]: Wire<V> }
            : T extends ReadonlyMap<unknown, infer V>
              ? { readonly [key: string]: Wire<V> }
              : T extends ReadonlySet<infer V>
                ? readonly Wire<V>[]
                : T extends readonly (infer E)[]
                  ? readonly Wire<E>[]
                  : { readonly [K in keyof T]: Wire<T[K]> }
