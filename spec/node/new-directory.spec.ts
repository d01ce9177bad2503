import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore } from '../../lib/index.js'
import { bank } from '../fixtures/bank.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const { openSync, fsyncSync, fsync } = fs

afterEach(() => {
  Object.assign(fs, { openSync, fsyncSync, fsync })
  syncBuiltinESMExports()
})

/** Records every path whose descriptor is fsynced (by watching opens and fsyncs). */
function watchFsyncs(): Set<string> {
  const paths = new Map<number, string>()
  const synced = new Set<string>()
  Object.assign(fs, {
    openSync: (path: fs.PathLike, ...rest: unknown[]) => {
      const fd = (openSync as (...args: unknown[]) => number)(path, ...rest)
      paths.set(fd, String(path))
      return fd
    },
    fsyncSync: (fd: number) => {
      synced.add(paths.get(fd) ?? `fd ${fd}`)
      return fsyncSync(fd)
    },
  })
  syncBuiltinESMExports()
  return synced
}

describe('a new store directory (issue 11)', () => {
  let root = ''
  eachTempDir('new-directory', (path) => (root = path))

  it('fsyncs the parent of every directory it created before the first acknowledgement', async () => {
    const dir = join(root, 'a', 'b', 'store')
    const synced = watchFsyncs()
    const store = await openStore(bank, { dir })
    await store.dispatch('transfer', 0, 1, 1)
    const before = new Set(synced)
    await store.close()
    for (const parent of [root, join(root, 'a'), join(root, 'a', 'b'), dir]) expect([...before]).toContain(parent)
  })
})
