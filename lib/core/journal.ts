import { encodeArgs } from './codec.js'
import { TransactionContext, type TxContext } from './context.js'
import { StoreError } from './errors.js'
import { decodeEntry, encodeEntry, type JournalEntry } from './journal-entry.js'
import { validEntryAfter } from './journal-tail.js'
import type { JournalStorage } from './storage.js'

/** Something the journal repaired on its own and wants a person to know about. */
export interface JournalWarning {
  readonly code: 'TORN_TAIL' | 'TRUNCATED_DAMAGE'
  readonly message: string
  readonly location: string
  readonly offset: number
}

/** Options of {@link openJournal}. */
export interface JournalOptions {
  /** Take the write lock and allow appends (default `true`). A reader never writes or locks. */
  readonly write?: boolean
  /** Called with the entries, in order and in runs of many, while the journal is read at open. */
  readonly replay?: (entries: readonly JournalEntry[]) => void
  /** Told about repairs: a torn last entry cut off, or damage truncated on request. Default: `console.warn`. */
  readonly onWarning?: (warning: JournalWarning) => void
  /**
   * What to do with damage before the last entry: `'refuse'` (default) fails the open with
   * `JOURNAL_CORRUPT`; `'truncate'` cuts the journal at the first damaged entry, losing it and
   * everything after it, and warns.
   */
  readonly onCorruption?: 'refuse' | 'truncate'
  /**
   * Start reading at this seq (default 1): entries before it may have been removed after a
   * snapshot. Reading from 1 a journal whose first segments were removed fails with `JOURNAL_GAP`.
   */
  readonly fromSeq?: number
  /**
   * Loads what the entries build on (a snapshot), once the storage is open and locked, and
   * resolves with its sequence number: only later entries are read and replayed. @internal
   */
  readonly base?: () => Promise<number>
  /** Told the bytes read so far (and in all, when the storage knows) after each run of entries. */
  readonly onProgress?: (bytes: number, totalBytes: number | undefined) => void
}

const utf8 = new TextEncoder()

function lineOffset(chunkOffset: number, lines: readonly string[], index: number): number {
  let offset = chunkOffset
  for (let i = 0; i < index; i++) offset += utf8.encode(lines[i]).length + 1
  return offset
}

/** Damage found while reading: where, and what. */
class Damage {
  constructor(readonly location: string, readonly offset: number, readonly seq: number, readonly reason: string) {}
}

/** Entries missing between two segments (or before the first one read). */
class Gap {
  constructor(readonly from: number, readonly to: number, readonly location: string) {}
}

interface Tail {
  readonly offset: number
  readonly text: string
  readonly location: string
}

/**
 * Reads `storage` from the segment holding `fromSeq` on and verifies every entry (checksum,
 * JSON, gap-free sequence across segments), yielding the entries from `fromSeq` on, chunk by
 * chunk. Throws a {@link Damage} at the first bad line and a {@link Gap} where segments do not
 * join up; returns the torn tail of the last segment.
 */
async function* verified(storage: JournalStorage, fromSeq = 1, onChunk?: (bytesRead: number) => void): AsyncGenerator<JournalEntry[], Tail | null> {
  let expected = 1
  let location = storage.location
  let tail: Tail | null = null
  let first = true
  for await (const chunk of storage.read(fromSeq)) {
    if (chunk.segment) {
      const { firstSeq } = chunk.segment
      if (tail) throw new Damage(location, tail.offset, expected, `torn entry (${tail.text.length} characters without a line break) before the next segment ${chunk.segment.location}`)
      // The first segment read may start before fromSeq; a later one must start where the last ended.
      const from = first ? fromSeq : Math.max(expected, fromSeq)
      if (firstSeq > from) throw new Gap(from, firstSeq - 1, chunk.segment.location)
      if (!first && firstSeq < expected) throw new Damage(chunk.segment.location, 0, firstSeq, `segment starts at seq ${firstSeq}, but the previous one already reached seq ${expected - 1}`)
      expected = firstSeq
      location = chunk.segment.location
    }
    first = false
    const { lines } = chunk
    const entries: JournalEntry[] = []
    for (let i = 0; i < lines.length; i++) {
      const entry = decodeEntry(lines[i])
      if (typeof entry === 'string' || entry.seq !== expected) {
        const reason = typeof entry === 'string' ? entry : `sequence broken: expected seq ${expected}, found seq ${entry.seq}`
        if (entries.length > 0) yield entries
        throw new Damage(location, lineOffset(chunk.offset, lines, i), expected, reason)
      }
      if (expected >= fromSeq) entries.push(entry)
      expected++
    }
    if (entries.length > 0) yield entries
    if (chunk.bytesRead !== undefined) onChunk?.(chunk.bytesRead)
    if (chunk.tail) tail = { ...chunk.tail, location }
  }
  return tail
}

