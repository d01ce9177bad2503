// First run: dispatch the seed's transactions into a store directory, then print the state.
import { inspect } from 'node:util'
import { openStore } from '../../lib/index.js'
import { seed } from './definition.js'

const dir = process.argv[2]
if (!dir) throw new Error('usage: first-run.ts DIR')

const store = await openStore(seed, { dir })
await store.dispatch('add', 1, 2)
await store.dispatch('add', 10, 20)
await store.dispatch('swap')
await store.dispatch('inc')
await store.dispatch('setS', { a: 'bb', key: new Set(['val1', 'val2']) })
const { x, y, s } = store.state
console.log(`first run  (pid ${process.pid}, ${store.seq} transactions journaled): x = ${x}, y = ${y}, s = ${inspect(s)}`)
await store.close()
