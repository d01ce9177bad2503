import { StoreError } from './errors.js'
import { tailSegments, type AcknowledgedPoint, type SegmentSource } from './segment-tail.js'
import type { JournalChunk, JournalStorage, SegmentInfo, SnapshotInfo, SnapshotStorage, TailOptions } from './storage.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/**
 * A journal kept in memory, for specs and for trying things out. It keeps apart what was
 * appended and what was synced, so {@link MemoryJournalStorage.crash} can simulate power loss.
 * Offsets are UTF-8 byte offsets, as in the file journal.
 *
 * @example
 * const storage = new MemoryJournalStorage()
 * const store = await createStore(definition, { storage })
 */
export class MemoryJournalStorage implements JournalStorage {
  readonly location: string
  /** Snapshots, kept whole (a write lands all at once or not at all). */
  readonly snapshots: MemorySnapshots
  /** Segments ended by {@link roll}, oldest first (synced before they ended). */
  #older: Array<{ firstSeq: number; bytes: Uint8Array }> = []
  /** First sequence number of the segment appends go to. */
  #firstSeq = 1
  #bytes: Uint8Array = new Uint8Array(0)
  #pending: string[] = []
  #synced = 0
  #writer = false
  #open = false
  #acknowledged: AcknowledgedPoint | null = null
  /** Bumped at each acknowledgement, so a tail that was busy when it came does not wait for the next. */
  #acknowledgements = 0
  #wakeUps: Array<() => void> = []

  constructor(location = 'memory', snapshots = new MemorySnapshots(location)) {
    this.location = location
    this.snapshots = snapshots
  }

  /** Everything appended so far, durable or not, all segments joined. */
  get text(): string {
    this.#flush()
    return this.#older.map((segment) => fromUtf8.decode(segment.bytes)).join('') + fromUtf8.decode(this.#bytes)
  }

  /** Number of bytes made durable by {@link sync}. */
  get syncedLength(): number {
    return this.#synced
  }

  /** Replaces the whole content with one segment from seq 1, as if the file had been edited (for damage specs). */
  setText(text: string): void {
    this.#older = []
    this.#firstSeq = 1
    this.#pending = []
    this.#bytes = utf8.encode(text)
    this.#synced = this.#bytes.length
  }

  /** A new storage holding only what was synced here: what survives a power loss. */
  crash(): MemoryJournalStorage {
    this.#flush()
    const survivor = new MemoryJournalStorage(this.location, this.snapshots)
    survivor.#older = this.#older.map((segment) => ({ ...segment }))
    survivor.#firstSeq = this.#firstSeq
    survivor.#bytes = this.#bytes.slice(0, this.#synced)
    survivor.#synced = this.#synced
    return survivor
  }

