import { current, enableMapSet, freeze, Immer, isDraft } from 'immer'
import { TransactionContext } from './context.js'
import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import type { JournalEntry } from './journal-entry.js'

/**
 * Applies journal entries, one after the other, to a definition's initial state, exactly as a
 * store does at open: same recipes, same journaled context, same frozen results.
 * @internal
 */
export class Replayer<S extends RefValues> {
  /** The state after the last applied entry. */
  root: S
  /** Sequence number of the last applied entry (0 before any). */
  seq = 0
  /** Journaled time of the last applied entry (0 before any). */
  time = 0
  readonly #definition: StoreDefinition<S, Transactions<S>>
  readonly #location: string
  readonly #immer: Immer

  constructor(definition: StoreDefinition<S, Transactions<S>>, location: string) {
    enableMapSet()
    this.#definition = definition
    this.#location = location
    this.#immer = new Immer({ autoFreeze: true })
    this.root = freeze({ ...definition.refs }, true) as S
  }

  /**
   * Runs the entry's recipe on the state so far; returns what the recipe returned.
   * @throws StoreError `UNKNOWN_TRANSACTION`, `REPLAY_FAILED` (the recipe threw).
   */
  apply(entry: JournalEntry): unknown {
    const transactions = this.#definition.transactions
    if (!Object.hasOwn(transactions, entry.name)) {
      throw new StoreError('UNKNOWN_TRANSACTION', `journal entry seq ${entry.seq} names transaction "${entry.name}", which this store definition does not have (expected one of ${Object.keys(transactions).join(', ')})`, { seq: entry.seq, transaction: entry.name, location: this.#location })
    }
    const recipe = transactions[entry.name]
    const ctx = new TransactionContext(entry.seq, entry.time)
    let result: unknown
    try {
      this.root = this.#immer.produce(this.root, (draft) => {
        const value = recipe.call(ctx, draft as never, ...entry.args)
        result = isDraft(value) ? current(value) : value
      })
    } catch (cause) {
      throw new StoreError('REPLAY_FAILED', `replaying journal entry seq ${entry.seq} ("${entry.name}") threw: ${(cause as Error)?.message ?? String(cause)}`, { seq: entry.seq, transaction: entry.name, location: this.#location }, { cause })
    }
    this.seq = entry.seq
    this.time = entry.time
    return result
  }
}
