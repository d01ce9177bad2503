import { enablePatches } from 'immer'
import { encodeArgs } from './codec.js'
import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { fingerprint, IdempotencyTable } from './idempotency.js'
import { openJournal, type JournalWarning } from './journal.js'
import type { JournalEntry } from './journal-entry.js'
import { MetricsRecorder } from './metrics.js'
import { createImmer, initialState, Replayer } from './replay.js'
import { loadNewestSnapshot, Snapshotter, type SnapshotWarning } from './snapshots.js'
import { PrevalentStore } from './store.js'
import type { Store, StoreOptions } from './store-api.js'
import { checkStoreOptions } from './options.js'

/**
 * Opens a store on a journal storage: loads the newest whole snapshot (if the storage keeps
 * snapshots), replays the entries after it through the definition's recipes, then accepts
 * dispatches. Use `openStore(definition, { dir })` for the file journal.
 *
 * @throws StoreError `INVALID_OPTION` (an unknown option, or a value it does not accept: checked
 * before anything is opened), `LOCKED`, `JOURNAL_CORRUPT`, `JOURNAL_GAP` (a segment is missing),
 * `UNKNOWN_TRANSACTION` (an entry names a transaction the definition lacks), `REPLAY_FAILED`
 * (a recipe threw during replay), `VERSION_TOO_NEW`, `MIGRATION_FAILED`.
 * @example
 * const store = await createStore(counter, { storage: new MemoryJournalStorage() })
 * await store.dispatch('add', 1, 2)
 */
export async function createStore<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: StoreOptions,
): Promise<Store<S, T>> {
  checkStoreOptions(options) // before the journal is opened: a typo never becomes a default
  const { storage } = options
  const snapshots = new Snapshotter(storage.snapshots, options.snapshots, storage.removeSegmentsThrough?.bind(storage))
  if (options.patches) enablePatches()
  const immer = createImmer()
  const shouldFreeze = options.freeze ?? true
  const mode = options.replay ?? 'plain'
  const keys = new IdempotencyTable(options.idempotencyWindow)
  const warn = options.onWarning ?? ((w: JournalWarning | SnapshotWarning) => console.warn(`prevalent: ${w.message}`))
  const progress = options.onProgress
  const started = performance.now()
  let replayer = new Replayer(definition, immer, initialState(definition, shouldFreeze), storage.location, mode)
  // A keyed entry's outcome is remembered, for a retry after this restart.
  const remember = (entry: JournalEntry, result: unknown): void =>
    keys.remember(entry.key as string, fingerprint(entry.name, encodeArgs(entry.name, entry.args).encoded), { seq: entry.seq, result, journaled: true })
  let baseSeq = 0
  const base = async (): Promise<number> => {
    const loaded = storage.snapshots ? await loadNewestSnapshot(storage.snapshots, definition as never, warn, progress) : null
    if (!loaded) return 0
    baseSeq = loaded.header.seq
    snapshots.verified(baseSeq)
    replayer = new Replayer(definition, immer, loaded.state as S, storage.location, mode, true)
    replayer.seq = loaded.header.seq
    replayer.time = loaded.header.time
    for (const [key, print, receipt] of loaded.keys) keys.remember(key, print, receipt)
    return loaded.header.seq
  }
  let replayed = 0
  const journal = await openJournal(storage, {
    base,
    replay: (entries) => {
      replayer.apply(entries, remember)
      replayed += entries.length
    },
    onProgress: progress && ((bytes, totalBytes) => progress({ phase: 'journal', seq: replayer.seq, bytes, ...(totalBytes !== undefined && { totalBytes }) })),
    onWarning: warn,
    onCorruption: options.onCorruption,
  })
  try {
    const root = replayer.finish(shouldFreeze)
    const metrics = new MetricsRecorder({ entries: replayed, ms: performance.now() - started })
    // The journal replayed since the last snapshot counts toward the next one: a store restarted
    // often must not let its tail grow without end.
    const snapshotDue = snapshots.journaled(replayed, storage.size ? await storage.size(baseSeq + 1) : 0)
    return new PrevalentStore(definition, { immer, root, lastTime: replayer.time, journal, metrics, keys, snapshots, snapshotDue }, options)
  } catch (error) {
    // Whatever fails once the journal is open (its lock taken) releases it: a retry must not find it held.
    await journal.close()
    throw error
  }
}
