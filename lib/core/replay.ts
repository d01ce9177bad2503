import type { Immer } from 'immer'
import { TransactionContext } from './context.js'
import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import { freezeCreated } from './freeze.js'
import type { JournalEntry } from './journal-entry.js'

/**
 * Applies journal entries to `root` through the definition's recipes, many entries through
 * one draft: safe because every journaled entry succeeded when it was first run, so a recipe
 * that throws here is an error that stops the open anyway. Returns the new root.
 * @internal
 */
export function replayEntries<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  immer: Immer,
  root: S,
  entries: readonly JournalEntry[],
  location: string,
  freeze: boolean,
): S {
  const { transactions } = definition
  const next = immer.produce(root, (draft) => {
    for (const entry of entries) {
      if (!Object.hasOwn(transactions, entry.name)) {
        throw new StoreError('UNKNOWN_TRANSACTION', `journal entry seq ${entry.seq} names transaction "${entry.name}", which this store definition does not have (expected one of ${Object.keys(transactions).join(', ')})`, { seq: entry.seq, transaction: entry.name, location })
      }
      try {
        transactions[entry.name].call(new TransactionContext(entry.seq, entry.time), draft as never, ...entry.args)
      } catch (cause) {
        throw new StoreError('REPLAY_FAILED', `replaying journal entry seq ${entry.seq} ("${entry.name}") threw: ${(cause as Error)?.message ?? String(cause)}`, { seq: entry.seq, transaction: entry.name, location }, { cause })
      }
    }
  })
  if (freeze) freezeCreated(next)
  return next
}
