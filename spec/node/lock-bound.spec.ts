import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore, type StoreError } from '../../lib/index.js'
import { bank } from '../fixtures/bank.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

describe('the lock is bound to the LOCK file at its path (issue 11)', () => {
  let root = ''
  eachTempDir('lock-bound', (path) => (root = path))

  it('refuses to append once LOCK was deleted, so a second writer never shares the journal', async () => {
    const dir = join(root, 'store')
    const first = await openStore(bank, { dir })
    await first.dispatch('transfer', 0, 1, 1)
    rmSync(join(dir, 'LOCK'))
    // Nothing stops a second opener now: the deleted file's lock binds nobody.
    const second = await openStore(bank, { dir })
    const refused = (await first.dispatch('transfer', 0, 1, 2).then(
      () => expect.unreachable('the first writer appended after losing its lock'),
      (e: unknown) => e,
    )) as StoreError
    expect(refused.code).toBe('LOCK_LOST')
    expect(refused.message).toContain(join(dir, 'LOCK'))
    for (let i = 0; i < 3; i++) await second.dispatch('transfer', 2, 3, 1)
    await first.close()
    await second.close()
    const reopened = await openStore(bank, { dir })
    expect(reopened.seq).toBe(4)
    expect(reopened.state.balances.slice(0, 4)).toEqual([999, 1001, 997, 1003])
    await reopened.close()
  })

  it('halts a writer whose LOCK was replaced by another file', async () => {
    const dir = join(root, 'store')
    const store = await openStore(bank, { dir })
    rmSync(join(dir, 'LOCK'))
    writeFileSync(join(dir, 'LOCK'), 'someone else\n')
    await expect(store.dispatch('transfer', 0, 1, 1)).rejects.toMatchObject({ code: 'LOCK_LOST' })
    await expect(store.snapshot()).rejects.toMatchObject({ code: 'STORE_HALTED' })
    await store.close()
  })

  it('refuses a LOCK that is a symbolic link, leaving its target untouched', async () => {
    const dir = join(root, 'store')
    mkdirSync(dir)
    const target = join(root, 'precious.txt')
    writeFileSync(target, 'do not overwrite\n')
    symlinkSync(target, join(dir, 'LOCK'))
    await expect(openStore(bank, { dir })).rejects.toMatchObject({ code: 'LOCK_INVALID' })
    expect(readFileSync(target, 'utf8')).toBe('do not overwrite\n')
  })
})
