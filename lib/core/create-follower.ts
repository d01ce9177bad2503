import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import { FollowerStore, type Follower, type FollowerOptions, type FollowerWarning } from './follower.js'
import { FollowerState } from './follower-state.js'
import { FollowerTail } from './follower-tail.js'
import { MetricsRecorder } from './metrics.js'
import { loadNewestSnapshot } from './snapshots.js'
import type { StoreWarning } from './store-api.js'
import { watchForTakeover } from './takeover.js'

/**
 * Opens a live, read-only follower of a journal another store writes (in this process, another
 * process, or another machine, as the storage allows): it loads the newest snapshot, replays the
 * entries after it through the definition's recipes, resolves once it has caught up, and then
 * applies each run of entries the writer acknowledges, as it comes. It never shows an entry the
 * writer has not acknowledged, never skips or repeats one, and at every seq it shows its state
 * equals the writer's at that seq. `dispatch` rejects with `READ_ONLY`, naming the writer.
 *
 * With `standby`, it also watches the writer's lease (or lock) and takes over once it is free:
 * it opens the journal for writing (fencing the old writer), replays to the head, and from then
 * on accepts dispatches; its refs never stop.
 *
 * @throws StoreError `INVALID_DEFINITION` (the storage cannot be tailed), `JOURNAL_CORRUPT`,
 * `JOURNAL_GAP`, `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`.
 * @example
 * const replica = await createFollower(bank, { storage })
 * replica.refs.accounts.subscribe(render)
 * console.log(replica.metrics().lag)
 */
export async function createFollower<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: FollowerOptions,
): Promise<Follower<S, T>> {
  const { storage } = options
  if (typeof storage.tail !== 'function') throw new StoreError('INVALID_DEFINITION', `a follower needs a storage that can be tailed (with a tail method); ${storage.location} has none`, { location: storage.location })
  const warn = options.onWarning ?? ((w: StoreWarning | FollowerWarning) => console.warn(`prevalent: ${w.message}`))
  const started = performance.now()
  const state = new FollowerState<S>(definition as never, storage.location, options.idempotencyWindow)
  const metrics = new MetricsRecorder({ entries: 0, ms: 0 })
  const tail = new FollowerTail<S>(storage, state, definition as never, warn, options.retryMs ?? 1000, metrics)
  await storage.open({ write: false })
  try {
    const loaded = storage.snapshots ? await loadNewestSnapshot(storage.snapshots, definition as never, warn) : null
    if (loaded) state.reset(loaded)
    await tail.start()
  } catch (error) {
    await tail.stop()
    await storage.close()
    throw error
  }
  const follower = new FollowerStore<S, T>(state, tail, storage, new MetricsRecorder({ entries: state.seq, ms: performance.now() - started }))
  if (options.standby) watchForTakeover(definition, follower, state, tail, options.standby, warn)
  return follower
}
