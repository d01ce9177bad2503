import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
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
