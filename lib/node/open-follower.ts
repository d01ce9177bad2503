import type { RefValues, StoreDefinition, Transactions } from '../core/definition.js'
import { createFollower } from '../core/create-follower.js'
import type { Follower, FollowerOptions, StandbyOptions } from '../core/follower.js'
import { FileJournalStorage } from './file-storage.js'

/** Options of {@link openFollower}: a store directory, or any storage that can be tailed. */
export type OpenFollowerOptions = Omit<FollowerOptions, 'storage' | 'standby'> &
  (
    | {
        /** The writer's store directory (on this machine). */
        readonly dir: string
        /** How often to look for new entries when no watch event came (default 250 ms). */
        readonly pollMs?: number
        /**
         * Take over when the writer's process is gone (its flock is free): `true`, or the
         * standby options without `storage` (the directory is used).
         */
        readonly standby?: boolean | Omit<StandbyOptions, 'storage'>
      }
    | {
        /** The journal to follow (the PostgreSQL one, a memory one, …). */
        readonly storage: FollowerOptions['storage']
        /** Take over when the writer's lease is free (see {@link StandbyOptions}). */
        readonly standby?: StandbyOptions
      }
  )

/**
 * Opens a live, read-only follower of a store written by another process: of a directory on
 * this machine (`dir`), or of any storage with a tail (`storage`, e.g. PostgreSQL). See
 * {@link createFollower} for what it guarantees; with `standby` it takes over when the writer is gone.
 *
 * @throws StoreError `INVALID_DEFINITION`, `JOURNAL_CORRUPT`, `JOURNAL_GAP`, `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`.
 * @example
 * const replica = await openFollower(bank, { dir: './data' })
 * replica.refs.accounts.subscribe(render)
 * await replica.dispatch('open', 'ann', 10) // rejects: READ_ONLY, naming the writer
 */
export function openFollower<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: OpenFollowerOptions,
): Promise<Follower<S, T>> {
  if ('storage' in options) return createFollower(definition, options)
  const { dir, pollMs, standby, ...rest } = options
  const make = (): FileJournalStorage => new FileJournalStorage(dir, { pollMs })
  const takeOver = standby ? { ...(standby === true ? {} : standby), storage: make } : undefined
  return createFollower(definition, { ...rest, storage: make(), ...(takeOver && { standby: takeOver }) })
}
