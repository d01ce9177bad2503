// First run: dispatch the seed's transactions into a store directory, then print the state.
import { inspect } from 'node:util'
import { openStore } from '../../lib/index.js'
import { firstRun, seed } from './definition.js'

const dir = process.argv[2]
if (!dir) throw new Error('usage: first-run.ts DIR')

const store = await openStore(seed, { dir })
await firstRun(store)
const { x, y, s } = store.state
console.log(`first run  (pid ${process.pid}, ${store.seq} transactions journaled): x = ${x}, y = ${y}, s = ${inspect(s)}`)
await store.close()
