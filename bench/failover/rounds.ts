// Failover rounds on PostgreSQL: a writer process under load, a standby process following it;
// the writer is killed (SIGKILL), paused past its lease and resumed (SIGSTOP/SIGCONT: the zombie
// must be FENCED), cut off through a TCP proxy, or PostgreSQL itself is restarted in immediate
// mode; the standby takes over. Then the journal's rows are checked against every
// acknowledgement either process printed.
import { execFileSync } from 'node:child_process'
import pg from 'pg'
import { startChild, type Child } from '../../spec/fixtures/child-process.js'
import { startProxy } from './proxy.js'

/** How a round takes the writer away. */
export type Fault = 'kill' | 'stop' | 'partition' | 'pg-restart'

/** What one round found. */
export interface RoundResult {
  readonly fault: Fault
  /** The zombie (a stopped, or cut-off, writer) halted with this code (`FENCED` expected), if it was one. */
  readonly zombie: string | null
  /** From the fault to the standby's first write, in ms. */
  readonly failoverMs: number
}

/** What a chain of rounds found in the journal, against every acknowledgement. */
export interface ChainResult {
  readonly rounds: RoundResult[]
  readonly acknowledged: number
  readonly lost: number
  readonly forks: number
  readonly gaps: number
  readonly duplicates: number
}

export interface ChainOptions {
  readonly url: string
  readonly schema: string
  readonly store: string
  readonly leaseMs: number
  /** The fault of each round, in order. */
  readonly faults: readonly Fault[]
  /** Acknowledgements the writer of a round makes before its fault. */
  readonly acksBefore: (round: number) => number
  /** Told each round as it ends. */
  readonly onRound?: (result: RoundResult, round: number) => void
}

const NODE = 'bench/failover/node.ts'
const acks = (child: Child): Array<[string, number]> => child.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ')).map(([, id, seq]) => [id, Number(seq)])
const countAcks = (child: Child, n: number) => child.line(() => acks(child).length >= n)

/**
 * Runs a chain of rounds on one store: the standby that took over in one round is the writer of
 * the next, beside a new standby. Then checks the journal against every acknowledgement.
 */
export async function runChain(pool: pg.Pool, options: ChainOptions): Promise<ChainResult> {
  const { leaseMs } = options
  const target = new URL(options.url)
  const start = async (role: 'writer' | 'standby', partitionable: boolean) => {
    const proxy = partitionable ? await startProxy(target.hostname, Number(target.port || 5432)) : null
    const url = proxy ? Object.assign(new URL(options.url), { port: String(proxy.port) }).toString() : options.url
    return { child: startChild(NODE, [role, url, options.schema, options.store, String(leaseMs)]), proxy }
  }
  const all: Child[] = []
  const proxies: Array<{ close(): Promise<void> }> = []
  const rounds: RoundResult[] = []
  try {
    let writer = await start('writer', options.faults[0] === 'partition')
    all.push(writer.child)
    await writer.child.line((l) => l.startsWith('writing'))
    for (let round = 0; round < options.faults.length; round++) {
      const fault = options.faults[round]
      const standby = await start('standby', options.faults[round + 1] === 'partition')
      all.push(standby.child)
      if (standby.proxy) proxies.push(standby.proxy)
      await standby.child.line((l) => l.startsWith('following'))
      await countAcks(writer.child, options.acksBefore(round))
      const faultAt = performance.now()
      if (fault === 'kill') writer.child.process.kill('SIGKILL')
      else if (fault === 'stop') writer.child.process.kill('SIGSTOP')
      else if (fault === 'partition') writer.proxy!.cut()
      else execFileSync('bash', ['-c', 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart -m immediate'], { stdio: 'ignore' })
      await standby.child.line((l) => l.startsWith('writing'))
      const failoverMs = performance.now() - faultAt
      if (fault === 'stop') writer.child.process.kill('SIGCONT')
      const zombie = fault === 'kill' ? null : (await writer.child.line((l) => l.startsWith('halted '))).split(' ')[1]
      writer.child.process.kill('SIGKILL')
      await writer.child.exited
      await countAcks(standby.child, 10)
      rounds.push({ fault, zombie, failoverMs })
      options.onRound?.(rounds[rounds.length - 1], round)
      writer = standby
    }
    writer.child.process.kill('SIGKILL')
    await writer.child.exited
    return { rounds, ...(await check(pool, options.schema, options.store, all.flatMap(acks))) }
  } finally {
    for (const child of all) child.process.kill('SIGKILL')
    for (const proxy of proxies) await proxy.close()
  }
}

/** Compares the rows with the acknowledgements: every one present exactly once at its seq, seq dense, no seq acknowledged twice. */
async function check(pool: pg.Pool, schema: string, store: string, acked: Array<[string, number]>) {
  const { rows } = await pool.query(`SELECT seq, line FROM "${schema}".journal WHERE store = $1 ORDER BY seq`, [store])
  const idAt = new Map<number, string>()
  const seqOf = new Map<string, number>()
  let gaps = 0
  let duplicates = 0
  rows.forEach((row, i) => {
    const seq = Number(row.seq)
    if (seq !== i + 1) gaps++
    const id = (JSON.parse(row.line) as { args: [string] }).args[0]
    if (seqOf.has(id)) duplicates++
    idAt.set(seq, id)
    seqOf.set(id, seq)
  })
  let lost = 0
  let forks = 0
  const ackedAt = new Map<number, string>()
  for (const [id, seq] of acked) {
    if (idAt.get(seq) !== id) lost++
    const other = ackedAt.get(seq)
    if (other !== undefined && other !== id) forks++
    ackedAt.set(seq, id)
  }
  return { acknowledged: acked.length, lost, forks, gaps, duplicates }
}

/** Sums chains of rounds into the loop's line. */
export function summary(chains: readonly ChainResult[], leaseMs: number): string {
  const results = chains.flatMap((c) => c.rounds)
  const sum = (pick: (r: ChainResult) => number): number => chains.reduce((n, r) => n + pick(r), 0)
  const times = results.map((r) => r.failoverMs).sort((a, b) => a - b)
  const zombies = results.filter((r) => r.fault === 'stop' || r.fault === 'partition')
  const byFault = ['kill', 'stop', 'partition', 'pg-restart'].map((f) => `${f} ${results.filter((r) => r.fault === f).length}`).join(', ')
  return `failover loop: ${results.length} rounds (${byFault}), lease ${leaseMs} ms, acknowledged ${sum((r) => r.acknowledged)}, lost ${sum((r) => r.lost)}, forks ${sum((r) => r.forks)}, gaps ${sum((r) => r.gaps)}, duplicates ${sum((r) => r.duplicates)}, zombies fenced ${zombies.filter((r) => r.zombie === 'FENCED').length}/${zombies.length} (other halts: ${zombies.filter((r) => r.zombie !== 'FENCED').map((r) => r.zombie).join(' ') || 'none'}), failover median ${Math.round(times[times.length >> 1])} ms, max ${Math.round(times[times.length - 1])} ms`
}
