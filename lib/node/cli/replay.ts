import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { inspect } from 'node:util'
import type { Command } from 'commander'
import superjson from 'superjson'
import { StoreError } from '../../core/errors.js'
import type { JournalChunk } from '../../core/storage.js'
import type { ReplayedState } from '../../core/store-at.js'
import { FIRST_SEGMENT, FileJournalStorage } from '../file-storage.js'
import { CliError } from './cli-error.js'
import { formatCount, parsePoint } from './format.js'
import { DIR_ARGUMENT, locateJournal } from './journal-dir.js'
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
    .addHelpText('after', '\nThe journal is only read (across every segment, from seq 1): no lock, no write; it may run\nbeside the live store.\n\nExamples:\n  prevalent replay ./data --definition ./dist/store.js --until 1200\n  prevalent replay ./data -d ./store.ts -e bank --until 2026-11-24T18:00:00Z --snapshot-to then.json')
    .action(async (dir: string, options: ReplayOptions) => {
      process.exitCode = await replay(dir, options)
    })
}

async function replay(dir: string, options: ReplayOptions): Promise<number> {
  const journal = await locateJournal(dir)
  const first = journal.segments[0]
  if (first === undefined || first.firstSeq > 1) {
    const kept = first ? `the journal starts at seq ${first.firstSeq} (${first.file})` : 'the directory holds no journal segment'
    throw new CliError(`replay reads the journal from seq 1, but ${kept}: the older segments were removed after a snapshot, so points before it cannot be rebuilt from this directory`)
  }
  const definition = await loadDefinition(options.definition, options.export)
  // Loaded here, not at start: the other commands need neither Immer nor RxJS.
  const { replayUntil } = await import('../../core/store-at.js')
  const progress = new Progress('replay', journal.size)
  const storage = new TrackedStorage(journal.dir, (bytes) => progress.update(bytes))
  const started = performance.now()
  let state: ReplayedState<Record<string, unknown>>
  try {
    state = await replayUntil(definition, storage, {
      until: options.until,
      onWarning: (w) => process.stderr.write(`prevalent: ${w.message.replace(w.location, storage.segment)}\n`),
    })
  } catch (error) {
    // The offset is inside the segment being read, which the message must name.
    if (error instanceof StoreError && error.code === 'JOURNAL_CORRUPT' && error.details.location !== undefined) {
      throw new StoreError(error.code, error.message.replace(/^prevalent: /, '').replace(error.details.location, storage.segment), { ...error.details, location: storage.segment }, { cause: error })
    }
    throw error
  } finally {
    progress.done()
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

/** The file journal, telling how far a read got across all segments and which segment it is in. */
class TrackedStorage extends FileJournalStorage {
  readonly #dir: string
  readonly #progress: (bytes: number) => void
  /** The segment being read, under the directory as the user named it. */
  segment: string

  constructor(dir: string, progress: (bytes: number) => void) {
    super(dir)
    this.#dir = dir
    this.#progress = progress
    this.segment = join(dir, FIRST_SEGMENT)
  }

  override async *read(fromSeq?: number): AsyncIterable<JournalChunk> {
    for await (const chunk of super.read(fromSeq)) {
      if (chunk.segment) this.segment = join(this.#dir, basename(chunk.segment.location))
      yield chunk
      if (chunk.bytesRead !== undefined) this.#progress(chunk.bytesRead)
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