/**
 * An append-only, checksummed, human-readable journal of named transactions. The store
 * writes through one; it is also usable on its own: record now, replay later into anything.
 *
 * @example
 * const journal = await openFileJournal('./data')
 * await journal.append('deposit', ['alice', 100])
 * await journal.sync()
 * for await (const entry of journal.entries()) console.log(entry.seq, entry.name, entry.args)
 */
export class Journal {
  readonly #storage: JournalStorage
  readonly #write: boolean
  #lastSeq: number
  #failure: StoreError | null = null
  #closed = false

  /** @internal use {@link openJournal}. */
  constructor(storage: JournalStorage, lastSeq: number, write: boolean) {
    this.#storage = storage
    this.#lastSeq = lastSeq
    this.#write = write
  }

  /** Sequence number of the last entry written (0 for an empty journal). */
  get lastSeq(): number {
    return this.#lastSeq
  }

  /** Where the journal lives (a file path for the file journal). */
  get location(): string {
    return this.#storage.location
  }

  /**
   * Appends one entry and hands it to the operating system; call {@link sync} to make it durable.
   * Resolves with the entry's sequence number.
   * @throws StoreError `UNSERIALIZABLE_ARGUMENT` for arguments that would not survive; `WRITE_FAILED` on I/O failure.
   */
  async append(name: string, args: readonly unknown[], time: number = Date.now()): Promise<number> {
    const { encoded } = encodeArgs(name, args)
    const seq = this.#lastSeq + 1
    await this.writeLines(encodeEntry(seq, new Date(time).toISOString(), name, encoded), seq)
    return seq
  }

  /**
   * Writes pre-encoded lines whose last sequence number is `lastSeq` (the store's batch path).
   * @internal
   */
  async writeLines(text: string, lastSeq: number): Promise<void> {
    this.#assertWritable()
    try {
      await this.#storage.append(text)
    } catch (cause) {
      throw this.#fail('write', cause)
    }
    this.#lastSeq = lastSeq
  }

  /**
   * Makes every appended entry durable (fsync). Resolves once it is.
   * @throws StoreError `WRITE_FAILED`; the journal then refuses all further writes.
   */
  async sync(): Promise<void> {
    this.#assertWritable()
    try {
      await this.#storage.sync()
    } catch (cause) {
      throw this.#fail('fsync', cause)
    }
    this.#storage.acknowledge?.(this.#lastSeq)
  }

  /**
   * Tells the storage that every entry through `seq` is acknowledged (the store's write path,
   * under a policy that acknowledges before an fsync), so followers may show them.
   * @internal
   */
  acknowledged(seq: number): void {
    this.#storage.acknowledge?.(seq)
  }

