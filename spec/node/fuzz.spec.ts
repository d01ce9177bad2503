import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStore, isStoreError, MemoryJournalStorage, openStore, scanJournal, type StoreWarning } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'

// Damage fed to open: random bytes, bit flips, truncations, duplicated, reordered and deleted
// lines, alone or combined. Every case must end in a valid state or a StoreError with a code.

const NL = 0x0a
let dir: string
let file: string
let original: Buffer
/** prefixes[i]: the first i lines of the original; states[i]: the state they replay to. */
const prefixes: Buffer[] = []
const states: unknown[] = []
const tally = { cases: 0, clean: 0, torn: 0, truncated: 0, refused: 0 }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prevalent-fuzz-'))
  file = join(dir, 'journal.ndjson')
  const store = await openStore(seed, { dir, durability: 'none' })
  await store.dispatch('add', 1, 2)
  await store.dispatch('setS', { text: 'é€😀', when: new Date(86_400_000), big: 2n ** 64n })
  await store.dispatch('swap')
  await store.dispatch('setS', { tags: new Set(['a', 'b']), index: new Map([['k', [1, 2]]]) })
  for (let i = 0; i < 6; i++) await store.dispatch(i % 2 ? 'inc' : 'add', i + 1, -i)
  await store.close()
  original = readFileSync(file)
  for (let end = 0; ; end = original.indexOf(NL, end) + 1) {
    prefixes.push(original.subarray(0, end))
    const memory = new MemoryJournalStorage()
    memory.setText(original.subarray(0, end).toString('utf8'))
    const replayed = await createStore(seed, { storage: memory })
    states.push(replayed.state)
    await replayed.close()
    if (end === original.length) break
  }
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  console.info(`journal fuzz: ${tally.cases} cases; opened clean ${tally.clean}, torn tail cut ${tally.torn}, damage truncated on request ${tally.truncated}, refused with a code ${tally.refused}`)
})

type Mutation =
  | { kind: 'random'; data: Uint8Array }
  | { kind: 'insert'; at: number; data: Uint8Array }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; line: number; to: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'delete'; line: number }

const bytes = fc.uint8Array({ minLength: 1, maxLength: 40 })
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('random' as const), data: fc.uint8Array({ maxLength: 300 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: bytes }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat(), to: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }), weight: 1 },
)

/** Lines with their terminators (the last one may lack it). */
function lines(data: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let start = 0; start < data.length; ) {
    const end = data.indexOf(NL, start)
    const stop = end < 0 ? data.length : end + 1
    out.push(data.subarray(start, stop))
    start = stop
  }
  return out
}

function apply(data: Buffer, m: Mutation): Buffer {
  const ls = lines(data)
  switch (m.kind) {
    case 'random':
      return Buffer.from(m.data)
    case 'insert': {
      const at = m.at % (data.length + 1)
      return Buffer.concat([data.subarray(0, at), m.data, data.subarray(at)])
    }
    case 'flip': {
      if (data.length === 0) return data
      const copy = Buffer.from(data)
      copy[m.at % copy.length] ^= 1 << m.bit
      return copy
    }
    case 'truncate':
      return data.subarray(0, m.at % (data.length + 1))
    case 'duplicate': {
      if (ls.length === 0) return data
      const line = ls[m.line % ls.length]
      ls.splice(m.to % (ls.length + 1), 0, line)
      return Buffer.concat(ls)
    }
    case 'swap': {
      if (ls.length === 0) return data
      const a = m.a % ls.length
      const b = m.b % ls.length
      ;[ls[a], ls[b]] = [ls[b], ls[a]]
      return Buffer.concat(ls)
    }
    case 'delete':
      if (ls.length === 0) return data
      ls.splice(m.line % ls.length, 1)
      return Buffer.concat(ls)
  }
}

