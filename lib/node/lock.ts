import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { StoreError } from '../core/errors.js'
import { loadFileLock } from './flock.js'

/**
 * An exclusive write lock on a store directory, held on `<dir>/LOCK` (see `loadFileLock`). The
 * kernel releases it when the holder exits or is killed, so a lock left by a dead process is simply
 * free again: no staleness guess, no pid to trust. The file's content only names the holder.
 * @internal
 */
export class DirectoryLock {
  readonly #fd: number

  private constructor(fd: number) {
    this.#fd = fd
  }

  /** Takes the lock or throws `LOCKED` naming the current holder. */
  static acquire(dir: string): DirectoryLock {
    const lock = loadFileLock()
    const path = join(dir, 'LOCK')
    const fd = openSync(path, 'a+')
    try {
      if (!lock.tryLock(fd)) throw Object.assign(new Error('the lock is held'), { code: 'EAGAIN' })
    } catch (error) {
      closeSync(fd)
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
        let holder = 'unknown holder'
        try {
          holder = readFileSync(path, 'utf8').trim() || holder
        } catch {
          // The holder's note is informational only.
        }
        throw new StoreError('LOCKED', `store directory ${dir} is locked by another writer (${holder}); only one process may write a journal — close the other store, or open this one read-only`, { location: path })
      }
      throw error
    }
    // Name the holder for whoever is refused next (the lock itself is the flock, not this text).
    ftruncateSync(fd, 0)
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }) + '\n')
    return new DirectoryLock(fd)
  }

  /** Releases the lock. The LOCK file stays: removing it would race with the next locker. */
  release(): void {
    loadFileLock().unlock(this.#fd)
    closeSync(this.#fd)
  }
}
