import type { Command } from 'commander'
import type { ScannedDamage, ScannedTornTail } from '../../core/journal-scan.js'
import { formatBytes } from './progress.js'
import { formatProblem, plural } from './format.js'
import { locateJournal, scanFile, type JournalFile } from './journal-dir.js'
import { write } from './output.js'

/** `prevalent verify DIR`: checksums and sequence, every problem named. @internal */
export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description('check every entry (checksum, format, gap-free sequence) and name every problem with file and byte offset')
    .argument('<dir>', 'store directory (holding journal.ndjson)')
    .option('--json', 'print the report as one JSON object')
    .addHelpText('after', '\nExit code: 0 when all is well, 1 when a problem was found (a damaged line, a sequence gap,\na torn last entry), 2 when the journal could not be read.')
    .action(async (dir: string, options: { json?: boolean }) => {
      process.exitCode = await verify(dir, options)
    })
}

interface Report {
  file: string
  bytes: number
  entries: number
  firstSeq: number | null
  lastSeq: number | null
  problems: Array<ScannedDamage | ScannedTornTail>
}

async function verify(dir: string, options: { json?: boolean }): Promise<number> {
  const journal = locateJournal(dir)
  const report: Report = { file: journal.file, bytes: journal.size, entries: 0, firstSeq: null, lastSeq: null, problems: [] }
  for await (const items of scanFile(journal, 'verify')) {
    let out = ''
    for (const item of items) {
      if (item.kind === 'entry') {
        report.entries++
        report.firstSeq ??= item.entry.seq
        report.lastSeq = item.entry.seq
      } else {
        report.problems.push(item)
        if (!options.json) out += formatProblem(journal.file, item) + '\n'
      }
    }
    await write(out)
  }
  await write(options.json ? JSON.stringify(toJson(report)) + '\n' : summary(journal, report))
  return report.problems.length === 0 ? 0 : 1
}

function summary(journal: JournalFile, report: Report): string {
  const range = report.entries === 0 ? '' : ` (seq ${report.firstSeq} to ${report.lastSeq})`
  const head = `${journal.file}: ${plural(report.entries, 'valid entry', 'valid entries')}${range}, ${formatBytes(report.bytes)}\n`
  const damage = report.problems.filter((p) => p.kind === 'damage')
  if (report.problems.length === 0) return `${head}ok: every checksum matches and the sequence has no gaps\n`
  const count = plural(report.problems.length, 'problem')
  if (damage.length === 0) {
    return `${head}${count}: only a torn last entry; opening the store cuts it off. \`prevalent repair ${journal.dir}\` cuts it now and keeps a backup\n`
  }
  const first = damage[0]
  return `${head}${count}: a store refuses to open this journal (first damage at byte ${first.offset}, seq ${first.seq}). \`prevalent repair ${journal.dir}\` truncates it there and keeps a backup of what it removes\n`
}

function toJson(report: Report): object {
  return {
    ...report,
    ok: report.problems.length === 0,
    problems: report.problems.map((p) => ({
      kind: p.kind === 'damage' ? 'damaged-entry' : 'torn-tail',
      file: report.file,
      offset: p.offset,
      length: p.length,
      seq: p.kind === 'damage' ? p.seq : (p.entry?.seq ?? null),
      reason: p.kind === 'damage' ? p.reason : 'torn last entry (no line break)',
    })),
  }
}