/** Fails the case instead of letting a hang pass unnoticed (or stall the suite). */
function watchdog<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within 10 s`)), 10_000)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/** How many complete lines of `bytes` are whole entries (whatever their seq). */
async function wholeEntries(bytes: Buffer): Promise<number> {
  const end = bytes.lastIndexOf(NL)
  const lines = end < 0 ? [] : bytes.toString('utf8', 0, end).split('\n')
  let found = 0
  for await (const items of scanJournal({ read: async function* () { yield { offset: 0, lines } } })) {
    for (const item of items) if (item.kind === 'entry' || (item.kind === 'damage' && item.entry)) found++
  }
  return found
}

/** Opens the damaged journal and checks the outcome, counting how it ended. */
async function openDamaged(damaged: Buffer, onCorruption: 'refuse' | 'truncate'): Promise<void> {
  tally.cases++
  writeFileSync(file, damaged)
  const warnings: StoreWarning[] = []
  const outcome = await watchdog(
    openStore(seed, { dir, onCorruption, onWarning: (w) => warnings.push(w) }).then(
      (store) => ({ store }),
      (error: unknown) => ({ error }),
    ),
    'openStore',
  )
  if ('error' in outcome) {
    // A clear error with a code, never another exception.
    expect(isStoreError(outcome.error), String(outcome.error)).toBe(true)
    expect(onCorruption).toBe('refuse')
    tally.refused++
    return
  }
  const { store } = outcome
  const seq = store.seq
  try {
    // A valid state: exactly what a prefix of the original entries replays to.
    expect(seq).toBeLessThanOrEqual(prefixes.length - 1)
    expect(store.state).toEqual(states[seq])
    const kept = prefixes[seq]
    expect(damaged.subarray(0, kept.length).equals(kept)).toBe(true)
    const rest = damaged.subarray(kept.length)
    if (warnings.length === 0) {
      // No warning: nothing was lost; the file is that prefix exactly (a journal cut at a line
      // end is indistinguishable from one that was never longer).
      expect(rest.length).toBe(0)
      tally.clean++
    } else if (warnings[0].code === 'TORN_TAIL') {
      // Torn tail: no whole entry (not even one out of sequence) in what was cut off.
      expect(warnings).toHaveLength(1)
      expect(rest.length).toBeGreaterThan(0)
      expect(await wholeEntries(rest)).toBe(0)
      tally.torn++
    } else {
      expect(warnings.map((w) => w.code)).toEqual(['TRUNCATED_DAMAGE'])
      expect(onCorruption).toBe('truncate')
      tally.truncated++
    }
  } finally {
    await store.close()
  }
  // The repair is durable: the next open is clean and holds the same state.
  const before = warnings.length
  const again = await openStore(seed, { dir, onWarning: (w) => warnings.push(w) })
  expect(again.seq).toBe(seq)
  expect(warnings).toHaveLength(before)
  await again.close()
  expect(readFileSync(file).equals(prefixes[seq])).toBe(true)
}

describe('fuzzed journals', () => {
  it('opens a damaged journal to a prefix of its entries, or refuses it with a StoreError code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        await openDamaged(mutations.reduce(apply, original), 'refuse')
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    )
  })

  it('truncates at the first damage on request, keeping exactly the valid prefix', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), async (mutations) => {
        await openDamaged(mutations.reduce(apply, original), 'truncate')
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    )
  })

  it('refuses damage in the checksum frame of an entry, which the checksum does not cover (found by fuzzing)', async () => {
    const second = original.indexOf(NL) + 1
    const frame = original.indexOf('"crc"', second)
    const damaged = Buffer.from(original)
    damaged[frame + 1] ^= 1
    writeFileSync(file, damaged)
    const error = await openStore(seed, { dir }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'JOURNAL_CORRUPT', details: { seq: 2, offset: second } })
    expect((error as Error).message).toContain('brc')
  })

  it('opens the undamaged journal to the full state without a warning', async () => {
    await openDamaged(original, 'refuse')
    expect(states).toHaveLength(11)
  })
})
