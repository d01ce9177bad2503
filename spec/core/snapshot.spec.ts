import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Collection, createStore, defineStore, MemoryJournalStorage, type SnapshotInfo, type SnapshotStorage, type StoreWarning } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'
import { seedCommand } from '../fixtures/arbitraries.js'

const command = fc.oneof(seedCommand, fc.constant(['snapshot'] as const))

/** Refs of every kind a snapshot cuts into runs, with more items than one run holds. */
const kinds = defineStore({
  refs: {
    table: new Collection<{ n: number; at: Date }>(),
    list: [] as number[],
    map: new Map<string, bigint>(),
    tags: new Set<string>(),
    object: {} as Record<string, { n: number }>,
    plain: null as string | null,
  },
  transactions: {
    fill(state, count: number) {
      for (let i = 0; i < count; i++) {
        state.table.set(`k${i}`, { n: i, at: new Date(i * 1000) })
        state.list.push(i)
        state.map.set(`m${i}`, BigInt(i) ** 3n)
        state.tags.add(`t${i % 997}`)
        state.object[`o${i}`] = { n: -i }
      }
      state.plain = 'x'.repeat(count)
    },
    bump(state, key: string) {
      state.table.get(key)!.n++
    },
  },
})

const quiet = (): void => undefined

describe('snapshots', () => {
  it('open from snapshot + tail deep-equals the live state and a replay of the whole journal, for any sequence and snapshot points', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 5 }), { maxLength: 10 }), async (batches) => {
        const storage = new MemoryJournalStorage()
        const store = await createStore(seed, { storage, snapshots: false })
        for (const batch of batches) {
          await Promise.allSettled(batch.map(([name, ...args]) => (name === 'snapshot' ? store.snapshot() : (store.dispatch as (n: string, ...a: unknown[]) => Promise<unknown>)(name, ...args))))
        }
        const live = store.state
        await store.close()
        const reopened = await createStore(seed, { storage })
        expect(reopened.state).toEqual(live)
        expect(reopened.seq).toBe(store.seq)
        await reopened.close()
        const whole = new MemoryJournalStorage()
        whole.setText(storage.text)
        const replayed = await createStore(seed, { storage: whole })
        expect(replayed.state).toEqual(live)
        await replayed.close()
      }),
      { numRuns: 120 },
    )
  })

  it('cuts Collection, array, Map, Set and object refs into runs and reads them back whole and frozen', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(kinds, { storage })
    await store.dispatch('fill', 3000)
    const info = await store.snapshot()
    expect(info.seq).toBe(1)
    await store.dispatch('bump', 'k7')
    const live = store.state
    await store.close()
    const lines = storage.snapshots.text(1)!.split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThan(12) // header, runs of each ref, footer
    const reopened = await createStore(kinds, { storage })
    expect(reopened.state.table.size).toBe(3000)
    expect([...reopened.state.table]).toEqual([...live.table])
    expect(reopened.state.table.get('k7')).toEqual({ n: 8, at: new Date(7000) })
    expect(reopened.state.list).toEqual(live.list)
    expect(reopened.state.map).toEqual(live.map)
    expect(reopened.state.tags).toEqual(live.tags)
    expect(reopened.state.object).toEqual(live.object)
    expect(reopened.state.plain).toBe(live.plain)
    expect(Object.isFrozen(reopened.state.list)).toBe(true)
    expect(Object.isFrozen(reopened.state.table.get('k1'))).toBe(true)
    await reopened.close()
  })

  it('acknowledges dispatches while a snapshot is being written, and holds the state captured before them', async () => {
    const storage = new MemoryJournalStorage()
    let open!: () => void
    let started!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const writing = new Promise<void>((resolve) => (started = resolve))
    const gated: SnapshotStorage = {
      list: () => storage.snapshots.list(),
      read: (seq) => storage.snapshots.read(seq),
      remove: (seq) => storage.snapshots.remove(seq),
      write: async (seq, lines) => {
        started()
        await gate
        return storage.snapshots.write(seq, lines)
      },
    }
    const withGate = Object.assign(Object.create(storage) as MemoryJournalStorage, { snapshots: gated })
    for (const key of ['open', 'read', 'truncate', 'append', 'sync', 'close', 'roll', 'segments', 'removeSegmentsThrough', 'acknowledge'] as const) {
      ;(withGate as unknown as Record<string, unknown>)[key] = (storage[key] as (...a: unknown[]) => unknown).bind(storage)
    }
    const store = await createStore(seed, { storage: withGate, snapshots: false })
    await store.dispatch('add', 1, 2)
    const taking = store.snapshot()
    let settled = false
    void taking.then(() => (settled = true))
    await writing
    // The snapshot was captured and is held at its write; every one of these is still acknowledged.
    const receipts = await Promise.all([1, 2, 3, 4, 5].map((n) => store.dispatch('add', n, 0)))
    expect(receipts.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6])
    expect(settled).toBe(false)
    open()
    const info = await taking
    expect(info.seq).toBe(1)
    await store.close()
    const reopened = await createStore(seed, { storage })
    expect(reopened.state).toMatchObject({ x: 16, y: 2 })
    expect(reopened.metrics().replay.entries).toBe(5)
    await reopened.close()
  })

  it('skips a damaged or truncated newest snapshot with a warning and opens from the one before it', async () => {
    for (const damage of [(text: string) => text.replace('"x":', '"X":'), (text: string) => text.slice(0, text.length - 30), () => 'not json\n']) {
      const storage = new MemoryJournalStorage()
      const store = await createStore(seed, { storage, snapshots: false })
      await store.dispatch('add', 1, 1)
      await store.snapshot()
      await store.dispatch('setS', { big: 10n ** 20n })
      await store.snapshot()
      await store.dispatch('inc')
      const live = store.state
      await store.close()
      storage.snapshots.setText(2, damage(storage.snapshots.text(2)!))
      const warnings: StoreWarning[] = []
      const reopened = await createStore(seed, { storage, onWarning: (w) => warnings.push(w) })
      expect(reopened.state).toEqual(live)
      expect(warnings.map((w) => w.code)).toEqual(['SNAPSHOT_SKIPPED'])
      expect(warnings[0].message).toMatch(/snapshot memory\/snapshot-2 is damaged: .*falling back to the snapshot at seq 1/)
      await reopened.close()
    }
  })

  it('opens to the live state whatever damage a snapshot takes (bit flips, cuts, duplicated or dropped lines), falling back to the journal', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(kinds, { storage, snapshots: false })
    await store.dispatch('fill', 700)
    await store.dispatch('bump', 'k3')
    await store.snapshot()
    const live = store.state
    await store.close()
    const text = storage.snapshots.text(2)!
    const lines = text.split('\n').slice(0, -1)
    const damage = fc.oneof(
      fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 1, max: 127 })).map(([at, bits]) => (t: string) => t.slice(0, at) + String.fromCharCode(t.charCodeAt(at) ^ bits) + t.slice(at + 1)),
      fc.nat(text.length - 1).map((at) => (t: string) => t.slice(0, at)),
      fc.nat(lines.length - 1).map((i) => () => [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n') + '\n'),
      fc.nat(lines.length - 1).map((i) => () => [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n') + '\n'),
    )
    await fc.assert(
      fc.asyncProperty(damage, async (apply) => {
        storage.snapshots.setText(2, apply(text))
        const warnings: StoreWarning[] = []
        const reopened = await createStore(kinds, { storage, snapshots: false, onWarning: (w) => warnings.push(w) })
        expect(reopened.state).toEqual(live)
        await reopened.close()
        // A changed snapshot is never read as whole (its checksum covers every byte); only the
        // final line break may go missing unnoticed, as it carries nothing.
        if (storage.snapshots.text(2)!.trimEnd() !== text.trimEnd()) expect(warnings.map((w) => w.code)).toEqual(['SNAPSHOT_SKIPPED'])
      }),
      { numRuns: 60 },
    )
  })

  it('refuses a missing segment with JOURNAL_GAP naming the missing sequence numbers, never a silent gap', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage, snapshots: false })
    for (let i = 0; i < 3; i++) await store.dispatch('inc')
    await store.snapshot() // seq 3: the journal goes on in a segment from seq 4
    for (let i = 0; i < 4; i++) await store.dispatch('inc')
    await store.snapshot() // seq 7: a segment from seq 8
    await store.dispatch('inc')
    await store.close()
    storage.dropSegment(4)
    // The newest snapshot does not need the lost segment.
    const fine = await createStore(seed, { storage })
    expect(fine.state).toMatchObject({ x: 8, y: 8 })
    await fine.close()
    // Without it, the store would have to replay seq 4 to 7, which are gone.
    storage.snapshots.setText(7, 'damaged\n')
    const error = await createStore(seed, { storage, onWarning: quiet }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'JOURNAL_GAP', details: { seq: 4, location: 'memory#8' } })
    expect((error as Error).message).toMatch(/entries seq 4 to 7 are missing/)
  })

  it('takes snapshots on its own by policy, keeps the newest ones and, when asked, prunes the journal they cover', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage, snapshots: { everyEntries: 5, keep: 2, pruneJournal: true } })
    for (let i = 0; i < 23; i++) await store.dispatch('inc')
    const live = store.state
    await store.close()
    const kept = await storage.snapshots.list()
    expect(kept.length).toBe(2)
    expect(kept[1].seq).toBeGreaterThanOrEqual(15)
    const segments = await storage.segments()
    expect(segments[0].firstSeq).toBe(kept[0].seq + 1)
    const reopened = await createStore(seed, { storage })
    expect(reopened.state).toEqual(live)
    expect(reopened.seq).toBe(23)
    await reopened.close()
  })

  it('counts the journal replayed at open toward the next automatic snapshot, so restarts never let the tail grow without end', async () => {
    const storage = new MemoryJournalStorage()
    const policy = { everyEntries: 5 }
    const first = await createStore(seed, { storage, snapshots: policy })
    for (let i = 0; i < 3; i++) await first.dispatch('inc')
    await first.close()
    const second = await createStore(seed, { storage, snapshots: policy })
    for (let i = 0; i < 2; i++) await second.dispatch('inc')
    await second.close()
    expect((await storage.snapshots.list()).map((s) => s.seq)).toEqual([5])
    // A tail already over the threshold at open is snapshotted at once.
    const third = await createStore(seed, { storage, snapshots: false })
    for (let i = 0; i < 6; i++) await third.dispatch('inc')
    await third.close()
    const fourth = await createStore(seed, { storage, snapshots: policy })
    await fourth.close()
    expect((await storage.snapshots.list()).map((s) => s.seq)).toEqual([5, 11])
  })

  it('keeps idempotency keys and journaled time across a restart from a snapshot whose journal was pruned', async () => {
    const storage = new MemoryJournalStorage()
    const store = await createStore(seed, { storage, snapshots: { keep: 1, pruneJournal: true }, clock: () => 5_000 })
    const first = await store.dispatchOnce('order-1', 'add', 3, 4)
    await store.snapshot()
    await store.close()
    expect((await storage.segments()).map((s) => s.firstSeq)).toEqual([2])
    const reopened = await createStore(seed, { storage, clock: () => 1_000 })
    const retry = await reopened.dispatchOnce('order-1', 'add', 3, 4)
    expect(retry).toEqual({ ...first, duplicate: true })
    expect(reopened.state).toMatchObject({ x: 3, y: 4 })
    const times: number[] = []
    reopened.commits$.subscribe((c) => times.push(c.time))
    await reopened.dispatch('inc')
    expect(times).toEqual([5_000])
    await reopened.close()
  })

  it('reports a snapshot whose write fails (SNAPSHOT_FAILED, or a warning when automatic) and goes on writing the journal', async () => {
    const storage = new MemoryJournalStorage()
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    storage.snapshots.write = async () => {
      throw full
    }
    const warnings: StoreWarning[] = []
    const store = await createStore(seed, { storage, snapshots: { everyEntries: 2 }, onWarning: (w) => warnings.push(w) })
    await store.dispatch('inc')
    await store.dispatch('inc')
    await expect(store.snapshot()).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED', cause: full, message: expect.stringMatching(/ENOSPC.*the journal is untouched/) })
    expect(warnings.map((w) => w.code)).toContain('SNAPSHOT_FAILED')
    await expect(store.dispatch('inc')).resolves.toMatchObject({ seq: 3 })
    expect(store.halted).toBeNull()
    await store.close()
    const reopened = await createStore(seed, { storage })
    expect(reopened.state).toMatchObject({ x: 3, y: 3 })
    await reopened.close()
  })

  it('says so when the storage keeps no snapshots', async () => {
    const storage = new MemoryJournalStorage()
    const bare = { location: 'bare', open: storage.open.bind(storage), read: storage.read.bind(storage), truncate: storage.truncate.bind(storage), append: storage.append.bind(storage), sync: storage.sync.bind(storage), close: storage.close.bind(storage) }
    const store = await createStore(seed, { storage: bare })
    await expect(store.snapshot()).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED', message: expect.stringMatching(/keeps no snapshots/) })
    await store.close()
    await expect(store.snapshot()).rejects.toMatchObject({ code: 'STORE_CLOSED' })
  })
})

