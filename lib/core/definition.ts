import type { Drafted } from './state-types.js'
import { StoreError } from './errors.js'
import type { TxContext } from './context.js'

/** The state of a store: one key per ref. */
export type RefValues = Record<string, unknown>

/**
 * A named transaction: an Immer recipe over a draft of every ref, plus arguments that
 * serialize. It must be deterministic (use `this` — a {@link TxContext} — for time, ids and
 * randomness) and synchronous. Whatever it returns is handed back to the caller of `dispatch`.
 */
export type Recipe<S extends RefValues> = (this: TxContext, state: Drafted<S>, ...args: any[]) => unknown

/** The transactions of a store, by name. */
export type Transactions<S extends RefValues> = Record<string, Recipe<S>>

/** The arguments a transaction takes (after the state). */
export type TransactionArgs<F> = F extends (this: any, state: any, ...args: infer A) => any ? A : never

/** What a transaction's recipe returns to its caller. */
export type TransactionResult<F> = F extends (this: any, ...args: any[]) => infer R ? R : never

/** A store's refs with their initial values, and its transactions: declared once, typed throughout. */
export interface StoreDefinition<S extends RefValues, T extends Transactions<S>> {
  /** Initial value of each ref. */
  readonly refs: S
  /** The named transactions. */
  readonly transactions: T
}

/**
 * Declares a store: its refs (with initial values) and its named transactions. Recipes get
 * a draft of all refs, the dispatch arguments, and `this` as the transaction context.
 *
 * @throws StoreError `INVALID_DEFINITION` when refs is not a plain object or a transaction is not a function.
 * @example
 * export const counter = defineStore({
 *   refs: { x: 0, y: 0 },
 *   transactions: {
 *     add(state, dx: number, dy: number) { state.x += dx; state.y += dy },
 *     stamp(state) { return this.id() },
 *   },
 * })
 */
export function defineStore<S extends RefValues, T extends Transactions<S>>(definition: {
  refs: S
  transactions: T & ThisType<TxContext>
}): StoreDefinition<S, T> {
  const { refs, transactions } = definition
  if (refs === null || typeof refs !== 'object' || Array.isArray(refs)) {
    throw new StoreError('INVALID_DEFINITION', `refs must be a plain object of initial values, got ${Array.isArray(refs) ? 'an array' : typeof refs}`)
  }
  for (const [name, recipe] of Object.entries(transactions ?? {})) {
    if (typeof recipe !== 'function') throw new StoreError('INVALID_DEFINITION', `transaction "${name}" must be a function, got ${typeof recipe}`, { transaction: name })
  }
  return { refs, transactions }
}
