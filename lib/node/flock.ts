import { createRequire } from 'node:module'
import { StoreError } from '../core/errors.js'

/**
 * An exclusive, non-blocking lock on an open file, held by that open file (not by the process)
 * and released by the kernel when the file is closed or its process dies.
 * @internal
 */
export interface FileLock {
  /** Takes the lock on `fd`; `false` when another open file holds it. */
  tryLock(fd: number): boolean
  /** Releases the lock taken on `fd`. */
  unlock(fd: number): void
}

/** The package that provides the lock: prebuilt N-API binaries, so no compiler at install. */
const PROVIDER = 'fs-native-extensions'

let loaded: FileLock | undefined

/**
 * Loads the lock primitive on first use: only a store opened for writing on files needs it, so
 * memory stores, read-only opens and browser bundles never load a native addon. Linux uses
 * open-file-description locks (`F_OFD_SETLK`), macOS `flock(2)`, Windows `LockFileEx`: each
 * excludes a second opener in the same process too, and none outlives its process.
 * @throws {StoreError} `LOCK_UNAVAILABLE` when the provider cannot be loaded.
 * @internal
 */
export function loadFileLock(): FileLock {
  if (loaded) return loaded
  let native: { tryLock(fd: number, offset: number, length: number, options: { shared: boolean }): boolean; unlock(fd: number): void }
  try {
    native = createRequire(import.meta.url)(PROVIDER)
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new StoreError(
      'LOCK_UNAVAILABLE',
      `a store that writes files needs the exclusive file lock of the '${PROVIDER}' package, which did not load (${reason}); install it with \`npm install ${PROVIDER}\` (it ships prebuilt binaries for Linux, macOS and Windows on x64 and arm64: no compiler needed), or use a memory storage or a read-only open`,
      {},
      { cause: error },
    )
  }
  loaded = {
    tryLock(fd) {
      try {
        return native.tryLock(fd, 0, 0, { shared: false })
      } catch (error) {
        // The provider maps EAGAIN to `false`; some systems report a held lock as EACCES.
        if ((error as NodeJS.ErrnoException).code === 'EACCES') return false
        throw error
      }
    },
    unlock: (fd) => native.unlock(fd),
  }
  return loaded
}
