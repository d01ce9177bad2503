/**
 * `prevalent/core`: the isomorphic core, for browsers, workers and any runtime. Definitions,
 * `createStore` on any storage, refs, `Collection`, errors, the journal on its own and the
 * memory storage. Nothing here imports a Node module: a bundler for the browser takes it as is.
 * Node's `prevalent` re-exports all of it and adds the file storage (`openStore`).
 *
 * @example
 * import { createStore, defineStore, MemoryJournalStorage } from 'prevalent/core'
 *
 * const counter = defineStore({ refs: { n: 0 }, transactions: { inc(state) { state.n++ } } })
 * const store = await createStore(counter, { storage: new MemoryJournalStorage() })
 * await store.dispatch('inc')
 * @module
 */
// The public API, listed by hand: nothing unlisted is public.
export { Collection } from './collection.js'
export { defineStore } from './definition.js'
export type { EntryCall, Migration, Recipe, RefValues, StoreDefinition, TransactionArgs, TransactionResult, Transactions } from './definition.js'
export type { TxContext } from './context.js'
export { createStore } from './create-store.js'
export { shallowEqual } from './store-api.js'
export type { Durability, OpenProgress, Receipt, Refs, SnapshotPolicy, Store, StoreOptions, StoreWarning } from './store-api.js'
export type { SnapshotWarning } from './snapshots.js'
export type { ReplayMode } from './replay.js'
export type { Ref } from './ref.js'
export type { CollectionDraft, Drafted, Frozen, ReadonlyCollection } from './state-types.js'
export { StoreError, isStoreError } from './errors.js'
export type { StoreErrorCode, StoreErrorDetails } from './errors.js'
export { Journal, openJournal } from './journal.js'
export type { JournalOptions, JournalWarning } from './journal.js'
export type { JournalEntry } from './journal-entry.js'
export type { JournalChunk, JournalStorage, SegmentInfo, SnapshotInfo, SnapshotStorage } from './storage.js'
export { MemoryJournalStorage, MemorySnapshots } from './memory-storage.js'
export { createStoreAt } from './store-at.js'
export type { PointInTime, StoreAtOptions } from './store-at.js'
export type { Commit } from './commits.js'
export type { StoreMetrics } from './metrics.js'
export type { OnceReceipt } from './idempotency.js'
export { scanJournal } from './journal-scan.js'
export type { ScanItem, ScannedDamage, ScannedEntry, ScannedTornTail } from './journal-scan.js'