  /**
   * Reads and verifies every entry from `fromSeq` (default: the first kept) on.
   * @throws StoreError `JOURNAL_CORRUPT`, `JOURNAL_GAP`.
   */
  async *entries(fromSeq = 1): AsyncGenerator<JournalEntry> {
    try {
      for await (const entries of verified(this.#storage, fromSeq)) yield* entries
    } catch (error) {
      throw readError(error)
    }
  }

  /**
   * Ends the current segment durably and continues in a new one whose first entry is
   * `lastSeq + 1` (after a snapshot). A storage without segments ignores it.
   * @throws StoreError `WRITE_FAILED` when the fsync before it fails (the journal then refuses
   * writes); `SNAPSHOT_FAILED` when only the new segment could not be made: appends go on in
   * the current one.
   * @internal
   */
  async roll(): Promise<void> {
    if (!this.#storage.roll) return
    this.#assertWritable()
    try {
      await this.#storage.sync()
    } catch (cause) {
      throw this.#fail('fsync before a segment roll', cause)
    }
    try {
      await this.#storage.roll(this.#lastSeq + 1)
    } catch (cause) {
      const code = (cause as { code?: string } | null)?.code
      throw new StoreError('SNAPSHOT_FAILED', `starting a new journal segment at seq ${this.#lastSeq + 1} failed${code ? ` (${code})` : ''}: ${(cause as Error)?.message ?? String(cause)}; the journal goes on in ${this.location}`, { location: this.location, seq: this.#lastSeq + 1 }, { cause })
    }
  }
  /**
   * Replays every entry through `handlers`, by name: the journal used without a store.
   * Each handler gets the entry's arguments, and as `this` the entry's context (`this.seq`,
   * `this.time`, `this.id()`, `this.random()`: the same values the store's recipe saw).
   * `fromSeq` starts later (entries before it may have been removed after a snapshot).
   * @throws StoreError `UNKNOWN_TRANSACTION` for an entry no handler takes (unless `fallback` is given).
   */
  async replay(
    handlers: Record<string, (this: TxContext, ...args: any[]) => unknown>,
    fallback?: (entry: JournalEntry) => unknown,
    fromSeq = 1,
  ): Promise<number> {
    let count = 0
    for await (const entry of this.entries(fromSeq)) {
      const handler = Object.hasOwn(handlers, entry.name) ? handlers[entry.name] : undefined
      if (handler) await handler.apply(new TransactionContext(entry.seq, entry.time), entry.args)
      else if (fallback) await fallback(entry)
      else throw new StoreError('UNKNOWN_TRANSACTION', `journal entry seq ${entry.seq} names transaction "${entry.name}", which no handler takes`, { seq: entry.seq, transaction: entry.name, location: this.location })
      count++
    }
    return count
  }

  /** Releases the journal (and its write lock). Does not sync. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#storage.close()
  }

  #assertWritable(): void {
    if (this.#failure) throw new StoreError('STORE_HALTED', `the journal refuses writes after an earlier failure: ${this.#failure.message}`, { location: this.location }, { cause: this.#failure })
    if (this.#closed) throw new StoreError('STORE_CLOSED', 'the journal is closed', { location: this.location })
    if (!this.#write) throw new StoreError('INVALID_DEFINITION', 'the journal was opened read-only (write: false)', { location: this.location })
  }

  #fail(what: string, cause: unknown): StoreError {
    // A refusal the storage explains itself (a lost lock) keeps its code.
    if (cause instanceof StoreError) return (this.#failure = cause)
    const code = (cause as { code?: string } | null)?.code
    this.#failure = new StoreError('WRITE_FAILED', `journal ${what} failed${code ? ` (${code})` : ''}: ${(cause as Error)?.message ?? String(cause)}; nothing since the last fsync is acknowledged`, { location: this.location }, { cause })
    return this.#failure
  }
}

function corrupt({ location, offset, seq, reason }: Damage): StoreError {
  return new StoreError('JOURNAL_CORRUPT', `journal ${location} is damaged at byte offset ${offset} (entry seq ${seq}): ${reason}. Refusing to open rather than lose data; to cut the journal there, open with onCorruption: 'truncate'`, { location, offset, seq })
}

function gap({ from, to, location }: Gap): StoreError {
  const missing = from === to ? `entry seq ${from} is` : `entries seq ${from} to ${to} are`
  return new StoreError('JOURNAL_GAP', `journal ${missing} missing: expected them before ${location}, found no segment holding them (a segment file was removed or lost). Refusing to open with a silent gap; restore the segment, or a snapshot taken at seq ${to} or later`, { location, seq: from })
}

function readError(error: unknown): unknown {
  if (error instanceof Damage) return corrupt(error)
  if (error instanceof Gap) return gap(error)
  return error
}

/**
 * Opens a journal on `storage`: reads and verifies every entry after `options.after` (passing
 * each to `options.replay`), cuts a torn last entry off with a warning, and refuses damage before it.
 *
 * @throws StoreError `LOCKED` (another writer), `JOURNAL_CORRUPT` (damage before the last entry),
 * `JOURNAL_GAP` (a segment missing between the start and the last entry).
 */
export async function openJournal(storage: JournalStorage, options: JournalOptions = {}): Promise<Journal> {
  const write = options.write ?? true
  const warn = options.onWarning ?? ((w: JournalWarning) => console.warn(`prevalent: ${w.message}`))
  await storage.open({ write })
  try {
    // The base (a snapshot) is loaded once the storage is ours: its entries are not read again.
    const base = options.base ? await options.base() : Math.max(1, options.fromSeq ?? 1) - 1
    const replay = options.replay
    const progress = options.onProgress
    const totalBytes = progress && storage.size ? await storage.size(base + 1) : undefined
    const reader = verified(storage, base + 1, progress && ((bytes) => progress(bytes, totalBytes)))
    let lastSeq = base
    let tail: Tail | null = null
    let damage: Damage | null = null
    try {
      for (;;) {
        const step = await reader.next()
        if (step.done) {
          tail = step.value
          break
        }
        replay?.(step.value)
        lastSeq = step.value[step.value.length - 1].seq
      }
    } catch (error) {
      if (!(error instanceof Damage)) throw readError(error)
      damage = error
    } finally {
      // A replay that threw leaves the reader suspended: let it close what it opened.
      await reader.return(null)
    }
    // Damage that no valid entry follows is a torn tail: a write cut short by a power loss.
    if (damage && !(await validEntryAfter(storage, base + 1, damage.location, damage.offset))) {
      let aside = ''
      if (write) aside = (await storage.keepAside?.(damage.offset)) ?? ''
      if (write) await storage.truncate(damage.offset)
      const kept = aside ? `; the cut bytes are kept in ${aside}` : ''
      warn({ code: 'TORN_TAIL', message: `journal ${damage.location} ends in damaged lines with no valid entry after them (${damage.reason}, at byte offset ${damage.offset}): a write cut short by a crash or power loss, never acknowledged; ${write ? 'cut off' : 'ignored'}${kept}`, location: damage.location, offset: damage.offset })
    } else if (damage) {
      if (options.onCorruption !== 'truncate') throw corrupt(damage)
      if (write) {
        const segments = (await storage.segments?.()) ?? []
        const newest = segments[segments.length - 1]
        if (newest && newest.location !== damage.location) {
          throw new StoreError('JOURNAL_CORRUPT', `${corrupt(damage).message}. It is not in the newest segment (${newest.location}), so truncating would drop whole segments; repair it by hand or with the CLI's repair command`, { location: damage.location, offset: damage.offset, seq: damage.seq })
        }
        await storage.truncate(damage.offset)
      }
      warn({ code: 'TRUNCATED_DAMAGE', message: `journal ${damage.location} truncated at byte offset ${damage.offset} (seq ${damage.seq}): ${damage.reason}; the entries from there on are lost`, location: damage.location, offset: damage.offset })
    } else if (tail) {
      if (write) await storage.truncate(tail.offset)
      const what = write ? `a torn entry (${tail.text.length} characters at byte offset ${tail.offset}, left by a crash mid-append); it was never acknowledged and has been cut off` : `an entry that is not yet complete (${tail.text.length} characters at byte offset ${tail.offset}): a live writer is still writing it, or a crash tore it; it is ignored`
      warn({ code: 'TORN_TAIL', message: `journal ${tail.location} ended in ${what}`, location: tail.location, offset: tail.offset })
    }
    const journal = new Journal(storage, lastSeq, write)
    // Whatever a writer finds whole at open is the journal from now on: followers may read it.
    if (write) storage.acknowledge?.(lastSeq)
    // The snapshot is newer than every stored entry (segments removed or lost after it was
    // taken): new entries go to a segment of their own, so the sequence joins up on disk.
    if (write && storage.roll && lastSeq === base && base > 0) {
      const segments = (await storage.segments?.()) ?? []
      const newest = segments[segments.length - 1]
      if (!newest || newest.firstSeq !== base + 1) await storage.roll(base + 1)
    }
    return journal
  } catch (error) {
    await storage.close()
    throw error
  }
}
