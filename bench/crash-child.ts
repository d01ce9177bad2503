// The process the crash loop kills: it opens the bank, then transfers from concurrent callers
// forever, printing `ack <seq> <from> <to> <amount>` for each acknowledged transfer.
//   crash-child.ts DIR [CALLERS (default 8)] [MEMO BYTES (default 0)] [FAIL ROLLS (0 or 1)]
// Many callers with long memos make batches of many pages, whose write a kill can tear; past
// 8 MiB a batch is written in pieces. With FAIL ROLLS, every other segment roll fails (ENOSPC),
// so kills also land while automatic snapshots fail and the journal goes on in its segment.
import { createStore, FileJournalStorage } from '../lib/index.js'
import { ACCOUNTS, bank, OPENING } from './bank.js'

/** The file journal, whose every other segment roll fails as on a disk out of inodes. */
class FailingRolls extends FileJournalStorage {
  #rolls = 0

  override async roll(firstSeq: number): Promise<void> {
    if (++this.#rolls % 2 === 1) throw Object.assign(new Error('ENOSPC: no space left on device (simulated), open'), { code: 'ENOSPC' })
    await super.roll(firstSeq)
  }
}

const dir = process.argv[2]
if (!dir) throw new Error('usage: crash-child.ts DIR [CALLERS] [MEMO_BYTES]')
const CALLERS = Number(process.argv[3] ?? 8)
const MEMO = 'm'.repeat(Number(process.argv[4] ?? 0))
const storage = process.argv[5] === '1' ? new FailingRolls(dir) : new FileJournalStorage(dir)

// Repairs are the parent's to count: it reopens after every kill, before this process runs.
// Snapshots every 500 entries: kills also land while a snapshot is written or a segment rolls.
const store = await createStore(bank, { storage, durability: 'always', snapshots: { everyEntries: 500 }, onWarning: (w) => process.stdout.write(`warn ${w.code}\n`) })
if (Object.keys(store.state.accounts).length === 0) await store.dispatch('setup', ACCOUNTS, OPENING)
process.stdout.write(`ready ${store.seq}\n`)

const pick = (): string => `a${Math.floor(Math.random() * ACCOUNTS)}`

async function caller(): Promise<never> {
  for (;;) {
    const from = pick()
    const to = pick()
    const amount = 1 + Math.floor(Math.random() * 50)
    try {
      const { seq, journaled } = MEMO ? await store.dispatch('transfer', from, to, amount, MEMO) : await store.dispatch('transfer', from, to, amount)
      if (journaled) process.stdout.write(`ack ${seq} ${from} ${to} ${amount}\n`)
    } catch {
      // Insufficient funds: the recipe refused, nothing was journaled.
    }
  }
}

await Promise.all(Array.from({ length: CALLERS }, caller))
