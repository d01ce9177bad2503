import type { Command } from 'commander'
import { cuttable, describeProblem, examine, placeOf, type Examination } from './examine.js'
import { formatBytes } from './progress.js'
import { plural } from './format.js'
import { DIR_ARGUMENT, locateJournal, type JournalDir } from './journal-dir.js'
import { write } from './output.js'

/** `prevalent verify DIR`: checksums, sequence, segments and snapshots, every problem named. @internal */
export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description('check every entry of every journal segment (checksum, format, gap-free sequence within and across segments) and every snapshot, and name every problem with file and byte offset (or line)')
    .argument('<dir>', DIR_ARGUMENT)
    .option('--json', 'print the report as one JSON object')
    .addHelpText('after', '\nExit code: 0 when all is well, 1 when a problem was found (a damaged line, missing entries,\na torn last entry, a damaged snapshot, entry times that go backwards), 2 when the directory could not be read.\nLeftover temporary files of interrupted snapshot writes are noted, not counted as problems.')
    .action(async (dir: string, options: { json?: boolean }) => {
      process.exitCode = await verify(dir, options)
    })
}

async function verify(dir: string, options: { json?: boolean }): Promise<number> {
  const journal = await locateJournal(dir)
  const found = await examine(journal, 'verify', async (problem) => {
    if (!options.json) await write(describeProblem(problem) + '\n')
  })
  await write(options.json ? JSON.stringify(toJson(journal, found)) + '\n' : summary(journal, found))
  return found.problems.length === 0 ? 0 : 1
}

function summary(journal: JournalDir, found: Examination): string {
  const lines = found.segments.map((s) => {
    const range = s.entries === 0 ? '' : s.entries === 1 ? ` (seq ${s.firstEntry})` : ` (seq ${s.firstEntry} to ${s.lastEntry})`
    return `${s.file}: ${plural(s.entries, 'valid entry', 'valid entries')}${range}, ${formatBytes(s.bytes)}`
  })
  for (const s of found.snapshots) lines.push(`${s.file}: ${s.whole ? 'whole' : 'DAMAGED'} snapshot at seq ${s.seq}, ${formatBytes(s.bytes)}`)
  lines.push(...found.notes.map((note) => `note: ${note}`))
  const { problems } = found
  const from = found.base > 0 ? `from the snapshot at seq ${found.base}` : 'from seq 1'
  if (problems.length === 0) {
    const chain = found.snapshots.length === 0 ? '' : `; a store opens ${from}, and the segments after it join up`
    lines.push(`ok: every checksum matches and the sequence has no gaps${chain}`)
    return lines.join('\n') + '\n'
  }
  const count = plural(problems.length, 'problem')
  const blocking = problems.find((p) => p.blocksOpen)
  const repairable = problems.every((p) => cuttable(journal, p))
  const advice = repairable
    ? `\`prevalent repair ${journal.dir}\` ${problems.every((p) => p.kind === 'torn-tail') ? 'cuts it now' : 'truncates the newest segment there'} and keeps a backup of what it removes`
    : `\`prevalent repair ${journal.dir} --dry-run\` says what can be done`
  if (problems.every((p) => p.kind === 'time-backwards')) {
    lines.push(`${count}: entry times go backwards; a store opens and replays the journal as it is, but a point in time given as a time refuses it (ask by seq)`)
  } else if (problems.every((p) => p.kind === 'torn-tail' && cuttable(journal, p))) {
    lines.push(`${count}: only a torn last entry; opening the store cuts it off. ${advice}`)
  } else if (blocking) {
    lines.push(`${count}: a store refuses to open this directory (first: ${placeOf(blocking)}). ${advice}`)
  } else {
    lines.push(`${count}: a store still opens (${from}), but what is named above is lost or damaged. ${advice}`)
  }
  return lines.join('\n') + '\n'
}

function toJson(journal: JournalDir, found: Examination): object {
  return {
    dir: journal.dir,
    ok: found.problems.length === 0,
    bytes: journal.size,
    entries: found.entries,
    firstSeq: found.firstSeq,
    lastSeq: found.lastSeq,
    opensFromSnapshot: found.base > 0 ? found.base : null,
    segments: found.segments,
    snapshots: found.snapshots,
    problems: found.problems,
    notes: found.notes,
  }
}
