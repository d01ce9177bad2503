import { immerable } from 'immer'

// A fixed-depth hash trie of plain arrays: Immer drafts through it like any nested data, so a
// write copies one short path (3 × 64 slots + a leaf of a few entries) instead of the whole
// collection, and untouched nodes stay shared. A leaf is an array of key, value pairs sorted
// by key (`[k1, v1, k2, v2]`): V8 keeps arrays fast where objects keyed by arbitrary strings
// (null-prototype objects) fall into dictionary mode, slow to read, copy and walk; sorting
// makes a leaf's layout depend on its keys only, never on the order they arrived in.
const BITS = 6
const WIDTH = 1 << BITS
const MASK = WIDTH - 1
const DEPTH = 3

type Leaf<V> = Array<string | V>
type Node<V> = Array<Node<V> | Leaf<V> | undefined>

function hash(key: string): number {
  // FNV-1a over UTF-16 code units: cheap and well spread for short keys.
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function* leaves<V>(node: Node<V>, depth: number): Generator<Leaf<V>> {
  for (let i = 0; i < node.length; i++) {
    const child = node[i]
    if (child === undefined) continue
    if (depth === DEPTH - 1) yield child as Leaf<V>
    else yield* leaves(child as Node<V>, depth + 1)
  }
}

/**
 * A keyed collection for large state: string keys to values, with structural sharing.
 * Inside a recipe it is changed in place (`state.accounts.set(id, a)`, `state.accounts.get(id)!.balance -= 5`)
 * and a transaction pays for the few nodes on its keys' paths, not for the collection's size:
 * a transfer costs the same with a thousand accounts or a million. It round-trips through the
 * journal and snapshots as a plain object of its entries.
 *
 * Trade-offs against a plain object or Map: iteration order is by key hash, not insertion;
 * keys are strings; a tiny collection uses a little more memory (a few 64-slot arrays).
 *
 * @example
 * const bank = defineStore({
 *   refs: { accounts: new Collection<{ balance: number }>() },
 *   transactions: {
 *     open(state, id: string) { state.accounts.set(id, { balance: 0 }) },
 *     deposit(state, id: string, amount: number) { state.accounts.get(id)!.balance += amount },
 *   },
 * })
 */
export class Collection<V> {
  static readonly [immerable] = true
  /** Number of entries. */
  size = 0
  /** @internal the trie's root (public only so Immer can draft through it). */
  root: Node<V> = []

  /** A collection holding the entries of `source` (an object, a Map or [key, value] pairs). */
  static from<V>(source: Record<string, V> | Iterable<readonly [string, V]>): Collection<V> {
    const collection = new Collection<V>()
    const entries = Symbol.iterator in source ? (source as Iterable<readonly [string, V]>) : Object.entries(source)
    for (const [key, value] of entries) collection.set(key, value)
    return collection
  }

  /** The value at `key`, or undefined. */
  get(key: string): V | undefined {
    const leaf = leafOf(this, key, false)
    if (leaf === undefined) return undefined
    const i = find(leaf, key)
    return i < 0 ? undefined : (leaf[i + 1] as V)
  }

  /** Whether `key` has a value. */
  has(key: string): boolean {
    const leaf = leafOf(this, key, false)
    return leaf !== undefined && find(leaf, key) >= 0
  }

  /** Sets `key` to `value` (inside a recipe). @throws TypeError on a committed (frozen) collection. */
  set(key: string, value: V): this {
    assertWritable(this)
    const leaf = leafOf(this, key, true) as Leaf<V>
    const i = find(leaf, key)
    if (i >= 0) {
      leaf[i + 1] = value
    } else {
      leaf.splice(~i, 0, key, value)
      this.size++
    }
    return this
  }

  /** Removes `key`; returns whether it was there (inside a recipe). @throws TypeError on a committed (frozen) collection. */
  delete(key: string): boolean {
    assertWritable(this)
    const leaf = leafOf(this, key, false)
    const i = leaf === undefined ? -1 : find(leaf, key)
    if (i < 0) return false
    leaf!.splice(i, 2)
    this.size--
    return true
  }

  /** Every [key, value] pair, in key-hash order (keys of one hash bucket in string order). */
  *entries(): IterableIterator<[string, V]> {
    for (const leaf of leaves(this.root, 0)) for (let i = 0; i < leaf.length; i += 2) yield [leaf[i] as string, leaf[i + 1] as V]
  }

  /** Every key, in key-hash order. */
  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key
  }

  /** Every value, in key-hash order. */
  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries()
  }

  /** Calls `fn` for each entry. */
  forEach(fn: (value: V, key: string) => void): void {
    for (const [key, value] of this.entries()) fn(value, key)
  }

  /** The entries as a plain object (how the collection is serialized). */
  toObject(): Record<string, V> {
    const out: Record<string, V> = {}
    for (const [key, value] of this.entries()) out[key] = value
    return out
  }

  /** Serialized as its entries, so `JSON.stringify` gives a readable object. */
  toJSON(): Record<string, V> {
    return this.toObject()
  }

  /**
   * Shown as its entries by Node's `util.inspect` and `console.log` (`Collection(2) { a: 1, b: 2 }`),
   * never as the trie inside. A symbol from the global registry: the core imports no Node module.
   */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number, options: { depth?: number | null }, inspect: (value: unknown, options: unknown) => string): string {
    if (depth < 0) return `[Collection(${this.size})]`
    return `Collection(${this.size}) ${inspect(this.toObject(), { ...options, depth: options.depth == null ? null : options.depth - 1 })}`
  }
}