describe('schema evolution', () => {
  const v1 = defineStore({
    refs: { count: 0, names: [] as string[] },
    transactions: {
      add(state, n: number) {
        state.count += n
      },
      name(state, first: string, last: string) {
        state.names.push(`${first} ${last}`)
      },
    },
  })
  // Version 2: `count` became `total`; `add` is now `increase({ by })`; `name` takes one object.
  const v2 = defineStore({
    version: 2,
    refs: { total: 0, people: [] as Array<{ first: string; last: string }> },
    transactions: {
      increase(state, change: { by: number }) {
        state.total += change.by
      },
      person(state, who: { first: string; last: string }) {
        state.people.push(who)
      },
    },
    migrations: {
      2: {
        state: (old) => ({ total: old.count, people: (old.names as string[]).map((n) => ({ first: n.split(' ')[0], last: n.split(' ')[1] })) }),
        entry: ({ name, args }) =>
          name === 'add' ? { name: 'increase', args: [{ by: args[0] }] } : name === 'name' ? { name: 'person', args: [{ first: args[0], last: args[1] }] } : { name, args },
      },
    },
  })

  async function writtenByV1(snapshotAt: number | null): Promise<MemoryJournalStorage> {
    const storage = new MemoryJournalStorage()
    const store = await createStore(v1, { storage, snapshots: false })
    const steps: Array<() => Promise<unknown>> = [() => store.dispatch('add', 5), () => store.dispatch('name', 'Ada', 'Lovelace'), () => store.dispatch('add', 2), () => store.dispatch('name', 'Alan', 'Turing')]
    for (let i = 0; i < steps.length; i++) {
      await steps[i]()
      if (snapshotAt === i + 1) await store.snapshot()
    }
    await store.close()
    return storage
  }

  it('migrates a version 1 snapshot and upcasts the version 1 entries after it, at any snapshot point', async () => {
    for (const at of [null, 1, 2, 3, 4]) {
      const storage = await writtenByV1(at)
      const store = await createStore(v2, { storage })
      expect(store.state).toEqual({ total: 7, people: [{ first: 'Ada', last: 'Lovelace' }, { first: 'Alan', last: 'Turing' }] })
      await store.dispatch('increase', { by: 1 })
      await store.close()
      expect(storage.text.trim().split('\n').pop()).toMatch(/^\{"seq":5,"time":"[^"]+","tx":"increase","v":2,"args":\[\{"by":1\}\]/)
      const again = await createStore(v2, { storage })
      expect(again.state.total).toBe(8)
      await again.close()
    }
  })

  it('refuses a snapshot or an entry written by a newer version with VERSION_TOO_NEW', async () => {
    const storage = await writtenByV1(null)
    const upgraded = await createStore(v2, { storage })
    await upgraded.dispatch('increase', { by: 1 })
    await upgraded.close()
    await expect(createStore(v1, { storage })).rejects.toMatchObject({ code: 'VERSION_TOO_NEW', details: { seq: 5 } })
    const snap = await createStore(v2, { storage })
    await snap.snapshot()
    await snap.close()
    await expect(createStore(v1, { storage })).rejects.toMatchObject({ code: 'VERSION_TOO_NEW', message: expect.stringMatching(/version 2 of the store definition, but the running code is version 1/) })
  })

  it('reports a throwing migration or upcaster with MIGRATION_FAILED, and keeps a legacy recipe working', async () => {
    const failing = (part: 'state' | 'entry') =>
      defineStore({ version: 2, refs: v2.refs, transactions: v2.transactions, migrations: { 2: { [part]: () => { throw new Error(`no ${part}`) } } } })
    await expect(createStore(failing('entry'), { storage: await writtenByV1(null) })).rejects.toMatchObject({ code: 'MIGRATION_FAILED', details: { seq: 1 } })
    await expect(createStore(failing('state'), { storage: await writtenByV1(4) })).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: expect.stringMatching(/from version 1 to 2 threw: no state/) })
    // A transaction kept under its old name as a legacy recipe needs no upcaster.
    const legacy = defineStore({ version: 2, refs: v1.refs, transactions: v1.transactions })
    const store = await createStore(legacy, { storage: await writtenByV1(2) })
    expect(store.state).toEqual({ count: 7, names: ['Ada Lovelace', 'Alan Turing'] })
    await store.close()
  })

  it('refuses bad versions and migrations in the definition', () => {
    expect(() => defineStore({ version: 0, refs: {}, transactions: {} })).toThrow(expect.objectContaining({ code: 'INVALID_DEFINITION' }))
    expect(() => defineStore({ version: 2, refs: {}, transactions: {}, migrations: { 3: {} } })).toThrow(/expected keys from 2 to the version \(2\)/)
  })
})
