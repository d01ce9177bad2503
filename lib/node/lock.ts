import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { StoreError } from '../core/errors.js'
import { loadFileLock } from './flock.js'

/** Opened for the lock: never through a symbolic link (a LOCK pointing elsewhere would have its target overwritten). */
const LOCK_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW

/** How often a lock whose file was swapped while it was taken is tried again. */
const ATTEMPTS = 3

/**
 * An exclusive write lock on a store directory, held on `<dir>/LOCK` (see `loadFileLock`). The
 * kernel releases it when the holder exits or is killed, so a lock left by a dead process is simply
 * free again: no staleness guess, no pid to trust. The file's content only names the holder.
 *
 * A flock binds the file, not its name: were `LOCK` deleted or replaced, a second opener would
 * lock the new file and get in. So the lock is bound to the file at the path: checked right
 * after it is taken, and by {@link verify} before every append and segment roll; the writer
 * refuses to write once the file at the path is no longer the one it locked.
 * @internal
 */
export class DirectoryLock {
  readonly #fd: number
  readonly #path: string
  readonly #dev: number
  readonly #ino: number

  private constructor(fd: number, path: string) {
    this.#fd = fd
    this.#path = path
    const { dev, ino } = fstatSync(fd)
    this.#dev = dev
    this.#ino = ino
  }

  /**
   * Takes the lock or throws `LOCKED` naming the current holder.
   * @throws StoreError `LOCKED` (another writer holds it), `LOCK_INVALID` (`LOCK` is a symbolic
   * link or not a regular file), `LOCK_LOST` (the file kept being replaced while it was taken).
   */
  static acquire(dir: string): DirectoryLock {
    const primitive = loadFileLock()
    const path = join(dir, 'LOCK')
    for (let attempt = 1; ; attempt++) {
      const fd = openLockFile(path)
      let taken: boolean
      try {
        taken = primitive.tryLock(fd)
      } catch (error) {
        closeSync(fd)
        throw error
      }
      if (!taken) {
        closeSync(fd)
        throw locked(dir, path)
      }
      const lock = new DirectoryLock(fd, path)
      // The file may have been deleted (and re-created) between the open and the flock: then
      // this flock binds nobody. Take the one at the path instead.
      if (lock.#isAtPath()) {
        // Name the holder for whoever is refused next (the lock itself is the flock, not this text).
        ftruncateSync(fd, 0)
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + '\n')
        return lock
      }
      lock.release()
      if (attempt >= ATTEMPTS) throw lost(path, `it was replaced ${ATTEMPTS} times while the lock was being taken`)
    }
  }

  /**
   * Checks that the file at `<dir>/LOCK` is still the one this lock holds.
   * @throws StoreError `LOCK_LOST` when it was deleted or replaced: another process may have
   * taken the lock, so this one must not write.
   */
  verify(): void {
    if (!this.#isAtPath()) throw lost(this.#path, 'it was deleted or replaced while this store held it, so another writer may hold it now')
  }

  /** Releases the lock. The LOCK file stays: removing it would race with the next locker. */
  release(): void {
    loadFileLock().unlock(this.#fd)
    closeSync(this.#fd)
  }

  #isAtPath(): boolean {
    const now = lstatSync(this.#path, { throwIfNoEntry: false })
    return now !== undefined && now.dev === this.#dev && now.ino === this.#ino
  }
}

function openLockFile(path: string): number {
  let fd: number
  try {
    fd = openSync(path, LOCK_FLAGS, 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw invalid(path, 'a symbolic link')
    throw error
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd)
    throw invalid(path, 'not a regular file')
  }
  return fd
}

function locked(dir: string, path: string): StoreError {
  let holder = 'unknown holder'
  try {
    holder = readFileSync(path, 'utf8').trim() || holder
  } catch {
    // The holder's note is informational only.
  }
  return new StoreError('LOCKED', `store directory ${dir} is locked by another writer (${holder}); only one process may write a journal — close the other store, or open this one read-only`, { location: path })
}

function invalid(path: string, what: string): StoreError {
  return new StoreError('LOCK_INVALID', `the lock file ${path} is ${what}; expected a regular file (or none). Refusing to follow or overwrite it: remove it once no store has the directory open`, { location: path })
}

function lost(path: string, why: string): StoreError {
  return new StoreError('LOCK_LOST', `the write lock on ${path} is lost: ${why}. Nothing more is written; reopen the store once no other writer has the directory`, { location: path })
}
