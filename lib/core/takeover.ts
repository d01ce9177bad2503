import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { isStoreError } from './errors.js'
import type { FollowerStore, FollowerWarning, StandbyOptions } from './follower.js'
import type { FollowerState } from './follower-state.js'
import type { FollowerTail } from './follower-tail.js'
import { openJournal } from './journal.js'
import { MetricsRecorder } from './metrics.js'
import { createImmer } from './replay.js'
import { Snapshotter } from './snapshots.js'
import { PrevalentStore } from './store.js'
import type { StoreWarning } from './store-api.js'

/**
 * A standby's watch: every `pollMs` it tries to open the journal for writing. While the writer
 * holds its lease (or lock) that fails with `LOCKED` and it goes on following; once it succeeds
 * (the old writer fenced by the new epoch), it replays what the tail had not reached yet, stops
 * the tail and becomes the writer, over the state it already shows.
 * @internal
 */
export function watchForTakeover<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  follower: FollowerStore<S, T>,
  state: FollowerState<S>,
  tail: FollowerTail<S>,
  standby: StandbyOptions,
  warn: (warning: StoreWarning | FollowerWarning) => void,
): void {
  const pollMs = standby.pollMs ?? 250
  const attempt = async (): Promise<void> => {
    if (follower.closed || tail.halted) return
    const storage = standby.storage()
    let journal
    try {
      journal = await openJournal(storage, { write: true, base: async () => state.seq, replay: (entries) => state.apply(entries), onWarning: warn })
    } catch (error) {
      if (!isStoreError(error, 'LOCKED')) warn({ code: 'TAIL_FAILED', message: `taking over ${storage.location} failed (${(error as Error)?.message ?? String(error)}); trying again in ${pollMs} ms`, location: storage.location })
      setTimeout(() => void attempt(), pollMs).unref?.()
      return
    }
    if (follower.closed) return void (await journal.close())
    await tail.stop()
    const options = { ...standby.store, storage }
    const snapshots = new Snapshotter(storage.snapshots, options.snapshots, storage.removeSegmentsThrough?.bind(storage))
    const parts = { immer: createImmer(), root: state.root, lastTime: state.time, journal, metrics: new MetricsRecorder({ entries: 0, ms: 0 }), keys: state.keys, snapshots }
    follower.takeOver(new PrevalentStore(definition, parts, options))
    tail.markPromoted()
    standby.onPromoted?.()
  }
  setTimeout(() => void attempt(), pollMs).unref?.()
}
