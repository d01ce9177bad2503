import { closeSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { open as openFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import fse from 'fs-extra'
import type { JournalChunk, JournalStorage } from '../core/storage.js'
import { DirectoryLock } from './lock.js'

/** Options of {@link FileJournalStorage}. */
export interface FileJournalOptions {
  /** The journal file's name inside the directory (default `journal.ndjson`). */
  readonly fileName?: string
  /**
   * Where `fdatasync` runs: `'threadpool'` (default) keeps the event loop free while the disk
   * works, so reads and new dispatches go on; `'inline'` blocks the event loop for the fsync but
   * saves the hand-off to libuv's thread pool (tens of µs), the lowest latency one at a time.
   */
  readonly fsync?: 'threadpool' | 'inline'
}

const READ_CHUNK = 1 << 20

/**
 * The embedded default: a journal file (`journal.ndjson`) in a directory, appended with one
 * `write` per batch and made durable with `fdatasync`. Writers hold the directory's flock.
 */
export class FileJournalStorage implements JournalStorage {
  readonly location: string
  readonly #dir: string
  readonly #inlineSync: boolean
  #fd = -1
  #lock: DirectoryLock | null = null

  constructor(dir: string, options: FileJournalOptions = {}) {
    this.#dir = resolve(dir)
    this.location = join(this.#dir, options.fileName ?? 'journal.ndjson')
    this.#inlineSync = options.fsync === 'inline'
  }

  async open({ write }: { write: boolean }): Promise<void> {
    if (!write) return
    await fse.ensureDir(this.#dir)
    this.#lock = DirectoryLock.acquire(this.#dir)
    try {
      const existed = await fse.pathExists(this.location)
      this.#fd = openSync(this.location, 'a')
      // A new file's directory entry must itself be durable, or a crash could lose the file.
      if (!existed) syncDirectory(this.#dir)
    } catch (error) {
      this.#lock.release()
      this.#lock = null
      throw error
    }
  }

  async *read(): AsyncIterable<JournalChunk> {
    let handle
    try {
      handle = await openFile(this.location, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK)
      let carry = Buffer.alloc(0)
      let position = 0
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null)
        if (bytesRead === 0) break
        const data = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead)
        const last = data.lastIndexOf(0x0a)
        if (last >= 0) {
          const lines = data.toString('utf8', 0, last).split('\n')
          const offset = position
          position += last + 1
          carry = Buffer.from(data.subarray(last + 1))
          yield { offset, lines }
        } else {
          carry = Buffer.from(data)
        }
      }
      if (carry.length > 0) yield { offset: position, lines: [], tail: { offset: position, text: carry.toString('utf8') } }
    } finally {
      await handle.close()
    }
  }

  async truncate(offset: number): Promise<void> {
    ftruncateSync(this.#fd, offset)
    fdatasyncSync(this.#fd)
  }

  async append(text: string): Promise<void> {
    let buffer = Buffer.from(text, 'utf8')
    while (buffer.length > 0) {
      const written = writeSync(this.#fd, buffer)
      buffer = buffer.subarray(written)
    }
  }

  sync(): Promise<void> {
    if (this.#inlineSync) {
      try {
        fdatasyncSync(this.#fd)
        return Promise.resolve()
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return new Promise((done, fail) => fdatasync(this.#fd, (error) => (error ? fail(error) : done())))
  }

  async close(): Promise<void> {
    if (this.#fd >= 0) closeSync(this.#fd)
    this.#fd = -1
    this.#lock?.release()
    this.#lock = null
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
