import { readdirSync, statSync } from 'node:fs'
import { basename, join, normalize } from 'node:path'
import { encodeEntry } from '../../core/journal-entry.js'
import { scanJournal, type LineSource, type ScanItem } from '../../core/journal-scan.js'
import { FIRST_SEGMENT, FileJournalStorage, listSegments, listSnapshots } from '../file-storage.js'
import { CliError } from './cli-error.js'
import { FileLines } from './file-lines.js'
import { Progress } from './progress.js'

/** One journal segment file: entries from `firstSeq` on. @internal */
export interface SegmentFile {
  /** The file, under the directory as the user named it. */
  readonly file: string
  /** The sequence number its first entry must have (from its name). */
  readonly firstSeq: number
  readonly size: number
}

/** One snapshot file: the state after entry `seq` (from its name). @internal */
export interface SnapshotFile {
  readonly file: string
  readonly seq: number
  readonly size: number
}

/** A store directory's journal segments and snapshots, located and measured. @internal */
export interface JournalDir {
  /** The directory as the user named it (messages echo it). */
  readonly dir: string
  /** The segments, oldest first. */
  readonly segments: readonly SegmentFile[]
  /** The snapshots, oldest first. */
  readonly snapshots: readonly SnapshotFile[]
  /** Temporary files of snapshot writes a crash cut short (the next open removes them). */
  readonly leftovers: readonly string[]
  /** Bytes of all segments. */
  readonly size: number
  readonly storage: FileJournalStorage
}

/** How every command describes its `<dir>` argument. @internal */
export const DIR_ARGUMENT = 'store directory (journal.ndjson, later journal-<seq>.ndjson segments, snapshot-<seq>.ndjson)'

/** Offset of a stand-in line: no line of a file has it. */
const STAND_IN = -1

/** A valid entry line with sequence number `seq`, fed to the scan in place of missing entries. */
function standIn(seq: number): string {
  return encodeEntry(seq, '1970-01-01T00:00:00.000Z', 'missing', { json: '[]', meta: undefined }).slice(0, -1)
}

const SNAPSHOT_TEMP = /^snapshot-\d{12,}\.ndjson\.tmp$/

/**
 * Finds the journal segments and snapshots of a store directory, oldest first. A directory
 * whose old segments were removed after a snapshot (only snapshots and later segments) is valid.
 * @throws CliError when the directory does not exist or holds neither a segment nor a snapshot.
 */
export async function locateJournal(dir: string): Promise<JournalDir> {
  const named = normalize(dir)
  let isDir = false
  try {
    isDir = statSync(named).isDirectory()
  } catch {
    // reported below
  }
  if (!isDir) throw new CliError(`expected a store directory, but ${named} does not exist or is not a directory`)
  const sizeOf = (file: string): number => statSync(file).size
  const segments = (await listSegments(named)).map((s) => {
    const file = join(named, basename(s.location))
    return { file, firstSeq: s.firstSeq, size: sizeOf(file) }
  })
  const snapshots = (await listSnapshots(named)).map((s) => {
    const file = join(named, basename(s.location))
    return { file, seq: s.seq, size: s.bytes ?? sizeOf(file) }
  })
  if (segments.length === 0 && snapshots.length === 0) {
    throw new CliError(`expected a journal at ${join(named, FIRST_SEGMENT)}, found none (is ${named} a store directory?)`)
  }
  const leftovers = readdirSync(named).filter((name) => SNAPSHOT_TEMP.test(name)).sort().map((name) => join(named, name))
  const size = segments.reduce((sum, s) => sum + s.size, 0)
  return { dir: named, segments, snapshots, leftovers, size, storage: new FileJournalStorage(named) }
}

/**
 * Entries missing where a segment begins: between the previous segment's last entry and this
 * segment's first (`previous` set), or before the first segment (`previous` null: removed after
 * a snapshot, which is fine when a whole snapshot covers them).
 * @internal
 */
export interface ScannedGap {
  readonly kind: 'gap'
  readonly offset: 0
  readonly length: 0
  readonly from: number
  readonly to: number
  readonly previous: SegmentFile | null
}

/** What a segment scan reports: a line, a torn tail, or missing entries. @internal */
export type SegmentItem = ScanItem | ScannedGap

/** A run of items, all of one segment (offsets are inside its file). @internal */
export interface SegmentItems {
  readonly segment: SegmentFile
  /** The segment's position among the directory's segments. */
  readonly index: number
  readonly items: SegmentItem[]
}

/**
 * Scans every segment read-only (no lock), oldest first, as one sequence: each line of each
 * segment, torn tails, and the entries missing where a segment does not begin right after the
 * previous one ended. Shows progress over all segments on a terminal. Every segment appears in
 * at least one run (an empty one with no items). Stops early when the consumer breaks out.
 */
export async function* scanSegments(journal: JournalDir, label: string): AsyncGenerator<SegmentItems> {
  const progress = new Progress(label, journal.size)
  const started: number[] = []
  let current = -1
  // Highest sequence number the lines so far stand for (damaged lines included).
  let reached = 0
  const source: LineSource = {
    async *read() {
      for (let i = 0; i < journal.segments.length; i++) {
        current = i
        started.push(i)
        const { firstSeq } = journal.segments[i]
        // After missing entries, a stand-in for the last of them makes the scan expect the
        // segment's first seq, so the segment's own lines are checked (and numbered) exactly.
        if (firstSeq > reached + 1) yield { offset: STAND_IN, lines: [standIn(firstSeq - 1)], byteLengths: [0] }
        yield* new FileLines(journal.segments[i].file).read()
      }
    },
  }
  let done = 0
  /** The segment's boundary: missing entries before it, if any. */
  const boundary = (index: number): SegmentItems => {
    const segment = journal.segments[index]
    const items: SegmentItem[] = []
    if (segment.firstSeq > reached + 1) items.push({ kind: 'gap', offset: 0, length: 0, from: reached + 1, to: segment.firstSeq - 1, previous: index === 0 ? null : journal.segments[index - 1] })
    // An empty segment still says where the sequence stands.
    reached = Math.max(reached, segment.firstSeq - 1)
    if (index > 0) done += journal.segments[index - 1].size
    return { segment, index, items }
  }
  try {
    for await (const all of scanJournal(source)) {
      const scanned = all[0].offset === STAND_IN ? all.slice(1) : all
      let items: SegmentItem[] = scanned
      for (const index of started.splice(0)) {
        const start = boundary(index)
        if (index === current) items = [...start.items, ...scanned]
        else yield start
      }
      if (scanned.length === 0) {
        if (items.length > 0) yield { segment: journal.segments[current], index: current, items }
        continue
      }
      for (const item of scanned) if (item.kind !== 'torn') reached = Math.max(reached, item.kind === 'entry' ? item.entry.seq : item.seq)
      yield { segment: journal.segments[current], index: current, items }
      const last = scanned[scanned.length - 1]
      progress.update(done + last.offset + last.length)
    }
    for (const index of started.splice(0)) yield boundary(index)
  } finally {
    progress.done()
  }
}
