import type { RefValues, StoreDefinition, Transactions } from '../core/definition.js'
import { createStoreAt, type StoreAtOptions } from '../core/store-at.js'
import type { Store } from '../core/store-api.js'
import { FileJournalStorage } from './file-storage.js'

/** Options of {@link openStoreAt}: a directory instead of a storage. */
export interface OpenStoreAtOptions extends Omit<StoreAtOptions, 'storage'> {
  /** The store's directory. It is only read: no lock is taken, nothing is written. */
  readonly dir: string
}

/**
 * Opens a store directory read-only at a past point: right after entry `until.seq`, or at
 * time `until.time` (default: the end). It never writes or locks, so it can run beside the
 * live writer; `dispatch` rejects with `READ_ONLY`.
 *
 * @throws StoreError `JOURNAL_CORRUPT` (damage before the point), `OUT_OF_RANGE` (the journal
 * ends before `until.seq`), `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`.
 * @example
 * const before = await openStoreAt(bank, { dir: './data', until: { seq: 41 } })
 * console.log(before.state.accounts)
 * await before.close()
 */
export function openStoreAt<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: OpenStoreAtOptions,
): Promise<Store<S, T>> {
  const { dir, ...rest } = options
  return createStoreAt(definition, { ...rest, storage: new FileJournalStorage(dir) })
}
