import { current, enableMapSet, Immer, isDraft } from 'immer'
import { cloneValue } from './codec.js'
import { TransactionContext } from './context.js'
import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import { freezeCreated } from './freeze.js'
import type { JournalEntry } from './journal-entry.js'
import { upcastEntry } from './migrate.js'

/**
 * How replay runs recipes:
 * - `'plain'` (default): on a private, mutable copy of the state, with no drafts at all, then
 *   freezes the result once. Fastest; a recipe must not call Immer's `original`/`current`
 *   (there is no draft to ask) — plain mutations, `Collection` methods and return values are fine.
 * - `'immer'`: many entries through one Immer draft. For recipes that use Immer's draft APIs.
 */
export type ReplayMode = 'plain' | 'immer'

/** The Immer instance of a store: no auto-freeze (the store freezes only what changed). @internal */
export function createImmer(): Immer {
  enableMapSet()
  return new Immer({ autoFreeze: false })
}

/** A definition's initial state, deep-frozen when `freeze` is set. @internal */
export function initialState<S extends RefValues>(definition: StoreDefinition<S, Transactions<S>>, freeze: boolean): S {
  const root = { ...definition.refs } as S
  if (freeze) for (const value of Object.values(root)) freezeCreated(value)
  if (freeze) Object.freeze(root)
  return root
}

/**
 * Applies journal entries, in runs, to a state through the definition's recipes. Safe without
 * per-entry isolation: every journaled entry succeeded when it first ran, so a recipe that
 * throws here is an error that stops the open anyway.
 * @internal
 */
export class Replayer<S extends RefValues, T extends Transactions<S> = Transactions<S>> {
  readonly #transactions: T
  readonly #definition: StoreDefinition<S, T>
  readonly #version: number
  readonly #immer: Immer
  readonly #location: string
  readonly #mode: ReplayMode
  #root: S
  #working: S | null = null
  /** Sequence number of the last entry applied (0 before any). */
  seq = 0
  /** Journaled time of the last entry applied (0 before any). */
  time = 0

  /**
   * `owned`: `root` is a private, unfrozen copy (a snapshot just read) that plain replay may
   * change in place instead of copying it first.
   */
  constructor(definition: StoreDefinition<S, T>, immer: Immer, root: S, location: string, mode: ReplayMode, owned = false) {
    this.#transactions = definition.transactions
    this.#definition = definition
    this.#version = definition.version ?? 1
    if (owned && mode === 'plain') this.#working = root
    this.#immer = immer
    this.#root = root
    this.#location = location
    this.#mode = mode
  }

  /**
   * Applies one run of entries. `onKeyed` receives the recipe's result for each entry with an
   * idempotency key (copied, so later entries cannot change it).
   * @throws StoreError `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`.
   */
  apply(entries: readonly JournalEntry[], onKeyed?: (entry: JournalEntry, result: unknown) => void): void {
    if (entries.length === 0) return
    if (this.#mode === 'plain') {
      this.#working ??= cloneValue(this.#root)
      this.#run(this.#working, entries, onKeyed)
    } else {
      this.#root = this.#immer.produce(this.#root, (draft) => this.#run(draft as S, entries, onKeyed))
    }
    const last = entries[entries.length - 1]
    this.seq = last.seq
    this.time = last.time
  }

  /** The replayed state, frozen when `freeze` is set. Call once, after the last {@link apply}. */
  finish(freeze: boolean): S {
    const result = this.#working ?? this.#root
    if (freeze) freezeCreated(result)
    return result
  }

  #run(state: S, entries: readonly JournalEntry[], onKeyed?: (entry: JournalEntry, result: unknown) => void): void {
    const transactions = this.#transactions
    for (let entry of entries) {
      if ((entry.version ?? 1) !== this.#version) entry = upcastEntry(this.#definition as never, entry, this.#location)
      if (!Object.hasOwn(transactions, entry.name)) {
        throw new StoreError('UNKNOWN_TRANSACTION', `journal entry seq ${entry.seq} names transaction "${entry.name}", which this store definition does not have (expected one of ${Object.keys(transactions).join(', ')})`, { seq: entry.seq, transaction: entry.name, location: this.#location })
      }
      let result: unknown
      try {
        result = transactions[entry.name].call(new TransactionContext(entry.seq, entry.time), state as never, ...entry.args)
      } catch (cause) {
        throw new StoreError('REPLAY_FAILED', `replaying journal entry seq ${entry.seq} ("${entry.name}") threw: ${(cause as Error)?.message ?? String(cause)}`, { seq: entry.seq, transaction: entry.name, location: this.#location }, { cause })
      }
      if (onKeyed && entry.key !== undefined) onKeyed(entry, isDraft(result) ? current(result) : cloneValue(result))
    }
  }
}
