import { describe, expect, it } from 'vitest'
import { createStore, defineStore, MemoryJournalStorage, type StoreError } from '../../lib/index.js'
import { bank, seed } from '../fixtures/definitions.js'

// Recipes that break the rule (they read the clock or randomness themselves), and ones that keep it.
const sloppy = defineStore({
  refs: {
    log: [] as Array<{ at: number; n: number }>,
    seen: {} as Record<string, number>,
    tags: new Set<unknown>(),
    index: new Map<string, { v: number; when: Date }>(),
    note: '',
  },
  transactions: {
    stampNow(state) {
      state.log.push({ at: Date.now(), n: state.log.length })
    },
    stampNewDate(state) {
      state.log.push({ at: new Date().getTime(), n: state.log.length })
    },
    roll(state, key: string) {
      state.seen[key] = Math.random()
    },
    tagRandom(state) {
      state.tags.add(`tag-${Math.random()}`)
    },
    noteDate(state) {
      // Date() called as a function reads the clock too.
      state.note = Date()
    },
    stampContext(state) {
      state.log.push({ at: this.time, n: this.random() })
      state.seen[this.id()] = this.seq
    },
    index(state, key: string, v: number, when: Date) {
      state.index.set(key, { v, when })
      state.tags.add({ key, v })
    },
  },
})

const checked = { checkDeterminism: true }

describe('determinism check', () => {
  it.each([
    ['stampNow', 'state.log[0].at'],
    ['stampNewDate', 'state.log[0].at'],
    ['tagRandom', 'state.tags<item 0>'],
  ] as const)('refuses a recipe that reads the clock or randomness (%s), naming the transaction and the first differing path', async (name, path) => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(sloppy, { storage, ...checked })
    const error = (await store.dispatch(name).catch((e: unknown) => e)) as StoreError
    expect(error).toMatchObject({ code: 'NONDETERMINISTIC', details: { transaction: name, seq: 1, path } })
    expect(error.message).toContain(`transaction "${name}" (seq 1) is not deterministic`)
    expect(error.message).toContain(`differ at ${path}`)
    // Refused like a throwing recipe: nothing journaled, nothing changed, the store goes on.
    expect(storage.text).toBe('')
    expect(store.state.log).toEqual([])
    await expect(store.dispatch('stampContext')).resolves.toMatchObject({ seq: 1 })
    await store.close()
  })

  it('refuses a recipe that reads Math.random(), naming the key it wrote', async () => {
    const store = await createStore(sloppy, { storage: new MemoryJournalStorage(), ...checked })
    await expect(store.dispatch('roll', 'k')).rejects.toMatchObject({ code: 'NONDETERMINISTIC', details: { path: 'state.seen.k' } })
    await store.close()
  })

  it('refuses a recipe that throws only on its second run', async () => {
    const store = await createStore(sloppy, { storage: new MemoryJournalStorage(), ...checked })
    const error = (await store.dispatch('noteDate').catch((e: unknown) => e)) as StoreError
    expect(error).toMatchObject({ code: 'NONDETERMINISTIC', details: { transaction: 'noteDate', path: 'state' } })
    expect(error.message).toContain('threw on the second run')
    expect(error.cause).toBeInstanceOf(TypeError)
    await store.close()
  })

  it('restores the real clock after each check', async () => {
    const RealDate = Date
    const store = await createStore(sloppy, { storage: new MemoryJournalStorage(), ...checked })
    await store.dispatch('stampNow').catch(() => {})
    await store.dispatch('noteDate').catch(() => {})
    await store.dispatch('stampContext')
    expect(globalThis.Date).toBe(RealDate)
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(60_000)
    await store.close()
  })

  it('accepts deterministic recipes: context time, ids and randomness, Map, Set, Date and object arguments', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(sloppy, { storage, ...checked })
    await store.dispatch('stampContext')
    await store.dispatch('index', 'a', 1, new Date(0))
    await store.dispatch('index', 'b', 2, new Date(1))
    await store.dispatch('stampContext')
    expect(store.seq).toBe(4)
    const live = store.state
    await store.close()
    const replayed = await createStore(sloppy, { storage })
    expect(replayed.state).toEqual(live)
    await replayed.close()

    const other = await createStore(bank, { storage: new MemoryJournalStorage(), ...checked })
    const ids = [(await other.dispatch('open', 'ann', 5)).result, (await other.dispatch('open', 'bob', 5)).result] as string[]
    await other.dispatch('transfer', ids[0], ids[1], 2)
    await other.dispatch('lottery', ids)
    await other.close()
    const seeded = await createStore(seed, { storage: new MemoryJournalStorage(), ...checked })
    await seeded.dispatch('setS', { when: new Date(5), tags: new Set([1, 2]), index: new Map([['k', { deep: [1n] }]]) })
    await expect(seeded.dispatch('failAfterAdd', 1)).rejects.toThrow('refused 1')
    await seeded.close()
  })

  it('is off by default: the store does not run recipes twice', async () => {
    let runs = 0
    const counted = defineStore({ refs: { n: 0 }, transactions: { bump(state) { runs++; state.n++ } } })
    const store = await createStore(counted, { storage: new MemoryJournalStorage() })
    await store.dispatch('bump')
    expect(runs).toBe(1)
    await store.close()
    const checking = await createStore(counted, { storage: new MemoryJournalStorage(), ...checked })
    await checking.dispatch('bump')
    expect(runs).toBe(3)
    await checking.close()
  })
})
