// Writes a small bank's journal into DIR (three segments and two snapshots), to try the
// `prevalent` command line on:
//   npx tsx demo/journal-tools/make-journal.ts data && npx prevalent stats data
import { openStore } from '../../lib/index.js'
import { bank } from '../replay-into-sqlite/definition.js'

const dir = process.argv[2]
if (!dir) throw new Error('usage: make-journal.ts DIR')

// A fixed clock (one transaction every 90 seconds from 09:00) makes the journal the same every run.
let now = Date.parse('2026-11-24T09:00:00.000Z')
// Snapshots are taken by hand (after seq 4 and 8), so the journal goes on in a new segment after each.
const store = await openStore(bank, { dir, clock: () => (now += 90_000), snapshots: false })
const [ann, bob, cy] = [(await store.dispatch('open', 'ann')).result, (await store.dispatch('open', 'bob')).result, (await store.dispatch('open', 'cy')).result]
await store.dispatch('deposit', ann, 500)
await store.snapshot()
await store.dispatch('deposit', bob, 120)
await store.dispatchOnce('invoice-2026-117', 'transfer', ann, cy, 75)
await store.dispatchOnce('invoice-2026-117', 'transfer', ann, cy, 75) // a retry: applied once
await store.dispatch('withdraw', bob, 20)
await store.dispatch('transfer', cy, bob, 25)
await store.snapshot()
await store.dispatch('deposit', cy, 40)
await store.dispatch('transfer', bob, ann, 60)
await store.dispatch('close', cy).catch(() => {})
console.log(`${store.seq} transactions journaled in ${dir}`)
await store.close()
