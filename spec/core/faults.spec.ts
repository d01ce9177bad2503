import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  createStore,
  FaultInjectingStorage,
  FileJournalStorage,
  isStoreError,
  MemoryJournalStorage,
  type Durability,
  type Fault,
  type FaultCounts,
  type JournalStorage,
  type StoreWarning,
  type StoreError,
} from '../../lib/index.js'
import { ledger, runWorkload, type WorkloadOutcome } from '../fixtures/workload.js'

const root = mkdtempSync(join(tmpdir(), 'prevalent-faults-'))
const totals: FaultCounts = { EIO: 0, ENOSPC: 0, torn: 0, powerLoss: 0 }
let cases = 0
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
  console.info(`fault loops: ${cases} cases; injected EIO ${totals.EIO}, ENOSPC ${totals.ENOSPC}, torn ${totals.torn}, power loss ${totals.powerLoss}`)
})

type Kind = 'EIO' | 'ENOSPC' | 'torn'
interface Case {
  readonly on: Fault['on']
  readonly at: number
  readonly repeat: boolean
  readonly kind: Kind
  readonly powerLoss: boolean
  readonly durability: Durability
}

function fault({ on, at, repeat, kind }: Case): Fault {
  // Tears cut at varying depths: inside the first line, between lines, deep in a batch.
  const tear = kind === 'torn' ? { tearAfterBytes: (at * 53) % 260 } : {}
  return { on, at, repeat, code: kind === 'ENOSPC' ? 'ENOSPC' : 'EIO', ...tear }
}

/** Counts of each operation in a fault-free run of the workload: the range of k to loop over. */
async function dryRun(make: () => JournalStorage, durability: Durability): Promise<{ append: number; sync: number; any: number }> {
  const storage = new FaultInjectingStorage(make())
  const store = await createStore(ledger, { storage, durability })
  const before = storage.operations
  await runWorkload(store)
  const counts = { append: storage.appends, sync: storage.syncs, any: storage.operations - before }
  await store.close()
  return counts
}

/**
 * Runs the workload under one fault, then checks: the calls the failure covers reject, the
 * store halts with the cause, and a reopen with the fault gone holds a prefix of the dispatched
 * sequence that includes every acknowledged transaction (exactly them after a power loss).
 */
async function check(make: () => JournalStorage, c: Case): Promise<void> {
  cases++
  const storage = new FaultInjectingStorage(make())
  const store = await createStore(ledger, { storage, durability: c.durability })
  storage.inject(fault(c))
  const outcome: WorkloadOutcome = await runWorkload(store)
  const fired = storage.injected.EIO + storage.injected.ENOSPC
  const where = JSON.stringify(c)

  // Acknowledged: the first m dispatched, with seqs 1..m, in order.
  const acked = [...outcome.acknowledged].sort((a, b) => a.seq - b.seq)
  const m = acked.length
  expect(acked.map((a) => a.seq), where).toEqual(Array.from({ length: m }, (_, i) => i + 1))
  expect(acked.map((a) => a.id), where).toEqual(outcome.dispatched.slice(0, m))

  if (fired === 0) {
    expect(store.halted, where).toBeNull()
    expect(outcome.rejected, where).toEqual([])
  } else {
    const halted = store.halted as StoreError
    expect(halted?.code, where).toBe('WRITE_FAILED')
    expect((halted.cause as { code?: string }).code, where).toBe(fault(c).code)
    expect(halted.message, where).toContain(fault(c).code)
    // The calls of the failed batch get the failure itself; every later one STORE_HALTED with it as cause.
    expect(outcome.rejected.length, where).toBe(outcome.dispatched.length - m)
    expect(outcome.rejected[0], where).toBe(halted)
    for (const reason of outcome.rejected) {
      if (reason !== halted) expect(isStoreError(reason, 'STORE_HALTED') && reason.cause === halted, where).toBe(true)
    }
  }

  if (c.powerLoss) await storage.powerLoss()
  await store.close().catch(() => {})
  storage.clear()

  const warnings: StoreWarning[] = []
  const reopened = await createStore(ledger, { storage, onWarning: (w) => warnings.push(w) })
  const ids = reopened.state.ids
  // Each unacknowledged transaction is wholly present or wholly absent, in dispatch order.
  expect(ids, where).toEqual(outcome.dispatched.slice(0, ids.length))
  expect(ids.length, where).toBeGreaterThanOrEqual(m)
  if (c.powerLoss && c.durability === 'always') expect(ids.length, where).toBe(m)
  expect(reopened.state.sum, where).toBe(ids.reduce((s, id) => s + id, 0))
  expect(reopened.seq, where).toBe(ids.length)
  expect(warnings.every((w) => w.code === 'TORN_TAIL'), where).toBe(true)
  // The healed store writes on from where it stands.
  await expect(reopened.dispatch('record', 1_000, ''), where).resolves.toMatchObject({ seq: ids.length + 1 })
  await reopened.close()
  for (const kind of ['EIO', 'ENOSPC', 'torn', 'powerLoss'] as const) totals[kind] += storage.injected[kind]
}

