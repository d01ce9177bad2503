// The soak: a million transfers (durability 'none') through one store, measuring memory at the
// start and the end. The state stays the same size, so memory must too: whatever grows is a leak.
//
//   npm run soak -- --transactions 1000000 [--callers 64] [--accounts 10]
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '../lib/index.js'
import { numberArg } from './args.js'
import { bank, OPENING, total } from './bank.js'

const transactions = numberArg('transactions', 1_000_000)
const callers = numberArg('callers', 64)
const accounts = numberArg('accounts', 10)
const dir = mkdtempSync(join(tmpdir(), 'prevalent-soak-'))
const gc = (globalThis as { gc?: () => void }).gc

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`
function memory(): { rss: number; heap: number; heapTotal: number; external: number } {
  // Collect first (when --expose-gc is given) so the figures show what is retained, not garbage.
  gc?.()
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
  return { rss, heap: heapUsed, heapTotal, external }
}

try {
  const store = await openStore(bank, { dir, durability: 'none' })
  await store.dispatch('setup', accounts, OPENING)
  const start = memory()
  console.log(`start: rss ${mb(start.rss)}, heap ${mb(start.heap)}${gc ? '' : ' (run with --expose-gc for collected figures)'}`)

  let sent = 0
  let peak = start.rss
  const began = performance.now()
  const caller = async (): Promise<void> => {
    while (sent < transactions) {
      const n = ++sent
      const from = `a${Math.floor(Math.random() * accounts)}`
      const to = `a${Math.floor(Math.random() * accounts)}`
      await store.dispatch('transfer', from, to, 1).catch(() => {
        // Insufficient funds: refused by the recipe, nothing journaled.
      })
      if (n % 100_000 === 0) {
        const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
        peak = Math.max(peak, rss)
        console.log(`  ${n} sent, rss ${mb(rss)}, heap ${mb(heapUsed)} of ${mb(heapTotal)}, external ${mb(external)}`)
      }
    }
  }
  await Promise.all(Array.from({ length: callers }, caller))
  const seconds = (performance.now() - began) / 1000
  const end = memory()
  peak = Math.max(peak, end.rss)
  if (total(store.state.accounts) !== accounts * OPENING) throw new Error(`bank total ${total(store.state.accounts)}, expected ${accounts * OPENING}`)
  const seq = store.seq
  await store.close()
  const journal = statSync(join(dir, 'journal.ndjson')).size
  console.log(`end:   rss ${mb(end.rss)}, heap ${mb(end.heap)}; peak rss ${mb(peak)}`)
  console.log(`${transactions} transactions (${seq} journaled) in ${seconds.toFixed(1)} s, ${Math.round(transactions / seconds)}/s; journal ${mb(journal)}`)
  console.log(`rss start ${mb(start.rss)} → end ${mb(end.rss)} (${end.rss >= start.rss ? '+' : ''}${mb(end.rss - start.rss)})`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
