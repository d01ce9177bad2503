import type { Immer } from 'immer'
import { decodeArgs, type EncodedArgs } from './codec.js'
import { TransactionContext, type TxContext } from './context.js'
import { StoreError } from './errors.js'

/** How far the clock is moved for the second run: a year and a millisecond, so every reading differs. */
const CLOCK_SHIFT = 366 * 86_400_000 + 1

/**
 * The first path at which two values differ (`state.accounts.a1.balance`, `state.log[3]`,
 * `state.index.get("k")`), or null when they are deep-equal. Plain objects, arrays, Map, Set
 * and Date are compared by content; everything else with `Object.is`.
 * @internal
 */
export function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (Object.is(a, b)) return null
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return path
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime()) ? null : path
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>
    if (a.size !== other.size) return `${path}.size`
    for (const [key, value] of a) {
      const at = `${path}.get(${JSON.stringify(String(key))})`
      if (!other.has(key)) return at
      const found = firstDifference(value, other.get(key), at)
      if (found) return found
    }
    return null
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>
    if (a.size !== other.size) return `${path}.size`
    if ([...a].every((item) => other.has(item))) return null
    // Objects in sets are new on each run: compare them in insertion order, by content.
    const right = [...other]
    let i = 0
    for (const item of a) {
      const found = firstDifference(item, right[i], `${path}<item ${i}>`)
      if (found) return found
      i++
    }
    return null
  }
  if (Array.isArray(a)) {
    const other = b as unknown[]
    if (a.length !== other.length) return `${path}.length`
    for (let i = 0; i < a.length; i++) {
      const found = firstDifference(a[i], other[i], `${path}[${i}]`)
      if (found) return found
    }
    return null
  }
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  for (const key of Object.keys(left)) {
    if (!Object.hasOwn(right, key)) return `${path}.${key}`
    const found = firstDifference(left[key], right[key], `${path}.${key}`)
    if (found) return found
  }
  for (const key of Object.keys(right)) if (!Object.hasOwn(left, key)) return `${path}.${key}`
  return null
}

/** Runs `run` with `Date.now()` and `new Date()` a year ahead, so a recipe that reads the clock sees another time. */
function withShiftedClock<T>(run: () => T): T {
  const RealDate = globalThis.Date
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + CLOCK_SHIFT)
      else super(...(args as [string | number]))
    }

    static override now(): number {
      return RealDate.now() + CLOCK_SHIFT
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor
  try {
    return run()
  } finally {
    globalThis.Date = RealDate
  }
}

/**
 * The determinism check of a store (`checkDeterminism: true`): runs the recipe a second time
 * on the same base state, with a fresh context of the same seq and time, freshly decoded
 * arguments (what a replay would see) and the wall clock moved, and compares the new state
 * with the first run's. A recipe that read `Date.now()`, `new Date()`, `Math.random()` or any
 * other outside input gives a different state.
 *
 * @throws StoreError `NONDETERMINISTIC` naming the transaction, seq and first differing path.
 * @internal
 */
export function checkDeterminism<S>(immer: Immer, recipe: (this: TxContext, state: never, ...args: any[]) => unknown, base: S, first: S, name: string, encoded: EncodedArgs, seq: number, time: number): void {
  const args = decodeArgs(JSON.parse(encoded.json), encoded.meta === undefined ? undefined : JSON.parse(encoded.meta))
  const ctx = new TransactionContext(seq, time)
  let second: S
  try {
    second = withShiftedClock(() => immer.produce(base, (draft) => void recipe.call(ctx, draft as never, ...args)))
  } catch (cause) {
    throw nondeterministic(name, seq, 'state', `it threw on the second run (${(cause as Error)?.message ?? String(cause)}) but not on the first`, cause)
  }
  const path = firstDifference(first, second, 'state')
  if (path !== null) throw nondeterministic(name, seq, path, `the two runs differ at ${path}`)
}

function nondeterministic(name: string, seq: number, path: string, what: string, cause?: unknown): StoreError {
  return new StoreError(
    'NONDETERMINISTIC',
    `transaction "${name}" (seq ${seq}) is not deterministic: expected the same state from two runs on the same state and context, but ${what}. Read time, randomness and ids from the context (this.time, this.date(), this.random(), this.id()), not from Date.now(), Math.random() or other outside input; the dispatch was refused and nothing was journaled`,
    { transaction: name, seq, path },
    cause === undefined ? undefined : { cause },
  )
}
