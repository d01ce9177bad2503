// One process of a failover round: `writer` opens the store on PostgreSQL and writes at once;
// `standby` follows it and writes once it took over. While writing, CALLERS callers dispatch
// `put` with unique ids and print `ack <id> <seq>` for each acknowledgement (pipes are
// synchronous on Linux: a printed line survives a SIGKILL), then `halted <code>` when the store stops.
//
//   tsx bench/failover/node.ts writer|standby URL SCHEMA STORE LEASE_MS [CALLERS]
import pg from 'pg'
import { createFollower, createStore, isStoreError, type Store } from '../../lib/index.js'
import { PostgresJournalStorage } from '../../lib/postgres/index.js'
import { ledger } from './ledger.js'

const [role, url, schema, store, leaseText, callersText = '8'] = process.argv.slice(2)
if ((role !== 'writer' && role !== 'standby') || !store) throw new Error('usage: node.ts writer|standby URL SCHEMA STORE LEASE_MS [CALLERS]')
const leaseMs = Number(leaseText)
const pool = new pg.Pool({ connectionString: url, max: 6 })
pool.on('error', () => {})
const storage = (): PostgresJournalStorage => new PostgresJournalStorage({ pool, schema, store, leaseMs, pollMs: 100 })
const say = (line: string): boolean => process.stdout.write(`${line}\n`)

let halted = false
function write(target: Store<typeof ledger.refs, typeof ledger.transactions>): void {
  say(`writing ${target.seq}`)
  let n = 0
  const caller = async (c: number): Promise<void> => {
    while (!halted) {
      const id = `${role}-${process.pid}-${c}-${n++}`
      try {
        const { seq } = await target.dispatch('put', id)
        say(`ack ${id} ${seq}`)
      } catch (error) {
        if (halted) return
        halted = true
        const code = isStoreError(error) ? (error.code === 'STORE_HALTED' ? ((error.cause as { code?: string })?.code ?? error.code) : error.code) : String(error)
        say(`halted ${code}`)
      }
    }
  }
  for (let c = 0; c < Number(callersText); c++) void caller(c)
}

if (role === 'writer') {
  write(await createStore(ledger, { storage: storage(), snapshots: false }))
} else {
  const follower = await createFollower(ledger, { storage: storage(), onWarning: () => {}, retryMs: 200, standby: { storage, pollMs: Math.max(20, Math.floor(leaseMs / 10)), store: { snapshots: false } } })
  say(`following ${follower.seq}`)
  await follower.promoted
  write(follower)
}
