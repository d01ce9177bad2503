import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore, type StoreWarning } from '../../lib/index.js'
import { BANK_TOTAL, bank, prng, total } from '../fixtures/bank.js'

// Real processes, real SIGKILLs: a child runs a bank store with durability 'always' and prints
// every acknowledged seq; it is killed at a random acknowledgement, and the parent reopens the
// directory. Two checks catch an early acknowledgement: a seq acknowledged but missing after the
// reopen (acknowledged before it was written), and a seq acknowledged before an fsync covered
// it (SIGKILL keeps the OS's page cache, so only this second check sees a skipped fsync).
//
// PREVALENT_CRASH_KILLS=1000 for a long run; PREVALENT_CRASH_SEED replays a reported run.
const KILLS = Number(process.env.PREVALENT_CRASH_KILLS ?? 50)
const SEED = Number(process.env.PREVALENT_CRASH_SEED ?? 20261124)
/** The most acknowledgements a child may see before it is killed. */
const MAX_ACKS_BEFORE_KILL = 400
/** Callers per child, drawn per kill: from one entry per fsync to large group commits. */
const CONCURRENCIES = [1, 8, 64, 256]
/** Snapshot policy per kill, drawn: none, or every N entries (kills then land in snapshot writes and segment rolls). */
const SNAPSHOT_EVERY = [0, 20, 75]
/** A long run starts a fresh directory now and then, so replay at start stays short. */
const KILLS_PER_DIRECTORY = 100

const root = fileURLToPath(new URL('../..', import.meta.url))
const child = fileURLToPath(new URL('../fixtures/crash-child.ts', import.meta.url))

interface Ack {
  readonly seq: number
  /** The last seq an fsync had covered when the child saw the acknowledgement. */
  readonly synced: number
}

interface ChildRun {
  /** The store's seq when the child had opened it. */
  opened: number
  acks: Ack[]
}

/** Runs a bank child on `dir` and SIGKILLs it as its `killAt`-th acknowledgement line arrives. */
async function runAndKill(dir: string, seed: number, concurrency: number, killAt: number, snapshotEvery: number): Promise<ChildRun> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(seed), String(concurrency), String(snapshotEvery)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const run: ChildRun = { opened: -1, acks: [] }
  let stderr = ''
  const malformed: string[] = []
  proc.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  // Lines keep arriving after the kill: the pipe still holds what the child printed before it died.
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const [kind, a, b] = line.split(' ')
    if (kind === 'open' && b === undefined) run.opened = Number(a)
    else if (kind === 'ack') run.acks.push({ seq: Number(a), synced: Number(b) })
    else malformed.push(line)
    if (run.acks.length === killAt && !proc.killed) proc.kill('SIGKILL')
  })
  const [code, signal] = (await once(proc, 'close')) as [number | null, NodeJS.Signals | null]
  if (signal !== 'SIGKILL') throw new Error(`the bank child exited on its own (code ${code}, signal ${signal}) after ${run.acks.length} acknowledgements:\n${stderr}`)
  expect(malformed, 'lines the child printed').toEqual([])
  return run
}

describe('a store killed with SIGKILL', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('loses no acknowledged transfer across SIGKILLs', { timeout: 60_000 + KILLS * 3_000 }, async () => {
    const random = prng(SEED)
    let dir = ''
    let seq = 0
    let acknowledged = 0
    let lost = 0
    let early = 0
    let tornTails = 0
    let snapshots = 0
    let inSnapshotWrite = 0
    for (let kill = 1; kill <= KILLS; kill++) {
      if ((kill - 1) % KILLS_PER_DIRECTORY === 0) {
        dir = mkdtempSync(join(tmpdir(), 'prevalent-crash-'))
        dirs.push(dir)
        seq = 0
      }
      const where = `kill ${kill} of ${KILLS} (seed ${SEED}, ${dir})`
      const concurrency = CONCURRENCIES[Math.floor(random() * CONCURRENCIES.length)]
      const killAt = 1 + Math.floor(random() * MAX_ACKS_BEFORE_KILL)
      const snapshotEvery = SNAPSHOT_EVERY[Math.floor(random() * SNAPSHOT_EVERY.length)]
      const run = await runAndKill(dir, Math.floor(random() * 2 ** 31), concurrency, killAt, snapshotEvery)

      // The child went on from exactly where the last reopen left the journal.
      expect(run.opened, `${where}: seq the child opened at`).toBe(seq)
      const seqs = run.acks.map((ack) => ack.seq)
      expect(new Set(seqs).size, `${where}: every acknowledged seq is distinct`).toBe(seqs.length)
      expect(Math.min(...seqs), `${where}: acknowledged seqs follow the opening seq`).toBeGreaterThan(seq)
      // Under 'always', an acknowledgement comes after the fsync that covers its entry.
      early += run.acks.filter((ack) => ack.seq > ack.synced).length

      // A temporary snapshot file left behind: this kill landed while a snapshot was being written.
      if (readdirSync(dir).some((name) => name.endsWith('.tmp'))) inSnapshotWrite++
      const warnings: StoreWarning[] = []
      const store = await openStore(bank, { dir, onWarning: (warning) => warnings.push(warning) })
      try {
        lost += run.acks.filter((ack) => ack.seq > store.seq).length
        acknowledged += run.acks.length
        expect(warnings.map((w) => w.code).filter((code) => code !== 'TORN_TAIL'), `${where}: repairs at reopen`).toEqual([])
        tornTails += warnings.length
        expect(total(store.refs.balances.value), `${where}: bank total`).toBe(BANK_TOTAL)
        expect(store.refs.balances.value.filter((balance) => balance < 0), `${where}: balances below zero`).toEqual([])
        seq = store.seq
        snapshots = Math.max(snapshots, readdirSync(dir).filter((name) => name.startsWith('snapshot-')).length)
      } finally {
        await store.close()
      }
      expect({ lost, early }, `${where}: acknowledged transfers missing after reopen, acknowledged before their fsync`).toEqual({ lost: 0, early: 0 })
    }
    console.log(`crash test: ${KILLS} kills (${inSnapshotWrite} while a snapshot was being written), ${acknowledged} acknowledged, ${lost} lost, ${tornTails} torn tails repaired (seed ${SEED})`)
    expect(acknowledged).toBeGreaterThanOrEqual(KILLS)
    // The draw did put snapshots in the way of the kills.
    expect(snapshots).toBeGreaterThan(0)
  })
})
