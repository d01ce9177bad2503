// Second run: a new process opens the same directory and dispatches nothing: the state is back.
import { inspect } from 'node:util'
import { openStore } from '../../lib/index.js'
import { seed } from './definition.js'

const dir = process.argv[2]
if (!dir) throw new Error('usage: second-run.ts DIR')

const store = await openStore(seed, { dir })
const { x, y, s } = store.state
console.log(`second run (pid ${process.pid}, replayed ${store.seq} transactions):   x = ${x}, y = ${y}, s = ${inspect(s)}`)
await store.close()
