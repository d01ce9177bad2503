import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createStore, createStoreAt, MemoryJournalStorage, openStore, openStoreAt, type StoreWarning } from '../../lib/index.js'
import { bank, seed } from '../fixtures/definitions.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

type Command = ['add', number, number] | ['swap'] | ['inc'] | ['setS', Record<string, unknown>] | ['noop']
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.constant('add' as const), fc.integer({ min: -99, max: 99 }), fc.integer({ min: -99, max: 99 })),
  fc.constant(['swap'] as ['swap']),
  fc.constant(['inc'] as ['inc']),
  fc.constant(['noop'] as ['noop']),
  fc.tuple(fc.constant('setS' as const), fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer(), fc.date({ noInvalidDate: true }), fc.bigInt()), { maxKeys: 3 })),
)

describe('point in time', () => {
  it('gives, at every sequence number, the state the live store had right after that entry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 25 }), async (commands) => {
        const storage = new MemoryJournalStorage()
        const store = await createStore(seed, { storage })
        const live = new Map<number, unknown>([[0, store.state]])
        for (const [name, ...args] of commands) {
          const { seq } = await (store.dispatch as (n: string, ...a: unknown[]) => Promise<{ seq: number }>)(name, ...args)
          live.set(seq, store.state)
        }
        await store.close()
        for (const [seq, state] of live) {
          const then = await createStoreAt(seed, { storage, until: { seq } })
          expect({ seq: then.seq, state: then.state }).toEqual({ seq, state })
          await then.close()
        }
      }),
      { numRuns: 40 },
    )
  })

  it('stops at a time: after the last entry journaled at or before it', async () => {
    let now = Date.parse('2026-11-24T18:00:00.000Z')
    const storage = new MemoryJournalStorage()
    const store = await createStore(bank, { storage, clock: () => (now += 60_000) })
    const ann = (await store.dispatch('open', 'ann', 100)).result as string
    const bob = (await store.dispatch('open', 'bob', 0)).result as string
    const afterOpening = store.state
    await store.dispatch('transfer', ann, bob, 30)
    await store.close()
    const at = (iso: string) => createStoreAt(bank, { storage, until: { time: new Date(iso) } })
    expect((await at('2026-11-24T18:02:00.000Z')).state).toEqual(afterOpening)
    expect((await at('2026-11-24T18:02:59.999Z')).seq).toBe(2)
    expect((await at('2026-11-24T18:03:00.000Z')).seq).toBe(3)
    expect((await at('2026-11-24T17:00:00.000Z')).state).toEqual({ accounts: {}, log: [] })
    expect((await createStoreAt(bank, { storage, until: { time: Date.parse('2030-01-01') } })).seq).toBe(3)
  })

  it('rejects dispatch with READ_ONLY, naming the point', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage })
    await store.dispatch('add', 1, 2)
    await store.close()
    const then = await createStoreAt(seed, { storage, until: { seq: 1 } })
    const error = await then.dispatch('inc').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'READ_ONLY', details: { seq: 1, transaction: 'inc' } })
    expect(String(error)).toContain('read-only at seq 1')
    expect(then.state).toEqual({ x: 1, y: 2, s: {} })
  })

  it('refuses a sequence number the journal does not reach with OUT_OF_RANGE', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage })
    await store.dispatch('add', 1, 2)
    await store.close()
    await expect(createStoreAt(seed, { storage, until: { seq: 2 } })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', message: expect.stringContaining('ends at seq 1; expected until.seq between 0 and 1, got 2') })
    await expect(createStoreAt(seed, { storage, until: { seq: -1 } })).rejects.toMatchObject({ code: 'OUT_OF_RANGE' })
  })
})

describe('point in time on a store directory', () => {
  let dir = ''
  eachTempDir('at', (path) => (dir = path))

  it('reads beside the live writer: it takes no lock and writes nothing', async () => {
    const writer = await openStore(seed, { dir })
    await writer.dispatch('add', 1, 2)
    await writer.dispatch('swap')
    const before = readFileSync(join(dir, 'journal.ndjson'))
    const then = await openStoreAt(seed, { dir, until: { seq: 1 } })
    expect(then.state).toEqual({ x: 1, y: 2, s: {} })
    const now = await openStoreAt(seed, { dir })
    expect(now.state).toEqual(writer.state)
    expect(readFileSync(join(dir, 'journal.ndjson'))).toEqual(before)
    await writer.dispatch('inc')
    expect(writer.state).toMatchObject({ x: 3, y: 2 })
    await writer.close()
  })

  it('leaves a torn tail in place and warns; damage after the point does not matter, damage before it refuses', async () => {
    const writer = await openStore(seed, { dir })
    await writer.dispatch('add', 1, 2)
    await writer.dispatch('add', 10, 20)
    await writer.dispatch('inc')
    await writer.close()
    const file = join(dir, 'journal.ndjson')
    const text = readFileSync(file, 'utf8')
    const second = text.indexOf('\n') + 1
    writeFileSync(file, text.replace('[10,20]', '[90,20]') + '{"seq":4,"ti')
    const warnings: StoreWarning[] = []
    expect((await openStoreAt(seed, { dir, until: { seq: 1 }, onWarning: (w) => warnings.push(w) })).state).toMatchObject({ x: 1, y: 2 })
    await expect(openStoreAt(seed, { dir, until: { seq: 2 } })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT', details: { offset: second, seq: 2, location: file } })
    writeFileSync(file, text + '{"seq":4,"ti')
    expect((await openStoreAt(seed, { dir, onWarning: (w) => warnings.push(w) })).seq).toBe(3)
    expect(warnings.map((w) => [w.code, 'offset' in w ? w.offset : undefined])).toEqual([['TORN_TAIL', text.length]])
    expect(readFileSync(file, 'utf8')).toBe(text + '{"seq":4,"ti')
  })
})
