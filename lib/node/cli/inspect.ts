import type { Command } from 'commander'
import { formatEntry, formatProblem, parseSeq, parseTime } from './format.js'
import { DIR_ARGUMENT, locateJournal, scanSegments } from './journal-dir.js'
import { write } from './output.js'

interface InspectOptions {
  name?: string[]
  from?: number
  to?: number
  since?: number
  until?: number
  json?: boolean
}

function collectNames(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((n) => n !== '')]
}

/** `prevalent inspect DIR`: the entries as readable lines, filtered. @internal */
export function inspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('print journal entries as readable lines: seq, time, transaction(arguments)')
    .argument('<dir>', DIR_ARGUMENT)
    .option('-n, --name <names>', 'only these transactions (comma-separated, repeatable)', collectNames)
    .option('--from <seq>', 'only entries from this sequence number on', parseSeq)
    .option('--to <seq>', 'only entries up to this sequence number', parseSeq)
    .option('--since <time>', 'only entries at or after this time (ISO 8601)', parseTime)
    .option('--until <time>', 'only entries at or before this time (ISO 8601)', parseTime)
    .option('--json', 'print the matching journal lines as they are (NDJSON), for machines')
    .addHelpText('after', '\nEntries are read across every journal segment, oldest first. Damaged lines and missing\nentries are reported on stderr (with file and byte offset) and make the exit code 1.\n\nExamples:\n  prevalent inspect ./data --name deposit,withdraw --from 100 --to 200\n  prevalent inspect ./data --since 2026-11-24T18:00:00Z --json | jq .args')
    .action(async (dir: string, options: InspectOptions) => {
      process.exitCode = await inspect(dir, options)
    })
}

async function inspect(dir: string, options: InspectOptions): Promise<number> {
  const journal = await locateJournal(dir)
  const names = options.name ? new Set(options.name) : null
  const { from = 0, to = Infinity, since = -Infinity, until = Infinity } = options
  const colors = process.stdout.isTTY === true && !options.json
  let damaged = 0
  let out = ''
  scan: for await (const { segment, items } of scanSegments(journal, 'inspect')) {
    for (const item of items) {
      if (item.kind !== 'entry') {
        // Entries before the first segment were removed after a snapshot: nothing to show.
        if (item.kind === 'gap' && item.previous === null) continue
        if (item.kind !== 'torn') damaged++
        process.stderr.write(`! ${formatProblem(segment.file, item)}\n`)
        continue
      }
      const { entry } = item
      if (entry.seq > to) break scan
      if (entry.seq < from || entry.time < since || entry.time > until || (names && !names.has(entry.name))) continue
      out += options.json ? item.line + '\n' : formatEntry(entry, colors) + '\n'
    }
    await write(out)
    out = ''
  }
  await write(out)
  return damaged > 0 ? 1 : 0
}
