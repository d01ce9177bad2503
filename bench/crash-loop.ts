// The crash loop: start a child that transfers money with durability 'always', kill it with
// SIGKILL at a random moment, reopen its directory, and check that every transfer it reported
// as acknowledged is in the journal, unchanged, and that the bank's total still holds. The child
// takes a snapshot every 500 entries, so kills also land in snapshot writes and segment rolls;
// one life in twenty makes batches over 8 MiB (written in pieces), and one in three has every
// other segment roll fail (the automatic snapshot warns and the journal goes on).
//
//   npm run crash-loop -- --kills 1000 [--max-life 150] [--rotate-every 100]
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { openFileJournal, openStore } from '../lib/index.js'
import { numberArg } from './args.js'
import { ACCOUNTS, bank, OPENING, total } from './bank.js'

const kills = numberArg('kills', 1000)
const maxLife = numberArg('max-life', 150)
const rotateEvery = numberArg('rotate-every', 100)
const child = join(import.meta.dirname, 'crash-child.ts')
const root = mkdtempSync(join(tmpdir(), 'prevalent-crash-loop-'))

interface Life {
  readonly acks: Map<number, string>
  readonly killedBeforeReady: boolean
}

// Each life draws its load: few or many concurrent callers, short or long entries. Many callers
// with long memos make batches that span many pages, so a kill can land inside their write.
const CALLERS = [1, 4, 16, 64]
const MEMO_BYTES = [0, 0, 1_000, 3_000]
const draw = <T>(options: T[]): T => options[Math.floor(Math.random() * options.length)]
/** A large life: 192 callers of 48 KB entries make batches of about 9 MiB, past the 8 MiB bound. */
const LARGE = ['192', String(48 * 1024)]
let large = 0
let failingRolls = 0
let snapshotsFailed = 0

/** Runs one child until it is killed at a random moment; returns what it acknowledged. */
function live(dir: string, startup: { ms: number }): Promise<Life> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const isLarge = Math.random() < 0.05
    const failRolls = Math.random() < 1 / 3
    if (isLarge) large++
    if (failRolls) failingRolls++
    const load = [...(isLarge ? LARGE : [String(draw(CALLERS)), String(draw(MEMO_BYTES))]), failRolls ? '1' : '0']
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, ...load], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] })
    const acks = new Map<number, string>()
    let ready = false
    let timer: ReturnType<typeof setTimeout> | null = null
    const kill = (): void => void proc.kill('SIGKILL')
    // One kill in ten lands during start-up (replay, repair, setup); the rest while transferring.
    if (Math.random() < 0.1) timer = setTimeout(kill, Math.random() * startup.ms)
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const [kind, seq, ...rest] = line.split(' ')
      if (kind === 'ack') acks.set(Number(seq), rest.join(' '))
      else if (kind === 'warn' && seq === 'SNAPSHOT_FAILED') snapshotsFailed++
      else if (kind === 'ready' && !ready) {
        ready = true
        startup.ms = performance.now() - started
        timer ??= setTimeout(kill, Math.random() * maxLife)
      }
    })
    proc.on('error', reject)
    proc.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      if (signal !== 'SIGKILL') reject(new Error(`crash child exited on its own (code ${code}, signal ${signal}); expected to be killed`))
      else resolve({ acks, killedBeforeReady: !ready })
    })
  })
}

let acknowledged = 0
let lost = 0
let torn = 0
let duringStartup = 0
let duringSnapshot = 0
const failures: string[] = []
const began = performance.now()
const startup = { ms: 500 }
let dir = ''
let expected = new Map<number, string>()

for (let kill = 1; kill <= kills; kill++) {
  if ((kill - 1) % rotateEvery === 0) {
    // A fresh directory now and then keeps each check's replay short; every kill is still checked.
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = join(root, `run${kill}`)
    expected = new Map()
  }
  const life = await live(dir, startup)
  if (life.killedBeforeReady) duringStartup++
  acknowledged += life.acks.size
  for (const [seq, transfer] of life.acks) expected.set(seq, transfer)

  // A temporary snapshot file left behind: the kill landed while a snapshot was being written.
  if (existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.tmp'))) duringSnapshot++
  // Reopen as the next process would: repair a torn tail, replay, check the invariant.
  const store = await openStore(bank, { dir, onWarning: (w) => void (w.code === 'TORN_TAIL' ? torn++ : failures.push(`kill ${kill}: ${w.message}`)) })
  const accounts = store.state.accounts
  if (Object.keys(accounts).length > 0 && total(accounts) !== ACCOUNTS * OPENING) failures.push(`kill ${kill}: total ${total(accounts)}, expected ${ACCOUNTS * OPENING}`)
  await store.close()

  // Every acknowledged transfer is in the journal at its seq, with its arguments.
  const found = new Set<number>()
  const journal = await openFileJournal(dir, { write: false })
  for await (const entry of journal.entries()) {
    const transfer = expected.get(entry.seq)
    if (transfer === undefined) continue
    if (entry.name === 'transfer' && entry.args.slice(0, 3).join(' ') === transfer) found.add(entry.seq)
  }
  await journal.close()
  for (const seq of life.acks.keys()) {
    if (!found.has(seq)) {
      lost++
      failures.push(`kill ${kill}: acknowledged seq ${seq} (${life.acks.get(seq)}) is missing or changed`)
    }
  }
  if (kill % 100 === 0) console.log(`… ${kill} kills, ${acknowledged} acknowledged, ${lost} lost, ${torn} torn tails repaired, ${large} lives with batches over 8 MiB, ${failingRolls} with failing rolls (${snapshotsFailed} snapshots failed and went on) (${((performance.now() - began) / 1000).toFixed(0)} s)`)
}
rmSync(root, { recursive: true, force: true })

const seconds = ((performance.now() - began) / 1000).toFixed(0)
console.log(`kills ${kills} · acknowledged ${acknowledged} · lost ${lost} · torn tails repaired ${torn} · killed during start-up ${duringStartup} · killed while a snapshot was being written ${duringSnapshot} · lives with batches over 8 MiB ${large} · lives with failing segment rolls ${failingRolls} (snapshots failed and went on ${snapshotsFailed}) · ${seconds} s`)
for (const failure of failures.slice(0, 20)) console.error(failure)
if (failures.length > 0) process.exitCode = 1
