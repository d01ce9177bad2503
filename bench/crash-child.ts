// The process the crash loop kills: it opens the bank, then transfers from concurrent callers
// forever, printing `ack <seq> <from> <to> <amount>` for each acknowledged transfer.
import { openStore } from '../lib/index.js'
import { ACCOUNTS, bank, OPENING } from './bank.js'

const dir = process.argv[2]
if (!dir) throw new Error('usage: crash-child.ts DIR')
const CALLERS = 8

// Repairs are the parent's to count: it reopens after every kill, before this process runs.
const store = await openStore(bank, { dir, durability: 'always', onWarning: (w) => process.stdout.write(`warn ${w.code}\n`) })
if (Object.keys(store.state.accounts).length === 0) await store.dispatch('setup', ACCOUNTS, OPENING)
process.stdout.write(`ready ${store.seq}\n`)

const pick = (): string => `a${Math.floor(Math.random() * ACCOUNTS)}`

async function caller(): Promise<never> {
  for (;;) {
    const from = pick()
    const to = pick()
    const amount = 1 + Math.floor(Math.random() * 50)
    try {
      const { seq, journaled } = await store.dispatch('transfer', from, to, amount)
      if (journaled) process.stdout.write(`ack ${seq} ${from} ${to} ${amount}\n`)
    } catch {
      // Insufficient funds: the recipe refused, nothing was journaled.
    }
  }
}

await Promise.all(Array.from({ length: CALLERS }, caller))
