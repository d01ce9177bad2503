import type { RefValues, StoreDefinition, Transactions } from './definition.js'
import { StoreError } from './errors.js'
import type { JournalWarning } from './journal.js'
import { assertNotNewer, migrateState } from './migrate.js'
import { SnapshotReader, snapshotLines, type KeyRecord, type SnapshotHeader } from './snapshot-format.js'
import type { OpenProgress, SnapshotPolicy } from './store-api.js'
import type { SnapshotWarning } from './snapshot-warning.js'
import type { SnapshotInfo, SnapshotStorage } from './storage.js'

export type { SnapshotWarning } from './snapshot-warning.js'

/** A snapshot read back: the state (private and unfrozen), where it stands, and the remembered keys. @internal */
export interface LoadedSnapshot {
  readonly state: RefValues
  readonly header: SnapshotHeader
  readonly keys: KeyRecord[]
}

const DEFAULT_EVERY_BYTES = 64 * 1024 * 1024
const DEFAULT_KEEP = 2

/**
 * Reads the newest snapshot that is whole; a damaged one is skipped with a warning and the one
 * before it is tried (its later segments then replay too). Migrates the state to the
 * definition's version. `accept` can pass over snapshots by their header (a point in time
 * takes only those at or before it). Resolves with null when there is none (replay starts at seq 1).
 * @throws StoreError `VERSION_TOO_NEW`, `MIGRATION_FAILED`.
 * @internal
 */
export async function loadNewestSnapshot(
  storage: SnapshotStorage,
  definition: StoreDefinition<RefValues, Transactions<RefValues>>,
  warn: (warning: JournalWarning | SnapshotWarning) => void,
  progress?: (progress: OpenProgress) => void,
  accept: (header: SnapshotHeader) => boolean = () => true,
): Promise<LoadedSnapshot | null> {
  const found = await storage.list()
  snapshots: for (let i = found.length - 1; i >= 0; i--) {
    const info = found[i]
    const reader = new SnapshotReader(info.location)
    try {
      let bytes = 0
      for await (const lines of storage.read(info.seq)) {
        reader.push(lines)
        if (reader.header && !accept(reader.header)) continue snapshots
        // A newer version is refused as soon as the header is read, before the rest is parsed.
        if (reader.header) assertNotNewer(definition, reader.header.version, `snapshot ${info.location}`, info.location)
        for (const line of lines) bytes += line.length + 1
        progress?.({ phase: 'snapshot', seq: info.seq, bytes, ...(info.bytes !== undefined && { totalBytes: info.bytes }) })
      }
      const { state, header, keys } = reader.finish()
      if (header.seq !== info.seq) throw new StoreError('SNAPSHOT_CORRUPT', `snapshot ${info.location} says it holds seq ${header.seq}, but its name says ${info.seq}`, { location: info.location })
      return { state: migrateState(definition, state, header.version, info.location), header, keys }
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== 'SNAPSHOT_CORRUPT') throw error
      const fallback = i > 0 ? `falling back to the snapshot at seq ${found[i - 1].seq}` : 'falling back to the whole journal'
      warn({ code: 'SNAPSHOT_SKIPPED', message: `${error.message}; ${fallback}`, location: info.location })
    }
  }
  return null
}

/** What a snapshot captures, taken alone on the write path. @internal */
export interface Capture {
  readonly state: RefValues
  readonly header: SnapshotHeader
  readonly keys: KeyRecord[]
}

/**
 * A store's snapshots: takes them on demand and by policy, one at a time, and applies
 * retention once each is durable.
 * @internal
 */
export class Snapshotter {
  readonly #storage: SnapshotStorage | undefined
  readonly #everyEntries: number
  readonly #everyBytes: number
  readonly #keep: number
  readonly #prune: ((seq: number) => Promise<unknown>) | undefined
  readonly #auto: boolean
  #entries = 0
  #bytes = 0
  #lastSize = 0
  #chain: Promise<unknown> = Promise.resolve()
  #running = false
  /** Snapshots known to be whole: the one loaded at open, and those written since. */
  readonly #whole = new Set<number>()
  /** The policy's amounts are multiplied by this after failed automatic snapshots (1, 2, 4 … 64). */
  #backOff = 1

