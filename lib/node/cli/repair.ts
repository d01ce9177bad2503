import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import type { JournalEntry } from '../../core/journal-entry.js'
import { syncDirectory } from '../file-storage.js'
import { DirectoryLock } from '../lock.js'
import { formatBytes } from './progress.js'
import { formatCount, formatEntry, formatProblem, plural } from './format.js'
import { locateJournal, scanFile, type JournalFile } from './journal-dir.js'
import { write } from './output.js'

interface RepairOptions {
  yes?: boolean
  dryRun?: boolean
  all?: boolean
}

const LISTED = 20

/** `prevalent repair DIR`: cut a torn tail or truncate at the first damage, with a backup. @internal */
export function repairCommand(program: Command): void {
  program
    .command('repair')
    .description('cut a torn last entry, or truncate at the first damaged entry, after saying exactly what is lost; the removed bytes are kept next to the journal')
    .argument('<dir>', 'store directory (holding journal.ndjson)')
    .option('-y, --yes', 'cut without asking (needed when stdin is not a terminal)')
    .option('--dry-run', 'only say what would be cut (takes no lock)')
    .option('--all', `list every lost entry (default: the first ${LISTED})`)
    .addHelpText('after', '\nThe repair takes the directory\'s write lock, so it refuses while a store has it open.\nThe removed bytes are saved as journal.ndjson.removed-<time> in the same directory.\nExit code: 0 when repaired or nothing to do, 1 when refused or declined, 2 on error.')
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

async function plan(journal: JournalFile, all: boolean): Promise<Plan | null> {
  let result: Plan | null = null
  let kept: JournalEntry | null = null
  for await (const items of scanFile(journal, 'repair')) {
    for (const item of items) {
      if (result === null && item.kind === 'entry') {
        kept = item.entry
        continue
      }
      result ??= { cut: item.offset, kept, lostEntries: 0, lostDamaged: 0, lostTorn: 0, listing: [], unlisted: 0 }
      if (item.kind === 'entry') result.lostEntries++
      else if (item.kind === 'damage') result.lostDamaged++
      else result.lostTorn = item.length
      const text = item.kind === 'entry' ? formatEntry(item.entry) : `      !  ${formatProblem('', item)}`
      if (all || result.listing.length < LISTED) result.listing.push(text)
      else result.unlisted++
    }
  }
  return result
}

async function repair(dir: string, options: RepairOptions): Promise<number> {
  const journal = locateJournal(dir)
  // Hold the write lock throughout: no store may append between the scan and the cut.
  // A dry run only reads, so it takes no lock.
  const lock = options.dryRun ? null : DirectoryLock.acquire(journal.dir)
  try {
    const cut = await plan(journal, options.all === true)
    if (cut === null) {
      await write(`${journal.file}: nothing to repair (${formatBytes(journal.size)}, every entry verified)\n`)
      return 0
    }
    const removed = journal.size - cut.cut
    const parts = [
      cut.lostDamaged > 0 ? plural(cut.lostDamaged, 'damaged line') : '',
      cut.lostEntries > 0 ? `${plural(cut.lostEntries, 'valid entry', 'valid entries')} after the damage` : '',
      cut.lostTorn > 0 ? `a torn last entry of ${cut.lostTorn} bytes` : '',
    ].filter((p) => p !== '')
    const end = cut.kept ? `seq ${cut.kept.seq} (${new Date(cut.kept.time).toISOString()})` : 'empty (no entry survives)'
    await write(
      [
        `${journal.file}: ${formatBytes(journal.size)}`,
        `cutting at byte ${cut.cut} removes ${plural(removed, 'byte')}: ${parts.join(', ')}`,
        ...cut.listing.map((line) => `  ${line}`),
        ...(cut.unlisted > 0 ? [`  … and ${formatCount(cut.unlisted)} more (--all lists them; all are kept in the backup)`] : []),
        `after the cut the journal ends at ${end}`,
        '',
      ].join('\n'),
    )
    if (options.dryRun) return 0
    if (!(await confirmed(options))) return 1
    const backup = `${journal.file}.removed-${new Date().toISOString().replace(/[-:.]/g, '')}`
    cutJournal(journal.file, journal.dir, cut.cut, backup)
    await write(`cut: ${plural(removed, 'byte')} saved to ${backup}; the journal now ends at ${end}\n`)
    return 0
  } finally {
    lock?.release()
  }
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