function* matrix(counts: { append: number; sync: number; any: number }, durability: Durability, powerLoss: boolean[], kinds: Kind[]): Generator<Case> {
  for (const on of ['append', 'sync', 'any'] as const) {
    for (const repeat of [false, true]) {
      for (const kind of kinds) {
        if (kind === 'torn' && on === 'sync') continue
        for (const loss of powerLoss) {
          // k runs one past the last operation: the run where the fault never fires.
          for (let at = 1; at <= counts[on] + 1; at++) yield { on, at, repeat, kind, powerLoss: loss, durability }
        }
      }
    }
  }
}

const memory = (): (() => JournalStorage) => {
  const storage = new MemoryJournalStorage()
  return () => storage
}

describe('fault injection', () => {
  it('fails the chosen call with an errno-style error and counts it', async () => {
    const storage = new FaultInjectingStorage(new MemoryJournalStorage())
    await storage.open({ write: true })
    storage.inject({ on: 'append', at: 2, code: 'ENOSPC' })
    await storage.append('a\n')
    await expect(storage.append('b\n')).rejects.toMatchObject({ code: 'ENOSPC', message: expect.stringContaining('append #2') })
    await storage.append('c\n')
    expect(storage.injected).toEqual({ EIO: 0, ENOSPC: 1, torn: 0, powerLoss: 0 })
    expect((storage.inner as MemoryJournalStorage).text).toBe('a\nc\n')
  })

  it('tears an append after N bytes without splitting a character', async () => {
    const inner = new MemoryJournalStorage()
    const storage = new FaultInjectingStorage(inner)
    await storage.open({ write: true })
    storage.inject({ on: 'append', at: 1, tearAfterBytes: 4 })
    await expect(storage.append('ab€cd\n')).rejects.toMatchObject({ code: 'EIO' })
    expect(inner.text).toBe('ab')
    expect(storage.injected.torn).toBe(1)
  })

  it('cuts the wrapped storage back to its last synced length on power loss, and is dead until reopened', async () => {
    const inner = new MemoryJournalStorage()
    inner.setText('old\n')
    const storage = new FaultInjectingStorage(inner)
    await storage.open({ write: true })
    await storage.append('x€\n')
    await storage.sync()
    await storage.append('lost\n')
    expect(storage.syncedLength).toBe(9)
    await storage.powerLoss()
    expect(inner.text).toBe('old\nx€\n')
    await expect(storage.append('z\n')).rejects.toMatchObject({ code: 'EIO' })
    await storage.close()
    await storage.open({ write: true })
    await storage.append('z\n')
    expect(inner.text).toBe('old\nx€\nz\n')
  })

  it('refuses a fault plan that names no call', () => {
    const storage = new FaultInjectingStorage(new MemoryJournalStorage())
    expect(() => storage.inject({ on: 'sync', at: 0 })).toThrow(/positive integer call number, got 0/)
    expect(() => storage.inject({ on: 'append', at: 1, tearAfterBytes: -1 })).toThrow(/byte count >= 0, got -1/)
  })
})

describe('store under injected faults', () => {
  it('keeps every acknowledged transaction for every k: fail once, fail from k on, with and without power loss (memory, always)', async () => {
    const counts = await dryRun(() => new MemoryJournalStorage(), 'always')
    expect(counts.append).toBeGreaterThan(5)
    for (const c of matrix(counts, 'always', [false, true], ['EIO', 'ENOSPC', 'torn'])) await check(memory(), c)
  })

  it('keeps every acknowledged transaction for every k with durability none (no power loss)', async () => {
    const counts = await dryRun(() => new MemoryJournalStorage(), 'none')
    for (const c of matrix(counts, 'none', [false], ['EIO', 'torn'])) await check(memory(), c)
  })

  it('keeps every acknowledged transaction for every k on the file journal, with power loss', async () => {
    let n = 0
    const file = (): (() => JournalStorage) => {
      const dir = join(root, `f${n++}`)
      return () => new FileJournalStorage(dir)
    }
    const counts = await dryRun(() => new FileJournalStorage(join(root, 'dry')), 'always')
    for (let at = 1; at <= counts.any + 1; at++) {
      for (const kind of ['ENOSPC', 'torn'] as const) await check(file(), { on: 'any', at, repeat: kind === 'torn', kind, powerLoss: true, durability: 'always' })
    }
  })
})
