import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { inspect } from 'node:util'
import type { Command } from 'commander'
import superjson from 'superjson'
import { StoreError } from '../../core/errors.js'
import type { JournalChunk } from '../../core/storage.js'
import type { ReplayedState } from '../../core/store-at.js'
import { FIRST_SEGMENT, FileJournalStorage } from '../file-storage.js'
import { blockLines, lineBlocks } from '../line-blocks.js'
import { CliError } from './cli-error.js'
import { escapeControl, formatCount, parsePoint } from './format.js'
import { DIR_ARGUMENT, locateJournal, type JournalDir } from './journal-dir.js'
import { loadDefinition } from './load-definition.js'
import { write } from './output.js'
import { Progress, formatBytes } from './progress.js'

interface ReplayOptions {
  definition: string
  export?: string
  until?: { seq: number } | { time: number }
  snapshotTo?: string
  json?: boolean
}

/** `prevalent replay DIR --definition MODULE`: the state at a point in time. @internal */
export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay the journal through your store definition up to a point, and print the state (or write it to a file)')
    .argument('<dir>', DIR_ARGUMENT)
    .requiredOption('-d, --definition <module>', 'module exporting the store definition (.js/.mjs; .ts with tsx installed)')
    .option('-e, --export <name>', 'which export is the definition (default: the default export, or the only definition)')
    .option('-u, --until <seq|time>', 'stop after this sequence number, or at this time (ISO 8601)', parsePoint)
    .option('-s, --snapshot-to <file>', 'write the state as JSON with superjson type annotations instead of printing it')
    .option('--json', 'print the state as JSON with superjson type annotations')
    .addHelpText('after', '\nIt starts from the newest whole snapshot at or before the point and reads the journal segments\nafter it. Everything is only read: no lock, no write; it may run beside the live store.\n\nExamples:\n  prevalent replay ./data --definition ./dist/store.js --until 1200\n  prevalent replay ./data -d ./store.ts -e bank --until 2026-11-24T18:00:00Z --snapshot-to then.json')
    .action(async (dir: string, options: ReplayOptions) => {
      process.exitCode = await replay(dir, options)
    })
}

async function replay(dir: string, options: ReplayOptions): Promise<number> {
  const journal = await locateJournal(dir)
  await assertRebuildable(journal, options.until)
  const definition = await loadDefinition(options.definition, options.export)
  // Loaded here, not at start: the other commands need neither Immer nor RxJS.
  const { replayUntil } = await import('../../core/store-at.js')
  const storage = new TrackedStorage(journal.dir)
  const started = performance.now()
  let state: ReplayedState<Record<string, unknown>>
  try {
    state = await replayUntil(definition, storage, {
      until: options.until,
      onWarning: (w) => process.stderr.write(`prevalent: ${escapeControl(w.message.replace(w.location, storage.segment))}\n`),
    })
  } catch (error) {
    // The offset is inside the segment being read, which the message must name.
    if (error instanceof StoreError && error.code === 'JOURNAL_CORRUPT' && error.details.location !== undefined) {
      throw new StoreError(error.code, error.message.replace(/^prevalent: /, '').replace(error.details.location, storage.segment), { ...error.details, location: storage.segment }, { cause: error })
    }
    throw error
  }
  const ms = performance.now() - started
  const time = state.seq === 0 ? 'the initial state' : new Date(state.time).toISOString()
  if (process.stderr.isTTY) process.stderr.write(`replayed ${formatCount(state.seq)} entries in ${ms.toFixed(0)} ms\n`)
  if (options.snapshotTo || options.json) {
    const { json, meta } = superjson.serialize(state.root)
    const document = JSON.stringify({ seq: state.seq, time: state.seq === 0 ? null : new Date(state.time).toISOString(), json, ...(meta ? { meta } : {}) })
    if (!options.snapshotTo) return write(document + '\n').then(() => 0)
    const file = options.snapshotTo
    writeAtomically(resolve(file), document + '\n')
    await write(`state at seq ${state.seq} (${time}) written to ${file} (${formatBytes(Buffer.byteLength(document) + 1)}); read it with superjson.deserialize(JSON.parse(text))\n`)
    return 0
  }
  await write(`# state at seq ${state.seq} (${time})\n${inspect(state.root, { depth: null, colors: process.stdout.isTTY === true, breakLength: 100 })}\n`)
  return 0
}

/**
 * Refuses a point before what the directory still holds: once the older segments were removed
 * after a snapshot, the earliest state it can rebuild is the oldest snapshot covering them.
 * @throws CliError naming the removed entries and the earliest point.
 */
async function assertRebuildable(journal: JournalDir, until: ReplayOptions['until']): Promise<void> {
  const firstSeq = journal.segments[0]?.firstSeq ?? Infinity
  if (firstSeq === 1) return
  const removed = firstSeq === Infinity ? 'the directory holds no journal segment' : `entries seq 1 to ${firstSeq - 1} were removed after a snapshot`
  const covering = journal.snapshots.find((s) => s.seq >= firstSeq - 1) ?? journal.snapshots[journal.snapshots.length - 1]
  if (!covering) throw new CliError(`expected ${journal.dir} to hold the journal from seq 1 or a snapshot, but ${removed} and there is no snapshot`)
  const header = await readHeader(covering.file)
  if (until === undefined || ('seq' in until ? until.seq >= header.seq : until.time >= header.time)) return
  const point = 'seq' in until ? `seq ${until.seq}` : new Date(until.time).toISOString()
  throw new CliError(`the state at ${point} cannot be rebuilt from ${journal.dir}: ${removed}; the earliest point is seq ${header.seq} (${new Date(header.time).toISOString()}, ${covering.file})`)
}

/** A snapshot's header line: its seq and time. @throws CliError when the first line is not one. */
async function readHeader(file: string): Promise<{ seq: number; time: number }> {
  for await (const block of lineBlocks(file)) {
    const line = block.data ? blockLines(block.data)[0] : block.tail.toString('utf8')
    try {
      const { seq, time } = JSON.parse(line) as { seq?: unknown; time?: unknown }
      if (typeof seq === 'number' && typeof time === 'string' && !Number.isNaN(Date.parse(time))) return { seq, time: Date.parse(time) }
    } catch {
      // reported below
    }
    break
  }
  throw new CliError(`expected a snapshot header line {"snapshot":1,"seq",…} at the start of ${file}; \`prevalent verify\` says what is wrong with it`)
}

/** The file journal, showing how far a read got across its segments and naming the segment it is in. */
class TrackedStorage extends FileJournalStorage {
  readonly #dir: string
  /** The segment being read, under the directory as the user named it. */
  segment: string

  constructor(dir: string) {
    super(dir)
    this.#dir = dir
    this.segment = join(dir, FIRST_SEGMENT)
  }

  override async *read(fromSeq?: number): AsyncIterable<JournalChunk> {
    const progress = new Progress('replay', await this.size(fromSeq))
    try {
      for await (const chunk of super.read(fromSeq)) {
        if (chunk.segment) this.segment = join(this.#dir, basename(chunk.segment.location))
        yield chunk
        if (chunk.bytesRead !== undefined) progress.update(chunk.bytesRead)
      }
    } finally {
      progress.done()
    }
  }
}

/** temp → fsync → rename → fsync the directory: a reader sees the old file or the whole new one. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}`
  const fd = openSync(temp, 'w')
  try {
    const bytes = Buffer.from(text, 'utf8')
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, file)
  const dir = openSync(dirname(file), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}