  async open({ write }: { write: boolean }): Promise<void> {
    if (write && this.#writer) throw new StoreError('LOCKED', `journal ${this.location} is already open for writing in this process`, { location: this.location })
    this.#writer ||= write
    this.#open = true
  }

  async *read(fromSeq = 1): AsyncIterable<JournalChunk> {
    this.#flush()
    const all = [...this.#older, { firstSeq: this.#firstSeq, bytes: this.#bytes }]
    let start = 0
    for (let i = 0; i < all.length; i++) if (all[i].firstSeq <= fromSeq) start = i
    for (const { firstSeq, bytes } of all.slice(start)) {
      const end = bytes.lastIndexOf(0x0a) + 1
      const text = fromUtf8.decode(bytes.subarray(0, end))
      const lines = end === 0 ? [] : text.slice(0, -1).split('\n')
      const tail = end < bytes.length ? { offset: end, text: fromUtf8.decode(bytes.subarray(end)) } : undefined
      const segment = { firstSeq, location: this.#segmentLocation(firstSeq) }
      yield tail ? { offset: 0, lines, tail, segment } : { offset: 0, lines, segment }
    }
  }

  async segments(): Promise<SegmentInfo[]> {
    return [...this.#older, { firstSeq: this.#firstSeq }].map(({ firstSeq }) => ({ firstSeq, location: this.#segmentLocation(firstSeq) }))
  }

  async roll(firstSeq: number): Promise<void> {
    this.#flush()
    if (firstSeq === this.#firstSeq) return
    this.#older.push({ firstSeq: this.#firstSeq, bytes: this.#bytes })
    this.#firstSeq = firstSeq
    this.#bytes = new Uint8Array(0)
    this.#synced = 0
  }

  async removeSegmentsThrough(seq: number): Promise<number> {
    const all = [...this.#older.map((segment) => segment.firstSeq), this.#firstSeq]
    let removed = 0
    while (removed < this.#older.length && all[removed + 1] <= seq + 1) removed++
    this.#older = this.#older.slice(removed)
    return removed
  }

  acknowledge(seq: number): void {
    this.#flush()
    this.#acknowledged = { seq, firstSeq: this.#firstSeq, bytes: this.#bytes.length }
    this.#acknowledgements++
    const wakeUps = this.#wakeUps
    this.#wakeUps = []
    for (const wake of wakeUps) wake()
  }

  /** Follows appends made through this object (in this process): see {@link JournalStorage.tail}. */
  tail(fromSeq: number, options: TailOptions): AsyncIterable<JournalChunk> {
    return tailSegments(this.#source(), fromSeq, options)
  }

  async holder(): Promise<string | null> {
    return this.#writer ? `a writer in this process (${this.location})` : null
  }

  #source(): SegmentSource {
    let seen = -1
    return {
      acknowledged: async () => {
        seen = this.#acknowledgements
        return this.#acknowledged
      },
      segments: () => this.segments(),
      readBytes: async (segment, from, to) => {
        this.#flush()
        const bytes = segment.firstSeq === this.#firstSeq ? this.#bytes : this.#older.find((s) => s.firstSeq === segment.firstSeq)?.bytes
        return bytes ? bytes.slice(from, to) : null
      },
      wait: (signal) =>
        new Promise<void>((resolve) => {
          if (signal.aborted || seen !== this.#acknowledgements) return resolve()
          const done = (): void => {
            signal.removeEventListener('abort', done)
            resolve()
          }
          this.#wakeUps.push(done)
          signal.addEventListener('abort', done, { once: true })
        }),
    }
  }

  /** Removes the segment starting at `firstSeq` (for specs of a missing segment). */
  dropSegment(firstSeq: number): void {
    this.#older = this.#older.filter((segment) => segment.firstSeq !== firstSeq)
  }

  #segmentLocation(firstSeq: number): string {
    return firstSeq === 1 ? this.location : `${this.location}#${firstSeq}`
  }

  async truncate(offset: number): Promise<void> {
    this.#flush()
    this.#bytes = this.#bytes.slice(0, offset)
    this.#synced = Math.min(this.#synced, offset)
  }

  async append(text: string): Promise<void> {
    if (!this.#open) throw new Error('append on a closed memory journal')
    this.#pending.push(text)
  }

  async sync(): Promise<void> {
    this.#flush()
    this.#synced = this.#bytes.length
  }

  async close(): Promise<void> {
    this.#writer = false
    this.#open = false
  }

  #flush(): void {
    if (this.#pending.length === 0) return
    const added = utf8.encode(this.#pending.join(''))
    this.#pending = []
    const next = new Uint8Array(this.#bytes.length + added.length)
    next.set(this.#bytes)
    next.set(added, this.#bytes.length)
    this.#bytes = next
  }
}

/** Snapshots kept in memory, beside a {@link MemoryJournalStorage}. */
export class MemorySnapshots implements SnapshotStorage {
  readonly #location: string
  readonly #stored = new Map<number, string>()

  constructor(location: string) {
    this.#location = location
  }

  async list(): Promise<SnapshotInfo[]> {
    return [...this.#stored.keys()].sort((a, b) => a - b).map((seq) => this.#info(seq))
  }

  async *read(seq: number): AsyncIterable<readonly string[]> {
    const text = this.#stored.get(seq)
    if (text === undefined) throw new StoreError('SNAPSHOT_CORRUPT', `snapshot ${this.#info(seq).location} is missing`, { location: this.#info(seq).location })
    const lines = text.split('\n')
    if (lines[lines.length - 1] === '') lines.pop()
    yield lines
  }

  async write(seq: number, lines: AsyncIterable<string> | Iterable<string>): Promise<SnapshotInfo> {
    const parts: string[] = []
    for await (const line of lines) parts.push(line)
    this.#stored.set(seq, parts.join(''))
    return this.#info(seq)
  }

  async remove(seq: number): Promise<void> {
    this.#stored.delete(seq)
  }

  /** A snapshot's text, for specs that damage it. */
  text(seq: number): string | undefined {
    return this.#stored.get(seq)
  }

  /** Replaces (or adds) a snapshot's text as is, for specs of damaged snapshots. */
  setText(seq: number, text: string): void {
    this.#stored.set(seq, text)
  }

  #info(seq: number): SnapshotInfo {
    const text = this.#stored.get(seq)
    return { seq, location: `${this.#location}/snapshot-${seq}`, ...(text !== undefined && { bytes: utf8.encode(text).length }) }
  }
}
