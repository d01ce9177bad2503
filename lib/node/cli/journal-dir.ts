import { statSync } from 'node:fs'
import { basename, join, normalize } from 'node:path'
import { scanJournal, type ScanItem } from '../../core/journal-scan.js'
import { FileJournalStorage } from '../file-storage.js'
import { CliError } from './cli-error.js'
import { FileLines } from './file-lines.js'
import { Progress } from './progress.js'

/** A store directory's journal, located and measured. @internal */
export interface JournalFile {
  /** The directory as the user named it (messages echo it). */
  readonly dir: string
  /** The journal file, under the directory as named. */
  readonly file: string
  readonly size: number
  readonly storage: FileJournalStorage
}

/**
 * Finds the journal of a store directory (today one file, `journal.ndjson`).
 * @throws CliError when the directory or its journal does not exist.
 */
export function locateJournal(dir: string): JournalFile {
  const storage = new FileJournalStorage(dir)
  const named = normalize(dir)
  let isDir = false
  try {
    isDir = statSync(named).isDirectory()
  } catch {
    // reported below
  }
  if (!isDir) throw new CliError(`expected a store directory, but ${named} does not exist or is not a directory`)
  const file = join(named, basename(storage.location))
  let size: number
  try {
    size = statSync(file).size
  } catch {
    throw new CliError(`expected a journal at ${file}, found none (is ${named} a store directory?)`)
  }
  return { dir: named, file, size, storage }
}

/**
 * Scans the journal read-only (no lock) from its start, line by line, showing progress on a
 * terminal. Stops early when the consumer breaks out.
 */
export async function* scanFile(journal: JournalFile, label: string): AsyncGenerator<ScanItem[]> {
  const progress = new Progress(label, journal.size)
  try {
    for await (const items of scanJournal(new FileLines(journal.file))) {
      yield items
      const last = items[items.length - 1]
      progress.update(last.offset + last.length)
    }
  } finally {
    progress.done()
  }
}
