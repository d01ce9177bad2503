import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs'
import { mkdir, open as openFile, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { tailSegments } from '../core/segment-tail.js'
import type { JournalChunk, JournalStorage, SegmentInfo, SnapshotInfo, SnapshotStorage, TailOptions } from '../core/storage.js'
import { AcknowledgedMarker, directorySource } from './file-tail.js'
import { StoreError } from '../core/errors.js'
import { blockLines, lineBlocks } from './line-blocks.js'
import { DirectoryLock } from './lock.js'

/** Options of {@link FileJournalStorage}. */
export interface FileJournalOptions {
  /**
   * Where `fdatasync` runs: `'threadpool'` (default) keeps the event loop free while the disk
   * works, so reads and new dispatches go on; `'inline'` blocks the event loop for the fsync but
   * saves the hand-off to libuv's thread pool (tens of µs), the lowest latency one at a time.
   */
  readonly fsync?: 'threadpool' | 'inline'
  /** How often a {@link FileJournalStorage.tail} looks for new entries when no watch event came (default 250 ms). */
  readonly pollMs?: number
}

/** The first segment's name: a store that never took a snapshot has only this file. */
export const FIRST_SEGMENT = 'journal.ndjson'
const SEGMENT = /^journal-(\d{12,})\.ndjson$/
const SNAPSHOT = /^snapshot-(\d{12,})\.ndjson$/
/** A snapshot is written in pieces of this size; between pieces the event loop runs. */
const WRITE_PIECE = 1 << 18

/** The file name of the segment whose first entry is `firstSeq`. @internal */
export function segmentName(firstSeq: number): string {
  return firstSeq === 1 ? FIRST_SEGMENT : `journal-${String(firstSeq).padStart(12, '0')}.ndjson`
}

/** The file name of the snapshot taken after entry `seq`. @internal */
export function snapshotName(seq: number): string {
  return `snapshot-${String(seq).padStart(12, '0')}.ndjson`
}

/** The segment files of a directory, oldest first (none for a missing directory). @internal */
export async function listSegments(dir: string): Promise<SegmentInfo[]> {
  const found: SegmentInfo[] = []
  for (const name of await namesIn(dir)) {
    const match = SEGMENT.exec(name)
    if (name === FIRST_SEGMENT) found.push({ firstSeq: 1, location: join(dir, name) })
    else if (match) found.push({ firstSeq: Number(match[1]), location: join(dir, name) })
  }
  return found.sort((a, b) => a.firstSeq - b.firstSeq)
}

/** The snapshot files of a directory, oldest first. @internal */
export async function listSnapshots(dir: string): Promise<SnapshotInfo[]> {
  const found: SnapshotInfo[] = []
  for (const name of await namesIn(dir)) {
    const match = SNAPSHOT.exec(name)
    if (!match) continue
    const location = join(dir, name)
    const bytes = await stat(location).then((s) => s.size, () => undefined)
    if (bytes !== undefined) found.push({ seq: Number(match[1]), location, bytes })
  }
  return found.sort((a, b) => a.seq - b.seq)
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

/**
 * The embedded default: a store directory holding the journal as segment files
 * (`journal.ndjson` from seq 1, then `journal-<first seq>.ndjson` after each snapshot) and the
 * snapshots (`snapshot-<seq>.ndjson`). Appends are one `write` per batch to the newest segment,
 * made durable with `fdatasync`. Writers hold the directory's flock.
 */
export class FileJournalStorage implements JournalStorage {
  readonly #dir: string
  readonly #inlineSync: boolean
  /** Location of the segment appends go to (the newest). */
  #active: string
  #fd = -1
  #lock: DirectoryLock | null = null
  /** First seq of the active segment, and its bytes (for the acknowledged marker). */
  #activeFirstSeq = 1
  #size = 0
  #marker: AcknowledgedMarker | null = null
  readonly #pollMs: number
  readonly snapshots: SnapshotStorage

  constructor(dir: string, options: FileJournalOptions = {}) {
    this.#dir = resolve(dir)
    this.#active = join(this.#dir, FIRST_SEGMENT)
    this.#inlineSync = options.fsync === 'inline'
    this.#pollMs = options.pollMs ?? 250
    this.snapshots = new FileSnapshots(this.#dir)
  }

  /** The segment appends go to (before open: the first one). */
  get location(): string {
    return this.#active
  }

  async open({ write }: { write: boolean }): Promise<void> {
    const segments = await listSegments(this.#dir)
    if (segments.length > 0) [this.#active, this.#activeFirstSeq] = [segments[segments.length - 1].location, segments[segments.length - 1].firstSeq]
    if (!write) return
    await createDirectory(this.#dir)
    this.#lock = DirectoryLock.acquire(this.#dir)
    try {
      await removeLeftovers(this.#dir)
      this.#fd = openAppend(this.#active, this.#dir)
      this.#size = fstatSync(this.#fd).size
      this.#marker = new AcknowledgedMarker(this.#dir)
    } catch (error) {
      this.#lock.release()
      this.#lock = null
      throw error
    }
  }

  async segments(): Promise<SegmentInfo[]> {
    return listSegments(this.#dir)
  }

  async size(fromSeq = 1): Promise<number> {
    let total = 0
    for (const segment of await this.#segmentsFrom(fromSeq)) total += await stat(segment.location).then((s) => s.size, () => 0)
    return total
  }

  async #segmentsFrom(fromSeq: number): Promise<SegmentInfo[]> {
    const all = await listSegments(this.#dir)
    let start = 0
    for (let i = 0; i < all.length; i++) if (all[i].firstSeq <= fromSeq) start = i
    return all.slice(start)
  }

  async *read(fromSeq = 1): AsyncIterable<JournalChunk> {
    let bytesRead = 0
    for (const segment of await this.#segmentsFrom(fromSeq)) {
      let first: SegmentInfo | undefined = segment
      for await (const block of lineBlocks(segment.location, prunedWhileReading)) {
        bytesRead += (block.data ?? block.tail).length
        const tail = block.tail ? { offset: block.offset, text: block.tail.toString('utf8') } : undefined
        yield { offset: block.offset, lines: block.data ? blockLines(block.data) : [], ...(tail && { tail }), ...(first && { segment: first }), bytesRead }
        first = undefined
      }
      // An empty segment still marks where the sequence must continue.
      if (first) yield { offset: 0, lines: [], segment: first, bytesRead }
    }
  }

  async truncate(offset: number): Promise<void> {
    ftruncateSync(this.#fd, offset)
    fdatasyncSync(this.#fd)
    this.#size = offset
  }

  async keepAside(offset: number): Promise<string> {
    const aside = `${this.#active}.cut-${offset}-${Date.now()}`
    await copyTail(this.#active, offset, aside)
    syncDirectory(this.#dir)
    return aside
  }

  async append(text: string): Promise<void> {
    // Never append without the lock: a LOCK deleted or replaced may have let another writer in.
    this.#lock?.verify()
    let buffer = Buffer.from(text, 'utf8')
    while (buffer.length > 0) {
      const written = writeSync(this.#fd, buffer)
      buffer = buffer.subarray(written)
      this.#size += written
    }
  }

  acknowledge(seq: number): void {
    try {
      this.#marker?.publish({ seq, firstSeq: this.#activeFirstSeq, bytes: this.#size })
    } catch {
      // Followers fall behind until the next batch; the journal itself is fine.
    }
  }

  /** Follows the directory's journal, in this process or another one on this machine: see {@link JournalStorage.tail}. */
  tail(fromSeq: number, options: TailOptions): AsyncIterable<JournalChunk> {
    return tailSegments(directorySource(this.#dir, () => listSegments(this.#dir), this.#pollMs, options.signal), fromSeq, options)
  }

  async holder(): Promise<string | null> {
    try {
      return (await readFile(join(this.#dir, 'LOCK'), 'utf8')).trim() || null
    } catch {
      return null
    }
  }

  sync(): Promise<void> {
    if (this.#inlineSync) {
      try {
        fdatasyncSync(this.#fd)
        return Promise.resolve()
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return new Promise((done, fail) => fdatasync(this.#fd, (error) => (error ? fail(error) : done())))
  }

  async roll(firstSeq: number): Promise<void> {
    const next = join(this.#dir, segmentName(firstSeq))
    if (next === this.#active) return
    this.#lock?.verify()
    const fd = openAppend(next, this.#dir)
    closeSync(this.#fd)
    this.#fd = fd
    this.#active = next
    this.#activeFirstSeq = firstSeq
    this.#size = fstatSync(fd).size
  }

  async removeSegmentsThrough(seq: number): Promise<number> {
    const all = await listSegments(this.#dir)
    let removed = 0
    // A segment may go when the next one starts at or before seq + 1; the newest always stays.
    for (let i = 0; i + 1 < all.length && all[i + 1].firstSeq <= seq + 1; i++) {
      await rm(all[i].location, { force: true })
      removed++
    }
    if (removed > 0) syncDirectory(this.#dir)
    return removed
  }

  async close(): Promise<void> {
    if (this.#fd >= 0) closeSync(this.#fd)
    this.#fd = -1
    this.#marker?.close()
    this.#marker = null
    this.#lock?.release()
    this.#lock = null
  }
}

/**
 * Opens a segment for appending; a new file's directory entry is made durable, or a crash could
 * lose the file. A new file whose entry could not be made durable is removed again: an empty
 * segment left behind would claim a seq the previous segment goes on to hold.
 */
function openAppend(file: string, dir: string): number {
  const existed = existsSync(file)
  const fd = openSync(file, 'a')
  if (existed) return fd
  try {
    syncDirectory(dir)
  } catch (error) {
    closeSync(fd)
    rmSync(file, { force: true })
    throw error
  }
  return fd
}

/**
 * Creates a directory and its missing parents, durably: each created directory's entry is in
 * its parent, so each parent is fsynced, or a power loss could drop the whole store.
 */
async function createDirectory(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true })
  if (first === undefined) return
  for (let created = dir; ; created = dirname(created)) {
    syncDirectory(dirname(created))
    if (created === resolve(first)) break
  }
}

/** Copies `file` from byte `offset` on into a new file `to`, durably. */
async function copyTail(file: string, offset: number, to: string): Promise<void> {
  const source = await openFile(file, 'r')
  const target = await openFile(to, 'wx')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    for (let position = offset; ; ) {
      const { bytesRead } = await source.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) break
      await target.write(buffer, 0, bytesRead)
      position += bytesRead
    }
    await target.sync()
  } finally {
    await source.close()
    await target.close()
  }
}

/** Removes temporary files of snapshot writes a crash interrupted. */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await namesIn(dir)) if (SNAPSHOT_TEMP.test(name)) await rm(join(dir, name), { force: true })
}

const SNAPSHOT_TEMP = /^snapshot-\d{12,}\.ndjson\.tmp$/

/** Snapshots as files of a store directory, written atomically (temporary file, fsync, rename, fsync of the directory). */
class FileSnapshots implements SnapshotStorage {
  constructor(readonly dir: string) {}

  list(): Promise<SnapshotInfo[]> {
    return listSnapshots(this.dir)
  }

  async *read(seq: number): AsyncIterable<readonly string[]> {
    for await (const block of lineBlocks(join(this.dir, snapshotName(seq)), prunedWhileReading)) {
      yield block.data ? blockLines(block.data) : [block.tail.toString('utf8')]
    }
  }

  async write(seq: number, lines: AsyncIterable<string> | Iterable<string>): Promise<SnapshotInfo> {
    const location = join(this.dir, snapshotName(seq))
    const temp = `${location}.tmp`
    const handle = await openFile(temp, 'w')
    let bytes = 0
    try {
      let pending: string[] = []
      let size = 0
      const flush = async (): Promise<void> => {
        const buffer = Buffer.from(pending.join(''), 'utf8')
        pending = []
        size = 0
        await handle.write(buffer)
        bytes += buffer.length
      }
      for await (const line of lines) {
        pending.push(line)
        size += line.length
        // Each awaited write lets the event loop run: dispatches go on between pieces.
        if (size >= WRITE_PIECE) await flush()
      }
      if (size > 0) await flush()
      await handle.sync()
    } catch (error) {
      await handle.close().catch(() => undefined)
      await rm(temp, { force: true })
      throw error
    }
    await handle.close()
    await rename(temp, location)
    syncDirectory(this.dir)
    return { seq, location, bytes }
  }

  async remove(seq: number): Promise<void> {
    await rm(join(this.dir, snapshotName(seq)), { force: true })
  }
}

/**
 * A file listed a moment ago and gone when opened: the writer removed it after a newer
 * snapshot (retention). Readers beside a live writer read again from the newer snapshot.
 * @internal
 */
export function prunedWhileReading(file: string): StoreError {
  return new StoreError('JOURNAL_PRUNED', `${file} was removed while it was being read (the writer pruned it after a newer snapshot); read again from the newer snapshot`, { location: file })
}

/** Makes a directory's entries (new, renamed or removed files) durable. @internal */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
