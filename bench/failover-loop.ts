// The failover loop on PostgreSQL: chains of rounds in which a writer under load is killed
// (SIGKILL), paused past its lease and resumed (SIGSTOP/SIGCONT: the zombie must be FENCED), cut
// off through a TCP proxy, or PostgreSQL itself is restarted in immediate mode; a standby takes
// over each time. Afterwards every acknowledged transaction must be in the journal exactly once,
// at the seq it was acknowledged with, the seq dense, and no seq acknowledged by two writers.
//
//   npm run failover-loop -- [--rounds 100] [--lease 1000] [--chain 10] [--pg-restart-every 10]
//
// PostgreSQL restarts take the server away from everyone using it: run this on a server of your own.
import pg from 'pg'
import { numberArg } from './args.js'
import { runChain, summary, type ChainResult, type Fault } from './failover/rounds.js'

const rounds = numberArg('rounds', 100)
const leaseMs = numberArg('lease', 1000)
const chainLength = numberArg('chain', 10)
const restartEvery = numberArg('pg-restart-every', 10)
const url = process.env.PREVALENT_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `prevalent_failover_${process.pid}`
const pool = new pg.Pool({ connectionString: url })
pool.on('error', () => {})

const BASIC: Fault[] = ['kill', 'stop', 'partition']
const chains: ChainResult[] = []
let done = 0
try {
  for (let c = 0; done < rounds; c++) {
    const faults = Array.from({ length: Math.min(chainLength, rounds - done) }, (_, i): Fault => (restartEvery > 0 && (done + i + 1) % restartEvery === 0 ? 'pg-restart' : BASIC[(done + i) % BASIC.length]))
    const chain = await runChain(pool, {
      url,
      schema,
      store: `chain-${c}`,
      leaseMs,
      faults,
      acksBefore: () => 20 + Math.floor(Math.random() * 300),
      onRound: (r, i) => console.log(`round ${done + i + 1}: ${r.fault}, failover ${Math.round(r.failoverMs)} ms${r.zombie ? `, zombie ${r.zombie}` : ''}`),
    })
    chains.push(chain)
    done += faults.length
    console.log(`chain ${c + 1}: acknowledged ${chain.acknowledged}, lost ${chain.lost}, forks ${chain.forks}, gaps ${chain.gaps}, duplicates ${chain.duplicates}`)
  }
  const line = summary(chains, leaseMs)
  console.log(line)
  if (chains.some((c) => c.lost + c.forks + c.gaps + c.duplicates > 0)) process.exitCode = 1
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
  await pool.end()
}
