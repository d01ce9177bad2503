/**
 * `prevalent` for Node: the whole core (see `prevalent/core`, listed by hand there) plus the
 * file storage: `openStore` on a directory, the journal and point-in-time reads of a directory.
 * A bundle for the browser resolves `prevalent` to the core (the `browser` export condition).
 *
 * @example
 * import { defineStore, openStore } from 'prevalent'
 *
 * const counter = defineStore({ refs: { n: 0 }, transactions: { inc(state) { state.n++ } } })
 * const store = await openStore(counter, { dir: './data' })
 * await store.dispatch('inc')
 * await store.close()
 * @module
 */
export * from './core/index.js'
export { FaultInjectingStorage } from './core/fault-storage.js'
export type { Fault, FaultCode, FaultCounts } from './core/fault-storage.js'
export { FileJournalStorage } from './node/file-storage.js'
export type { FileJournalOptions } from './node/file-storage.js'
export { openFileJournal, openStore } from './node/open.js'
export type { OpenStoreOptions } from './node/open.js'
export { openStoreAt } from './node/open-at.js'
export type { OpenStoreAtOptions } from './node/open-at.js'
