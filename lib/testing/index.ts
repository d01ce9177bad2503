/**
 * `prevalent/testing`: a kit to test stores and storage backends. Memory storage, a storage that
 * fails like a disk, a clock that moves only when told, and the journal/snapshot storage
 * contract suite a backend must pass. The suite runs under vitest (an optional peer dependency
 * of this entry point only).
 *
 * @example
 * // my-backend.spec.ts
 * import { describeStorageContract } from 'prevalent/testing'
 * import { MyStorage } from '../lib/my-storage.js'
 *
 * describeStorageContract('my storage', () => {
 *   const name = crypto.randomUUID()
 *   return () => new MyStorage(name)
 * })
 * @module
 */
export { MemoryJournalStorage, MemorySnapshots } from '../core/memory-storage.js'
export { FaultInjectingStorage } from '../core/fault-storage.js'
export type { Fault, FaultCode, FaultCounts } from '../core/fault-storage.js'
export { TestClock } from './clock.js'
export { describeStorageContract } from './storage-contract.js'
export type { StorageBackend } from './storage-contract.js'
