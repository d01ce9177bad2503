import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import type { JournalWarning } from './journal.js'
import { scanJournal } from './journal-scan.js'
import { ReadOnlyStore } from './read-only-store.js'
import { loadNewestSnapshot } from './snapshots.js'
import type { SnapshotStorage } from './storage.js'
import { createImmer, initialState, Replayer } from './replay.js'
import type { JournalStorage } from './storage.js'
import type { Store } from './store-api.js'

/**
 * A point in a journal's history: after the entry with this sequence number (`{ seq: 0 }` is
 * the initial state), or after the last entry journaled at or before this time.
 */
export type PointInTime = { readonly seq: number } | { readonly time: Date | number }

/** Options of {@link createStoreAt}. */
export interface StoreAtOptions {
  /** The journal to read. It is opened read-only: never written, never locked. */
  readonly storage: JournalStorage
  /** Where to stop (default: after the last entry). */
  readonly until?: PointInTime
  /** Told about a torn last entry (left in place: a read-only store repairs nothing). Default `console.warn`. */
  readonly onWarning?: (warning: JournalWarning) => void
}

/** The state a journal held at a point in time, and where exactly that was. */
export interface ReplayedState<S> {
  readonly root: S
  /** Sequence number of the last entry applied (0 when none). */
  readonly seq: number
  /** Journaled time of that entry (0 when none). */
  readonly time: number
}

function pointLimit(until: PointInTime | undefined, location: string): { seq: number; time: number } {
  if (until === undefined) return { seq: Infinity, time: Infinity }
  if ('seq' in until) {
    if (!Number.isSafeInteger(until.seq) || until.seq < 0) throw new StoreError('OUT_OF_RANGE', `until.seq must be a sequence number (an integer ≥ 0), got ${String(until.seq)}`, { location })
    return { seq: until.seq, time: Infinity }
  }
  const time = until.time instanceof Date ? until.time.getTime() : until.time
  if (typeof time !== 'number' || Number.isNaN(time)) throw new StoreError('OUT_OF_RANGE', `until.time must be a Date or milliseconds since the epoch, got ${String(until.time)}`, { location })
  return { seq: Infinity, time }
}

/** Options of {@link replayUntil}. */
export interface ReplayUntilOptions {
  /** Where to stop (default: after the last entry). */
  readonly until?: PointInTime
  /** Told about a torn last entry, which is ignored. Default `console.warn`. */
  readonly onWarning?: (warning: JournalWarning) => void
  /** Told how far the reading got (a byte offset), once per chunk read: for progress bars. */
  readonly onProgress?: (offset: number) => void
}

/**
 * Replays a journal up to a point and returns that state, reading no further than needed.
 * Damage before the point refuses (as an open would); damage after it does not matter.
 *
 * Beside a live writer that prunes, a read whose snapshot or segments were removed while it
 * read is made again from the newer snapshot (a few times at most).
 *
 * @throws StoreError `JOURNAL_CORRUPT`, `OUT_OF_RANGE` (the journal ends before `until.seq`),
 * `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`, `JOURNAL_PRUNED` (the writer pruned under every attempt).
 */
export async function replayUntil<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  storage: JournalStorage,
  options: ReplayUntilOptions = {},
): Promise<ReplayedState<S>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await replayOnce(definition, storage, options)
    } catch (error) {
      if (attempt >= READ_ATTEMPTS || !(error instanceof StoreError) || !RACED.has(error.code)) throw error
    }
  }
}

/** How often a read that raced a prune is made, and the codes such a race shows as. */
const READ_ATTEMPTS = 4
const RACED = new Set(['JOURNAL_PRUNED', 'OUT_OF_RANGE'])

