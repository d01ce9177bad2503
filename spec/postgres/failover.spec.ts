import { describe, expect, it } from 'vitest'
import { runChain, summary, type Fault } from '../../bench/failover/rounds.js'
import { PG_URL, pgSchema } from '../fixtures/postgres.js'

// Real processes on the real server: the long run is `npm run failover-loop` (100+ rounds, and
// PostgreSQL restarts, which this shared server is not put through here).
const LEASE_MS = 800
const FAULTS: Fault[] = ['kill', 'stop', 'partition']
const db = pgSchema('failover')

describe('failover on PostgreSQL', () => {
  it('loses no acknowledged transaction and never lets two writers acknowledge one seq, whatever takes the writer away', async () => {
    const faults = Array.from({ length: 10 }, (_, round) => FAULTS[round % FAULTS.length])
    const chain = await runChain(db.pool, { url: PG_URL, schema: db.schema, store: 'chain', leaseMs: LEASE_MS, faults, acksBefore: (round) => 20 + ((round * 37) % 150) })
    console.log(summary([chain], LEASE_MS))
    expect(chain).toMatchObject({ lost: 0, forks: 0, gaps: 0, duplicates: 0 })
    expect(chain.acknowledged).toBeGreaterThan(400)
    for (const result of chain.rounds) {
      if (result.fault === 'stop') expect(result.zombie).toBe('FENCED')
      if (result.fault === 'partition') expect(['FENCED', 'WRITE_FAILED']).toContain(result.zombie)
      expect(result.failoverMs).toBeLessThan(LEASE_MS + 2000)
    }
  }, 120_000)
})
