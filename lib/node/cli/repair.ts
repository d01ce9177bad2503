import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, writeSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import type { JournalEntry } from '../../core/journal-entry.js'
import { segmentName, syncDirectory } from '../file-storage.js'
import { DirectoryLock } from '../lock.js'
import { formatBytes } from './progress.js'
import { CliError } from './cli-error.js'
import { checkSnapshot, cuttable, describeProblem, examine, type Examination, type Problem } from './examine.js'
import { formatCount, formatEntry, formatProblem, parseSeq, plural } from './format.js'
import { DIR_ARGUMENT, locateJournal, type JournalDir, type SegmentItems } from './journal-dir.js'
import { write } from './output.js'

interface RepairOptions {
  yes?: boolean
  dryRun?: boolean
  all?: boolean
  dropSnapshot?: number
}

const LISTED = 20

/** `prevalent repair DIR`: cut a torn tail or truncate at the first damage of the newest segment, with a backup. @internal */
export function repairCommand(program: Command): void {
  program
    .command('repair')
    .description('cut a torn last entry, or truncate the newest journal segment at its first damaged entry, after saying exactly what is lost; the removed bytes are kept next to the segment. Damage elsewhere is named with what you can do')
    .argument('<dir>', DIR_ARGUMENT)
    .option('-y, --yes', 'cut without asking (needed when stdin is not a terminal)')
    .option('--dry-run', 'only say what would be cut (takes no lock)')
    .option('--all', `list every lost entry (default: the first ${LISTED})`)
    .option('--drop-snapshot <seq>', 'move the damaged snapshot of this seq aside (to <file>.removed-<time>); a whole one is refused', parseSeq)
    .addHelpText('after', '\nThe repair takes the directory\'s write lock, so it refuses while a store has it open.\nThe removed bytes are saved as <segment>.removed-<time> in the same directory.\nOnly the newest segment is ever cut: damage in an older segment, missing segments and damaged\nsnapshots are reported with what to do, and nothing is dropped silently.\nExit code: 0 when repaired or nothing to do, 1 when refused, declined or problems remain, 2 on error.')
    .action(async (dir: string, options: RepairOptions) => {
      process.exitCode = await repair(dir, options)
    })
}

interface Plan {
  cut: number
  kept: JournalEntry | null
  lostEntries: number
  lostDamaged: number
  lostTorn: number
  listing: string[]
  unlisted: number
}

/** Where the newest segment must be cut (its first damaged line or torn tail), and what goes. */
function planner(newest: number, all: boolean): { plan: Plan | null; add: (run: SegmentItems) => void } {
  const state: { plan: Plan | null; add: (run: SegmentItems) => void } = { plan: null, add }
  let kept: JournalEntry | null = null
  function add(run: SegmentItems): void {
    if (run.index !== newest) return
    for (const item of run.items) {
      // Missing entries before the segment are not in it: cutting cannot help.
      if (item.kind === 'gap') continue
      if (state.plan === null && item.kind === 'entry') {
        kept = item.entry
        continue
      }
      const plan = (state.plan ??= { cut: item.offset, kept, lostEntries: 0, lostDamaged: 0, lostTorn: 0, listing: [], unlisted: 0 })
      if (item.kind === 'entry') plan.lostEntries++
      else if (item.kind === 'damage') plan.lostDamaged++
      else plan.lostTorn = item.length
      const text = item.kind === 'entry' ? formatEntry(item.entry) : `      !  ${formatProblem('', item)}`
      if (all || plan.listing.length < LISTED) plan.listing.push(text)
      else plan.unlisted++
    }
  }
  return state
}

async function repair(dir: string, options: RepairOptions): Promise<number> {
  const journal = await locateJournal(dir)
  // Hold the write lock throughout: no store may append between the scan and the cut.
  // A dry run only reads, so it takes no lock.
  const lock = options.dryRun ? null : DirectoryLock.acquire(journal.dir)
  try {
    if (options.dropSnapshot !== undefined) return await dropSnapshot(journal, options.dropSnapshot, options.dryRun === true)
    const newest = journal.segments[journal.segments.length - 1]
    const planned = planner(journal.segments.length - 1, options.all === true)
    const found = await examine(journal, 'repair', undefined, planned.add)
    const others = found.problems.filter((p) => !cuttable(journal, p))
    const advice = others.map((p) => `${describeProblem(p)}\n  ${remedy(journal, found, p)}`)
    const cut = planned.plan
    if (cut === null) {
      if (others.length === 0) {
        await write(`${journal.dir}: nothing to repair (${plural(journal.segments.length, 'segment')}, ${plural(journal.snapshots.length, 'snapshot')}; every entry and snapshot verified)\n`)
        return 0
      }
      await write(`${newest ? `${newest.file}, the newest segment, needs no cut. ` : ''}${plural(others.length, 'problem')} elsewhere, which repair does not cut:\n${advice.join('\n')}\n`)
      return 1
    }
    const removed = newest.size - cut.cut
    const parts = [
      cut.lostDamaged > 0 ? plural(cut.lostDamaged, 'damaged line') : '',
      cut.lostEntries > 0 ? `${plural(cut.lostEntries, 'valid entry', 'valid entries')} after the damage` : '',
      cut.lostTorn > 0 ? `a torn last entry of ${cut.lostTorn} bytes` : '',
    ].filter((p) => p !== '')
    const end = cut.kept ? `seq ${cut.kept.seq} (${new Date(cut.kept.time).toISOString()})` : `seq ${newest.firstSeq - 1} (no entry of ${newest.file} survives)`
    await write(
      [
        `${newest.file}: ${formatBytes(newest.size)}`,
        `cutting at byte ${cut.cut} removes ${plural(removed, 'byte')}: ${parts.join(', ')}`,
        ...cut.listing.map((line) => `  ${line}`),
        ...(cut.unlisted > 0 ? [`  … and ${formatCount(cut.unlisted)} more (--all lists them; all are kept in the backup)`] : []),
        `after the cut the journal ends at ${end}`,
        ...(others.length > 0 ? [`${plural(others.length, 'problem')} elsewhere, which repair does not cut:`, ...advice] : []),
        '',
      ].join('\n'),
    )
    if (options.dryRun) return others.length > 0 ? 1 : 0
    if (!(await confirmed(options))) return 1
    const backup = `${newest.file}.removed-${stamp()}`
    cutJournal(newest.file, journal.dir, cut.cut, backup)
    await write(`cut: ${plural(removed, 'byte')} saved to ${backup}; the journal now ends at ${end}\n`)
    return others.length > 0 ? 1 : 0
  } finally {
    lock?.release()
  }
}