async function replayOnce<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  storage: JournalStorage,
  options: ReplayUntilOptions,
): Promise<ReplayedState<S>> {
  const { until, onProgress, onWarning = (w: JournalWarning) => console.warn(`prevalent: ${w.message}`) } = options
  const location = storage.location
  const limit = pointLimit(until, location)
  await storage.open({ write: false })
  let replayer = new Replayer(definition, createImmer(), initialState(definition, true), location, 'plain')
  try {
    // Start from the newest snapshot at or before the point, when there is one.
    const base = storage.snapshots ? await snapshotBefore(storage.snapshots, definition as never, limit, onWarning) : null
    if (base) {
      replayer = new Replayer(definition, createImmer(), base.state as S, location, 'plain', true)
      replayer.seq = base.header.seq
      replayer.time = base.header.time
    }
    // Messages name the segment being read, not the journal's first file.
    let where = location
    let first = true
    const source = {
      async *read(fromSeq?: number) {
        for await (const chunk of storage.read(fromSeq)) {
          if (chunk.segment) where = chunk.segment.location
          // The segment holding the next entry is gone (pruned after a newer snapshot, maybe
          // while the snapshot was being read): what follows cannot continue from here.
          if (first && chunk.segment && chunk.segment.firstSeq > replayer.seq + 1 && replayer.seq < limit.seq) throw beforeKept(where, replayer.seq, chunk.segment.firstSeq)
          first = false
          yield chunk
        }
      },
    }
    scan: for await (const items of scanJournal(source, replayer.seq + 1)) {
      for (const item of items) {
        if (replayer.seq >= limit.seq) break scan
        if (item.kind === 'entry') {
          // By time, the point is only well defined if times never go backwards before it.
          if (limit.time !== Infinity && item.entry.time < replayer.time) throw timeBackwards(where, item.entry.seq, item.entry.time, replayer.time)
          if (item.entry.time > limit.time) break scan
          // The scanner checks the sequence after the first entry; the first must follow the start.
          if (item.entry.seq !== replayer.seq + 1) throw beforeKept(where, replayer.seq, item.entry.seq)
          replayer.apply([item.entry])
        } else if (item.kind === 'damage') {
          throw new StoreError('JOURNAL_CORRUPT', `journal ${where} is damaged at byte offset ${item.offset} (entry seq ${item.seq}): ${item.reason}. The state is known only up to seq ${replayer.seq}; ask for a point before the damage`, { location: where, offset: item.offset, seq: item.seq })
        } else {
          onWarning({ code: 'TORN_TAIL', message: `journal ${where} ends in an entry that is not yet complete (${item.length} bytes at byte offset ${item.offset}): a live writer is still writing it, or a crash tore it; it is not acknowledged and is ignored`, location: where, offset: item.offset })
        }
      }
      const last = items[items.length - 1]
      onProgress?.(last.offset + last.length)
    }
  } finally {
    await storage.close()
  }
  if (limit.seq !== Infinity && replayer.seq < limit.seq) {
    throw new StoreError('OUT_OF_RANGE', `journal ${location} ends at seq ${replayer.seq}; expected until.seq between 0 and ${replayer.seq}, got ${limit.seq}`, { location, seq: limit.seq })
  }
  return { root: replayer.finish(true), seq: replayer.seq, time: replayer.time }
}

function timeBackwards(location: string, seq: number, time: number, before: number): StoreError {
  return new StoreError('TIME_BACKWARDS', `journal ${location}: entry seq ${seq} is timed ${new Date(time).toISOString()}, earlier than the entry before it (${new Date(before).toISOString()}); a point in time given as a time is not well defined in such a journal — ask for a seq instead`, { location, seq })
}

/** A point the kept journal cannot reach: its earlier entries were removed and no snapshot covers them. */
function beforeKept(location: string, start: number, first: number): StoreError {
  return new StoreError('OUT_OF_RANGE', `journal ${location} keeps entries from seq ${first} on (the ones before were removed after a snapshot), and no snapshot at or before the point covers seq ${start + 1} to ${first - 1}; the earliest point is the oldest snapshot kept`, { location, seq: start + 1 })
}

/** The newest whole snapshot taken at or before the point (null when there is none). */
function snapshotBefore(snapshots: SnapshotStorage, definition: StoreDefinition<RefValues, Transactions<RefValues>>, limit: { seq: number; time: number }, onWarning: (w: JournalWarning) => void) {
  return loadNewestSnapshot(snapshots, definition, (w) => onWarning(w as never), undefined, (header) => header.seq <= limit.seq && header.time <= limit.time)
}

/**
 * Opens a store read-only at a past point: the state as it was right after entry `until.seq`,
 * or at time `until.time` (time travel for debugging and audits). It never writes or locks,
 * so it can run beside the live writer; its refs never change, and `dispatch` rejects with
 * `READ_ONLY`. Its state is deep-equal to what the live store held at that sequence number.
 *
 * @throws StoreError `JOURNAL_CORRUPT` (damage before the point), `OUT_OF_RANGE`,
 * `UNKNOWN_TRANSACTION`, `REPLAY_FAILED`.
 * @example
 * const then = await createStoreAt(bank, { storage, until: { time: new Date('2026-11-24T18:00Z') } })
 * console.log(then.seq, then.state.accounts)
 */
export async function createStoreAt<S extends RefValues, T extends Transactions<S>>(
  definition: StoreDefinition<S, T>,
  options: StoreAtOptions,
): Promise<Store<S, T>> {
  const started = performance.now()
  const { root, seq } = await replayUntil(definition, options.storage, options)
  return new ReadOnlyStore<S, T>(definition, root, seq, options.storage.location, performance.now() - started)
}
