import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createStore, MemoryJournalStorage, openStore } from '../../lib/index.js'
import { bank, seed } from '../fixtures/definitions.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

describe('idempotent dispatch', () => {
  it('applies a keyed call once: a retry resolves with the first seq and result', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(bank, { storage })
    const first = await store.dispatchOnce('open-ann', 'open', 'ann', 100)
    const retry = await store.dispatchOnce('open-ann', 'open', 'ann', 100)
    expect(first).toEqual({ seq: 1, result: expect.any(String), journaled: true, duplicate: false })
    expect(retry).toEqual({ ...first, duplicate: true })
    expect(Object.keys(store.state.accounts)).toEqual([first.result])
    expect(storage.text.trim().split('\n')).toHaveLength(1)
    expect(JSON.parse(storage.text)).toMatchObject({ seq: 1, tx: 'open', key: 'open-ann', args: ['ann', 100] })
    await store.close()
  })

  it('shares the outcome with a retry that arrives while the first call is in flight', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(bank, { storage })
    const [a, b] = await Promise.all([store.dispatchOnce('k', 'open', 'ann', 1), store.dispatchOnce('k', 'open', 'ann', 1)])
    expect(b).toEqual({ ...a, duplicate: true })
    expect(store.seq).toBe(1)
    await store.close()
  })

  it('journals a keyed call even when its recipe changes nothing, so its key is kept', async () => {
    const store = await createStore(seed, { storage: new MemoryJournalStorage() })
    await expect(store.dispatchOnce('look', 'noop')).resolves.toEqual({ seq: 1, result: 0, journaled: true, duplicate: false })
    await expect(store.dispatch('noop')).resolves.toMatchObject({ seq: 1, journaled: false })
    await store.close()
  })

  it('does not remember a call whose recipe threw: its retry runs again', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    const ann = (await store.dispatch('open', 'ann', 0)).result as string
    const bob = (await store.dispatch('open', 'bob', 100)).result as string
    await expect(store.dispatchOnce('pay-1', 'transfer', ann, bob, 50)).rejects.toThrow('insufficient funds')
    await store.dispatch('transfer', bob, ann, 100)
    await expect(store.dispatchOnce('pay-1', 'transfer', ann, bob, 50)).resolves.toMatchObject({ seq: 4, duplicate: false })
    expect(store.state.accounts[ann].balance).toBe(50)
    await store.close()
  })

  it('rejects a key reused for another call with IDEMPOTENCY_CONFLICT, and a bad key with INVALID_KEY', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    await store.dispatchOnce('k', 'open', 'ann', 1)
    const conflict = await store.dispatchOnce('k', 'open', 'ann', 2).catch((e: unknown) => e)
    expect(conflict).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', details: { transaction: 'open' } })
    expect(String(conflict)).toContain('first used for a different call ("open" with ["ann",1]); expected a retry to send the same transaction and arguments, got "open" with ["ann",2]')
    await expect(store.dispatchOnce('', 'open', 'ann', 1)).rejects.toMatchObject({ code: 'INVALID_KEY' })
    await expect(store.dispatchOnce('x'.repeat(257), 'open', 'ann', 1)).rejects.toMatchObject({ code: 'INVALID_KEY' })
    await expect(store.dispatchOnce(7 as unknown as string, 'open', 'ann', 1)).rejects.toMatchObject({ code: 'INVALID_KEY' })
    expect(store.seq).toBe(1)
    await store.close()
  })

  it('forgets the oldest keys beyond idempotencyWindow, the same way after a restart', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage, idempotencyWindow: 2 })
    for (const key of ['a', 'b', 'c']) await store.dispatchOnce(key, 'inc')
    await expect(store.dispatchOnce('c', 'inc')).resolves.toMatchObject({ seq: 3, duplicate: true })
    await expect(store.dispatchOnce('a', 'inc')).resolves.toMatchObject({ seq: 4, duplicate: false })
    await store.close()
    const again = await createStore(seed, { storage, idempotencyWindow: 2 })
    await expect(again.dispatchOnce('a', 'inc')).resolves.toMatchObject({ seq: 4, duplicate: true })
    await expect(again.dispatchOnce('c', 'inc')).resolves.toMatchObject({ seq: 3, duplicate: true })
    await expect(again.dispatchOnce('b', 'inc')).resolves.toMatchObject({ seq: 5, duplicate: false })
    await again.close()
  })
})

describe('idempotent dispatch across a restart', () => {
  let dir = ''
  eachTempDir('once', (path) => (dir = path))

  it('resolves a retry after a restart with the first outcome, applying nothing again', async () => {
    const store = await openStore(bank, { dir })
    const first = await store.dispatchOnce('order-17', 'open', 'ann', 100)
    await store.dispatch('open', 'bob', 5)
    await store.close()
    const file = join(dir, 'journal.ndjson')
    const journal = readFileSync(file, 'utf8')

    const again = await openStore(bank, { dir })
    const retry = await again.dispatchOnce('order-17', 'open', 'ann', 100)
    expect(retry).toEqual({ ...first, duplicate: true })
    expect(Object.values(again.state.accounts).map((a) => a.owner)).toEqual(['ann', 'bob'])
    await again.close()
    expect(readFileSync(file, 'utf8')).toBe(journal)
  })

  it('keeps the key inside the checksum: an edited key is damage', async () => {
    const store = await openStore(bank, { dir })
    await store.dispatchOnce('order-17', 'open', 'ann', 100)
    await store.dispatch('open', 'bob', 5)
    await store.close()
    const file = join(dir, 'journal.ndjson')
    writeFileSync(file, readFileSync(file, 'utf8').replace('"key":"order-17"', '"key":"order-18"'))
    await expect(openStore(bank, { dir })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT', details: { seq: 1, offset: 0 } })
  })
})
