import { StoreError } from '../../core/errors.js'
import { SnapshotReader } from '../../core/snapshot-format.js'
import { blockLines, lineBlocks } from '../line-blocks.js'
import { scanSegments, type JournalDir, type SegmentItems, type SnapshotFile } from './journal-dir.js'
import { escapeControl, gapReason, tornReason } from './format.js'
import { Progress } from './progress.js'

/** One thing wrong in a store directory, named by file and byte offset (or line, for a snapshot). @internal */
export interface Problem {
  readonly kind: 'damaged-entry' | 'torn-tail' | 'missing-entries' | 'damaged-snapshot' | 'time-backwards'
  readonly file: string
  /** Byte offset in a segment. */
  readonly offset?: number
  /** Line (from 1) in a snapshot. */
  readonly line?: number
  readonly length?: number
  /** The sequence number concerned (the first missing one, for missing entries). */
  readonly seq: number | null
  /** The last missing sequence number, for missing entries. */
  readonly to?: number
  readonly reason: string
  /** True when a store refuses to open the directory because of it. */
  readonly blocksOpen: boolean
}

/** What {@link examine} found in one segment. @internal */
export interface SegmentSummary {
  readonly file: string
  readonly firstSeq: number
  readonly bytes: number
  entries: number
  firstEntry: number | null
  lastEntry: number | null
}

/** What {@link examine} found in one snapshot. @internal */
export interface SnapshotSummary {
  readonly file: string
  readonly seq: number
  readonly bytes: number
  readonly whole: boolean
}

/** Everything {@link examine} found. @internal */
export interface Examination extends Tally {
  readonly snapshots: SnapshotSummary[]
  readonly problems: Problem[]
  /** Things worth knowing that are not wrong (leftover temporary files). */
  readonly notes: string[]
  /** Sequence number of the newest whole snapshot (0 when none): where a store opens from. */
  base: number
}

/** Entry counts and seq ranges, overall and per segment. @internal */
export interface Tally {
  readonly segments: SegmentSummary[]
  entries: number
  firstSeq: number | null
  lastSeq: number | null
}

/** Counts a run's entries into `totals` and into its segment's summary (added when the segment begins). @internal */
export function tally(totals: Tally, run: SegmentItems): void {
  let summary = totals.segments[totals.segments.length - 1]
  if (summary?.file !== run.segment.file) {
    summary = { file: run.segment.file, firstSeq: run.segment.firstSeq, bytes: run.segment.size, entries: 0, firstEntry: null, lastEntry: null }
    totals.segments.push(summary)
  }
  for (const item of run.items) {
    if (item.kind !== 'entry') continue
    summary.entries++
    summary.firstEntry ??= item.entry.seq
    summary.lastEntry = item.entry.seq
    totals.entries++
    totals.firstSeq ??= item.entry.seq
    totals.lastSeq = item.entry.seq
  }
}

/**
 * Reads a snapshot file whole through {@link SnapshotReader} (every line, the footer's count and
 * CRC-32) and checks that its header's seq matches its name.
 * @returns null when it is whole, else the problem (file, line, what is wrong).
 */
export async function checkSnapshot(snapshot: SnapshotFile, progress?: (bytes: number) => void): Promise<Problem | null> {
  const reader = new SnapshotReader(snapshot.file)
  let line = 0
  const problem = (reason: string): Problem => ({ kind: 'damaged-snapshot', file: snapshot.file, line, seq: snapshot.seq, reason, blocksOpen: false })
  try {
    for await (const block of lineBlocks(snapshot.file)) {
      for (const text of block.data ? blockLines(block.data) : [block.tail.toString('utf8')]) {
        line++
        reader.push([text])
      }
      progress?.(block.offset + (block.data ?? block.tail).length)
    }
    line++
    const { header } = reader.finish()
    if (header.seq !== snapshot.seq) {
      line = 1
      return problem(`its header says it holds seq ${header.seq}, but its name says seq ${snapshot.seq}`)
    }
    return null
  } catch (error) {
    const prefix = `prevalent: snapshot ${snapshot.file} is damaged: `
    const message = error instanceof StoreError ? error.message : `unreadable (${(error as Error)?.message ?? String(error)})`
    return problem(message.startsWith(prefix) ? message.slice(prefix.length) : message)
  }
}

/**
 * Checks a whole store directory: every snapshot (whole, checksum, seq), then every segment's
 * lines (checksums, gap-free sequence within and across segments, a torn tail only at the very
 * end), and whether the newest whole snapshot and the segments after it let a store open.
 * `onProblem` hears each problem as found; `onItems` sees every segment's items (for repair).
 */