  constructor(storage: SnapshotStorage | undefined, policy: SnapshotPolicy | false | undefined, prune: ((seq: number) => Promise<unknown>) | undefined) {
    this.#storage = storage
    const options = policy === false ? {} : (policy ?? {})
    this.#auto = policy !== false && storage !== undefined
    this.#everyEntries = positive(options.everyEntries, Infinity, 'everyEntries')
    this.#everyBytes = positive(options.everyBytes, DEFAULT_EVERY_BYTES, 'everyBytes')
    this.#keep = positive(options.keep, DEFAULT_KEEP, 'keep')
    this.#prune = options.pruneJournal ? prune : undefined
  }

  /** Records that the snapshot of `seq` was read back whole (the one loaded at open). */
  verified(seq: number): void {
    this.#whole.add(seq)
  }

  /** Counts journaled entries and bytes; true when the policy wants a snapshot now. */
  journaled(entries: number, bytes: number): boolean {
    this.#entries += entries
    this.#bytes += bytes
    const factor = this.#backOff
    return this.#auto && !this.#running && (this.#entries >= this.#everyEntries * factor || this.#bytes >= Math.max(this.#everyBytes, this.#lastSize) * factor)
  }

  /**
   * After a failed automatic snapshot: the next one waits for the policy's amount again,
   * doubled for each failure in a row (up to 64 times). Returns that wait, for the warning.
   */
  backOff(): string {
    this.#entries = 0
    this.#bytes = 0
    this.#backOff = Math.min(this.#backOff * 2, 64)
    const entries = this.#everyEntries === Infinity ? '' : `${this.#everyEntries * this.#backOff} entries or `
    return `${entries}${Math.max(this.#everyBytes, this.#lastSize) * this.#backOff} bytes`
  }

  /**
   * Captures (through `capture`, on the write path) and writes one snapshot after any in
   * progress. @throws StoreError `SNAPSHOT_FAILED`.
   */
  take(capture: () => Promise<Capture>): Promise<SnapshotInfo> {
    const storage = this.#storage
    if (!storage) return Promise.reject(new StoreError('SNAPSHOT_FAILED', 'snapshot(): this store\'s storage keeps no snapshots (expected one with a `snapshots` part, such as the file journal)'))
    const run = this.#chain.then(async () => {
      this.#running = true
      try {
        const { state, header, keys } = await capture()
        this.#entries = 0
        this.#bytes = 0
        let info: SnapshotInfo
        try {
          info = await storage.write(header.seq, snapshotLines(state, header, keys))
        } catch (cause) {
          if (cause instanceof StoreError) throw cause
          throw new StoreError('SNAPSHOT_FAILED', `writing the snapshot at seq ${header.seq} failed: ${(cause as Error)?.message ?? String(cause)}; the journal is untouched`, { seq: header.seq }, { cause })
        }
        this.#lastSize = info.bytes ?? 0
        this.#backOff = 1
        this.#whole.add(info.seq)
        await this.#retain()
        return info
      } finally {
        this.#running = false
      }
    })
    this.#chain = run.catch(() => undefined)
    return run
  }

  /** Resolves once no snapshot is being written. */
  idle(): Promise<unknown> {
    return this.#chain
  }

  /**
   * Keeps the `keep` newest snapshots known to be whole and removes every older one; the
   * journal is pruned only behind the oldest of those. A snapshot skipped as damaged at open
   * (or never read) is not counted: counting it would remove a whole one to fall back on.
   */
  async #retain(): Promise<void> {
    const storage = this.#storage as SnapshotStorage
    const all = await storage.list()
    const kept = all.filter((info) => this.#whole.has(info.seq)).slice(-this.#keep)
    if (kept.length === 0) return
    const oldest = kept[0].seq
    for (const old of all) if (old.seq < oldest) await storage.remove(old.seq)
    if (this.#prune) await this.#prune(oldest)
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!(value > 0) || (!Number.isSafeInteger(value) && value !== Infinity)) throw new StoreError('INVALID_OPTION', `option snapshots.${name}: expected a positive integer, got ${String(value)}`)
  return value
}
