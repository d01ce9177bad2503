// One process of the replicas demo, on PostgreSQL:
//   writer  — opens the store and places an order every 100 ms;
//   follower — a read-only live replica, printing what it shows;
//   standby — follows, and takes over (and writes) once the writer's lease expires.
import pg from 'pg'
import { createFollower, createStore, type Store } from '../../lib/index.js'
import { PostgresJournalStorage } from '../../lib/postgres/index.js'
import { orders } from './definition.js'

const [role, url, schema, leaseText] = process.argv.slice(2)
const pool = new pg.Pool({ connectionString: url })
pool.on('error', () => {})
const storage = (): PostgresJournalStorage => new PostgresJournalStorage({ pool, schema, store: 'orders', leaseMs: Number(leaseText) })
const say = (text: string): boolean => process.stdout.write(`[${role.padEnd(8)}] ${text}\n`)
const items = ['tea', 'coffee', 'cake', 'soup']

function placeOrders(store: Store<typeof orders.refs, typeof orders.transactions>): void {
  let n = 0
  const timer = setInterval(() => {
    store.dispatch('place', items[n++ % items.length], role).then(
      ({ seq }) => seq % 10 === 0 && say(`placed order seq ${seq}`),
      (error: Error) => {
        clearInterval(timer)
        say(`stopped: ${error.message}`)
      },
    )
  }, 100)
}

if (role === 'writer') {
  const store = await createStore(orders, { storage: storage(), snapshots: false })
  say(`writing from seq ${store.seq} (pid ${process.pid})`)
  placeOrders(store)
} else {
  const started = Date.now()
  const replica = await createFollower(orders, {
    storage: storage(),
    onWarning: (w) => say(w.message),
    ...(role === 'standby' && { standby: { storage, pollMs: 100, store: { snapshots: false } } }),
  })
  say(`following from seq ${replica.seq}`)
  if (role === 'follower') {
    setInterval(() => {
      const { lag } = replica.metrics()
      const last = replica.state.orders.at(-1)
      say(`shows ${replica.state.orders.length} orders at seq ${replica.seq} (last: ${last?.item} by ${last?.by}), lag ${lag.entries} entries / ${lag.ms} ms`)
    }, 500)
  } else {
    void replica.promoted.then(() => {
      say(`took over at seq ${replica.seq}, ${Date.now() - started} ms after it started following`)
      placeOrders(replica)
    })
  }
}