// A function, not a private method: inside a recipe `this` is an Immer proxy, which has no private brand.
function leafOf<V>(collection: Collection<V>, key: string, create: boolean): Leaf<V> | undefined {
  let h = hash(key)
  let node = collection.root
  for (let depth = 0; depth < DEPTH - 1; depth++) {
    let child = node[h & MASK] as Node<V> | undefined
    if (child === undefined) {
      if (!create) return undefined
      child = []
      node[h & MASK] = child
      child = node[h & MASK] as Node<V>
    }
    node = child
    h >>>= BITS
  }
  let leaf = node[h & MASK] as Leaf<V> | undefined
  if (leaf === undefined && create) {
    node[h & MASK] = []
    leaf = node[h & MASK] as Leaf<V>
  }
  return leaf
}

/** The index of `key` in a leaf, or, when it is absent, `~index` of where it belongs (pairs sorted by key). */
function find<V>(leaf: Leaf<V>, key: string): number {
  let i = 0
  for (; i < leaf.length; i += 2) {
    const k = leaf[i] as string
    if (k === key) return i
    if (k > key) break
  }
  return ~i
}

// The trie's nodes are not frozen (V8 copies and freezes frozen arrays slowly, and a
// transaction copies a few nodes each time): a committed collection is frozen itself, and
// its mutators check that, so its nodes are reachable for writing only through a draft.
function assertWritable(collection: Collection<unknown>): void {
  if (Object.isFrozen(collection)) throw new TypeError('prevalent: this Collection is committed state and cannot change; change it inside a recipe')
}

/**
 * Calls `fn` with each value of `next` that is not the very value `previous` holds at the
 * same place, walking both tries side by side and skipping shared nodes untouched.
 * @internal
 */
export function forEachChangedValue<V>(next: Collection<V>, previous: Collection<V> | undefined, fn: (value: V, before: V | undefined) => void): void {
  walkChanged(next.root, previous?.root, 0, fn)
}

function walkChanged<V>(node: Node<V>, before: Node<V> | undefined, depth: number, fn: (value: V, before: V | undefined) => void): void {
  const last = depth === DEPTH - 1
  for (let i = 0, n = node.length; i < n; i++) {
    const child = node[i]
    if (child === undefined) continue
    const old = before === undefined ? undefined : before[i]
    if (child === old) continue
    if (!last) {
      walkChanged(child as Node<V>, old as Node<V> | undefined, depth + 1, fn)
      continue
    }
    const leaf = child as Leaf<V>
    const oldLeaf = old as Leaf<V> | undefined
    for (let j = 0; j < leaf.length; j += 2) {
      const value = leaf[j + 1] as V
      // The same key at the same place is the common case; otherwise look it up.
      let previous: V | undefined
      if (oldLeaf !== undefined) {
        const at = oldLeaf[j] === leaf[j] ? j : find(oldLeaf, leaf[j] as string)
        previous = at < 0 ? undefined : (oldLeaf[at + 1] as V)
      }
      if (value !== previous) fn(value, previous)
    }
  }
}
