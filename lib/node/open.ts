import type { RefValues, StoreDefinition, Transactions } from '../core/definition.js'
import { openJournal, type Journal, type JournalOptions } from '../core/journal.js'
import { createStore } from '../core/create-store.js'
import { checkStoreOptions } from '../core/options.js'
import type { Store, StoreOptions } from '../core/store-api.js'
import { FileJournalStorage, type FileJournalOptions } from './file-storage.js'

/** Options of {@link openStore}: a directory instead of a storage. */
export interface OpenStoreOptions extends Omit<StoreOptions, 'storage'> {
  /** The store's directory (created if missing). It holds `journal.ndjson` and `LOCK`. */
  readonly dir: string
  /** Where fsync runs (default `'threadpool'`; see {@link FileJournalOptions.fsync}). */
  readonly fsync?: FileJournalOptions['fsync']
}

/**
 * Opens (or creates) a store in a directory: takes its write lock, replays its journal,
 * and returns the running store.
 *
 * @throws StoreError `INVALID_OPTION` (checked before the directory is touched), `LOCKED`,
 * `JOURNAL_CORRUPT`, `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`.
 * @example
 * const store = await openStore(counter, { dir: './data' })
 * await store.dispatch('add', 1, 2)
 * console.log(store.refs.x.value)
 * await store.close()
 */
export function openStore<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: OpenStoreOptions,
): Promise<Store<S, T>> {
  try {
    checkStoreOptions(options, true)
  } catch (error) {
    return Promise.reject(error)
  }
  const { dir, fsync, ...rest } = options
  return createStore(definition, { ...rest, storage: new FileJournalStorage(dir, { fsync }) })
}

/**
 * Opens the journal of a directory on its own, without a store: to record entries now and
 * replay them later into anything. With `write: false` it only reads and takes no lock.
 *
 * @throws StoreError `LOCKED`, `JOURNAL_CORRUPT`.
 */
export function openFileJournal(dir: string, options: JournalOptions = {}): Promise<Journal> {
  return openJournal(new FileJournalStorage(dir), options)
}