/** What the operator can do about a problem repair does not cut. */
function remedy(journal: JournalDir, found: Examination, problem: Problem): string {
  const opens = problem.blocksOpen ? 'a store refuses to open until it is fixed' : `a store still opens (${found.base > 0 ? `from the snapshot at seq ${found.base}` : 'from seq 1'}), but this part of the history is gone for inspect and replay`
  switch (problem.kind) {
    case 'damaged-snapshot':
      return `-> a store skips it and opens from an older snapshot or the journal; \`prevalent repair ${journal.dir} --drop-snapshot ${problem.seq}\` moves it aside (nothing is deleted)`
    case 'time-backwards':
      return `-> a store opens and replays it as it is; only a point in time given as a time refuses such a journal (ask by seq: \`prevalent replay ${journal.dir} --until <seq>\`)`
    case 'missing-entries':
      return `-> restore the segment file(s) holding them (the first named ${segmentName(problem.seq ?? 1)}) from a backup${problem.blocksOpen ? `, or a whole snapshot taken at seq ${problem.to} or later` : ''}; ${opens}`
    default:
      return `-> this is an older segment: cutting it would drop every later segment, so repair leaves it; restore ${problem.file} from a backup (the damaged line can also be fixed by hand: \`prevalent inspect\` shows the entries around it); ${opens}`
  }
}

/** Moves a damaged snapshot aside, durably; refuses a whole one (it may be all that covers removed segments). */
async function dropSnapshot(journal: JournalDir, seq: number, dryRun: boolean): Promise<number> {
  const snapshot = journal.snapshots.find((s) => s.seq === seq)
  if (!snapshot) {
    throw new CliError(`expected a snapshot at seq ${seq} in ${journal.dir}; its snapshots are at seq ${journal.snapshots.map((s) => s.seq).join(', ') || '(none)'}`, 1)
  }
  const problem = await checkSnapshot(snapshot)
  if (problem === null) {
    throw new CliError(`${snapshot.file} is whole (every line and its checksum verified); refusing to move it aside`, 1)
  }
  const target = `${snapshot.file}.removed-${stamp()}`
  await write(`${describeProblem(problem)}\n`)
  if (dryRun) {
    await write(`would move it to ${target}\n`)
    return 0
  }
  renameSync(snapshot.file, target)
  syncDirectory(journal.dir)
  await write(`moved to ${target}; a store no longer reads it\n`)
  return 0
}

/** `20261124T205114153Z`: the time, for backup names. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:.]/g, '')
}

async function confirmed(options: RepairOptions): Promise<boolean> {
  if (options.yes) return true
  if (!process.stdin.isTTY) {
    process.stderr.write('prevalent: refusing to cut the journal without --yes, since stdin is not a terminal to ask on\n')
    return false
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await prompt.question('cut the journal? [y/N] ')
    if (/^y(es)?$/i.test(answer.trim())) return true
    process.stderr.write('nothing changed\n')
    return false
  } finally {
    prompt.close()
  }
}

/** Copies the bytes from `offset` on into `backup` (durably), then truncates the journal there. */
function cutJournal(file: string, dir: string, offset: number, backup: string): void {
  const journal = openSync(file, 'r+')
  try {
    const copy = openSync(backup, 'wx')
    try {
      const buffer = Buffer.allocUnsafe(1 << 20)
      for (let position = offset; ; ) {
        const read = readSync(journal, buffer, 0, buffer.length, position)
        if (read === 0) break
        for (let done = 0; done < read; ) done += writeSync(copy, buffer, done, read - done)
        position += read
      }
      fsyncSync(copy)
    } finally {
      closeSync(copy)
    }
    syncDirectory(dir)
    // Only once the backup is durable may the journal lose those bytes.
    ftruncateSync(journal, offset)
    fsyncSync(journal)
  } finally {
    closeSync(journal)
  }
}
