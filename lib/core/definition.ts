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

/** A journal entry as an upcaster sees it: the transaction's name and its decoded arguments. */
export interface EntryCall {
  readonly name: string
  readonly args: unknown[]
}

/**
 * What changed from the previous version to the one this migration is keyed by. Each part is
 * optional: a version that changed no state shape needs no `state`, one that renamed no
 * transaction needs no `entry`.
 */
export interface Migration {
  /**
   * Turns the state of a snapshot written at the previous version into this version's shape.
   * Gets a private, mutable copy of the state (one key per ref); may change it in place or
   * return a new one. Refs it leaves out get their initial values.
   */
  readonly state?: (state: Record<string, any>) => Record<string, unknown> | void
  /**
   * Turns a journal entry written at the previous version into one this version's recipes
   * take: rename the transaction, reshape its arguments. (A transaction can also simply be
   * kept under its old name as a legacy recipe.)
   */
  readonly entry?: (entry: EntryCall) => EntryCall
}

/** A store's refs with their initial values, and its transactions: declared once, typed throughout. */
export interface StoreDefinition<S extends RefValues, T extends Transactions<S>> {
  /** Initial value of each ref. */
  readonly refs: S
  /** The named transactions. */
  readonly transactions: T
  /** The definition's version (absent: 1), written into snapshots and journal entries. */
  readonly version?: number
  /** Migrations keyed by the version they lead to (2 … `version`). */
  readonly migrations?: Readonly<Record<number, Migration>>
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
  /** The definition's version (default 1). Raise it when the shape of the state or of a transaction changes. */
  version?: number
  /** Migrations keyed by the version they lead to: `{ 2: { state, entry } }` takes version 1 to 2. */
  migrations?: Record<number, Migration>
}): StoreDefinition<S, T> {
  const { refs, transactions, version = 1, migrations = {} } = definition
  if (!Number.isSafeInteger(version) || version < 1) throw new StoreError('INVALID_DEFINITION', `version must be an integer ≥ 1, got ${String(version)}`)
  for (const [key, migration] of Object.entries(migrations)) {
    const to = Number(key)
    if (!Number.isSafeInteger(to) || to < 2 || to > version) throw new StoreError('INVALID_DEFINITION', `migrations: expected keys from 2 to the version (${version}), each the version a migration leads to; got ${JSON.stringify(key)}`)
    for (const part of ['state', 'entry'] as const) {
      if (migration?.[part] !== undefined && typeof migration[part] !== 'function') throw new StoreError('INVALID_DEFINITION', `migrations[${key}].${part} must be a function, got ${typeof migration[part]}`)
    }
  }
  if (refs === null || typeof refs !== 'object' || Array.isArray(refs)) {
    throw new StoreError('INVALID_DEFINITION', `refs must be a plain object of initial values, got ${Array.isArray(refs) ? 'an array' : typeof refs}`)
  }
  for (const [name, recipe] of Object.entries(transactions ?? {})) {
    if (typeof recipe !== 'function') throw new StoreError('INVALID_DEFINITION', `transaction "${name}" must be a function, got ${typeof recipe}`, { transaction: name })
  }
  return { refs, transactions, version, migrations }
}
