import type { RefValues, StoreDefinition, Transactions } from '../core/definition.js'
import type { Frozen } from '../core/state-types.js'

/**
 * A named view: what one connection may see of the state, as a function of the committed
 * state and the connection's identity. It must be pure and cheap; returning parts of the
 * state as they are (not copies) lets unchanged parts be skipped by reference.
 */
export type View<S extends RefValues, I = any> = (state: Frozen<S>, identity: I) => unknown

/** The views a server offers, by name. */
export type Views<S extends RefValues> = Record<string, View<S>>

/**
 * Declares the views of a store, typed by its definition: each gets the frozen state and the
 * identity the server's `authenticate` returned (annotate its type). The result is what the
 * server is given and what the client's `connect` is typed with.
 *
 * @example
 * export const views = defineViews(bank, {
 *   mine: (state, user: User) => [...state.accounts.values()].filter((a) => a.owner === user.name),
 *   total: (state) => totalBalance(state.accounts),
 * })
 */
export function defineViews<S extends RefValues, T extends Transactions<S>, V extends Record<string, (state: Frozen<S>, identity: any) => unknown>>(definition: StoreDefinition<S, T>, views: V): V {
  void definition
  return views
}