export async function examine(
  journal: JournalDir,
  label: string,
  onProblem: (problem: Problem) => Promise<void> = async () => {},
  onItems?: (run: SegmentItems) => void,
): Promise<Examination> {
  const found: Examination = { segments: [], snapshots: [], problems: [], notes: [], base: 0, entries: 0, firstSeq: null, lastSeq: null }
  const report = async (problem: Problem): Promise<void> => {
    found.problems.push(problem)
    await onProblem(problem)
  }
  const progress = new Progress(`${label} snapshots`, journal.snapshots.reduce((sum, s) => sum + s.size, 0))
  let done = 0
  try {
    for (const snapshot of journal.snapshots) {
      const problem = await checkSnapshot(snapshot, (bytes) => progress.update(done + bytes))
      done += snapshot.size
      found.snapshots.push({ file: snapshot.file, seq: snapshot.seq, bytes: snapshot.size, whole: problem === null })
      if (problem) await report(problem)
      else found.base = snapshot.seq
    }
  } finally {
    progress.done()
  }
  const base = found.base
  // A store reads the last segment starting at or before base + 1, and every later one.
  let opensFrom = 0
  journal.segments.forEach((s, i) => {
    if (s.firstSeq <= base + 1) opensFrom = i
  })
  const newest = journal.segments.length - 1
  // Times never go backwards in a journal the store wrote: a point in time by time needs that.
  let lastTime = -Infinity
  let timedSeq = 0
  for await (const run of scanSegments(journal, label)) {
    onItems?.(run)
    tally(found, run)
    const { segment, index } = run
    const read = index >= opensFrom
    for (const item of run.items) {
      const at = { file: segment.file, offset: item.offset, length: item.length }
      if (item.kind === 'entry') {
        const { seq, time } = item.entry
        if (time < lastTime) await report({ kind: 'time-backwards', ...at, seq, reason: `time goes backwards: ${new Date(time).toISOString()}, earlier than ${new Date(lastTime).toISOString()} of seq ${timedSeq}`, blocksOpen: false })
        else {
          lastTime = time
          timedSeq = seq
        }
        continue
      }
      if (item.kind === 'damage') {
        await report({ kind: 'damaged-entry', ...at, seq: item.seq, reason: item.reason, blocksOpen: read })
      } else if (item.kind === 'torn') {
        const last = index === newest
        const reason = tornReason(item, last ? undefined : journal.segments[index + 1].file)
        await report({ kind: 'torn-tail', ...at, seq: item.entry?.seq ?? null, reason, blocksOpen: read && !last })
      } else if (item.previous === null) {
        // Removed after a snapshot: fine when a whole snapshot covers them.
        if (item.to > base) await report({ kind: 'missing-entries', ...at, seq: item.from, to: item.to, reason: `${gapReason(item, segment.file)}, and no whole snapshot at seq ${item.to} or later covers them`, blocksOpen: true })
      } else {
        await report({ kind: 'missing-entries', ...at, seq: item.from, to: item.to, reason: gapReason(item, segment.file), blocksOpen: index > opensFrom })
      }
    }
  }
  for (const file of journal.leftovers) found.notes.push(`${file}: temporary file of a snapshot write a crash cut short; not a problem (the next open of the store removes it)`)
  const lastSeq = found.lastSeq ?? 0
  if (base > lastSeq && journal.segments.length > 0 && !journal.segments.some((s) => s.firstSeq === base + 1)) {
    found.notes.push(`the journal ends at seq ${lastSeq}, before the newest whole snapshot (seq ${base}): a store opens from the snapshot and journals on from seq ${base + 1}`)
  }
  return found
}

/** A problem as one line: `FILE at byte N (seq S): reason`, or `FILE line N: reason` for a snapshot. @internal */
export function describeProblem(problem: Problem): string {
  return escapeControl(`${placeOf(problem)}: ${problem.reason}`)
}

/** Where a problem is: `FILE at byte N (seq S)`, or `FILE line N` for a snapshot. @internal */
export function placeOf(problem: Problem): string {
  if (problem.line !== undefined) return `${problem.file} line ${problem.line}`
  const seq = problem.kind === 'damaged-entry' || problem.kind === 'time-backwards' ? ` (seq ${problem.seq})` : ''
  return `${problem.file} at byte ${problem.offset}${seq}`
}

/** True for a problem `repair` cuts: a damaged line or torn tail of the newest segment. @internal */
export function cuttable(journal: JournalDir, problem: Problem): boolean {
  const newest = journal.segments[journal.segments.length - 1]
  return newest !== undefined && problem.file === newest.file && (problem.kind === 'damaged-entry' || problem.kind === 'torn-tail')
}
