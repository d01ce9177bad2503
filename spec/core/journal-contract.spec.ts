import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe } from 'vitest'
import type { JournalStorage } from '../../lib/index.js'
import { tailContract } from '../fixtures/tail-contract.js'
import { FileJournalStorage } from '../../lib/index.js'
import { describeStorageContract, MemoryJournalStorage } from '../../lib/testing/index.js'

// One contract, every storage: the suite the test kit exports, run over our own backends.
const root = mkdtempSync(join(tmpdir(), 'prevalent-contract-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

describeStorageContract('memory storage', () => {
  const storage = new MemoryJournalStorage()
  return () => storage
})

describeStorageContract('file storage', () => {
  const dir = join(root, `j${n++}`)
  return () => new FileJournalStorage(dir)
})

describeStorageContract('file storage with inline fsync', () => {
  const dir = join(root, `j${n++}`)
  return () => new FileJournalStorage(dir, { fsync: 'inline' })
})

// The live tail (followers), for every backend above that has one: a block of its own, so it
// moves with the contract wherever the contract goes.
const backends: Array<[string, () => () => JournalStorage]> = [
  ['memory', () => {
    const storage = new MemoryJournalStorage()
    return () => storage
  }],
  ['file', () => {
    const dir = join(root, `j${n++}`)
    return () => new FileJournalStorage(dir)
  }],
]

describe.each(backends)('journal tail contract: %s storage', (_name, make) => {
  tailContract(make)
})
