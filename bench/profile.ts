// Runs one hot path of the benchmark alone, long enough for a CPU profile:
//   node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/profile.ts TARGET [N]
//   npx tsx bench/profile-top.ts .tmp/prof/<file>.cpuprofile
// TARGET: durable-seq | durable-256 | fast-seq | replay | immer  (write-journal N DIR: the replay's journal)
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { prevalentReplay, runPrevalent, writeBankJournal } from './suite/prevalent.js'
import { runImmer } from './suite/immer.js'
import { withTempDir } from './suite/scratch.js'
import { makeTransfers } from './suite/workload.js'

const TARGETS = {
  'durable-seq': async (n: number) => runPrevalent(makeTransfers(n, 1_000), n, 'seq', {}),
  'durable-256': async (n: number) => runPrevalent(makeTransfers(n, 1_000), n, 'inFlight', {}),
  'fast-seq': async (n: number) => runPrevalent(makeTransfers(n, 1_000), n, 'seq', { durability: 'none' }),
  // The journal is written by a child process, so that the profile holds the replay alone.
  replay: async (n: number) => {
    const t = makeTransfers(n, 1_000)
    return withTempDir('profile', async (dir) => {
      execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'write-journal', String(n), dir], { stdio: 'inherit' })
      return { ms: await prevalentReplay(dir, t, n) }
    })
  },
  'write-journal': async (n: number) => writeBankJournal(process.argv[4], makeTransfers(n, 1_000), n),
  immer: async (n: number) => runImmer(makeTransfers(n, 1_000), n, false),
} as const
const DEFAULT_N: Record<keyof typeof TARGETS, number> = { 'durable-seq': 20_000, 'durable-256': 500_000, 'fast-seq': 500_000, replay: 1_000_000, 'write-journal': 1_000_000, immer: 1_000_000 }

const target = process.argv[2] as keyof typeof TARGETS
if (!Object.hasOwn(TARGETS, target)) {
  console.error(`usage: bench/profile.ts ${Object.keys(TARGETS).join('|')} [N]`)
  process.exit(2)
}
const n = Number(process.argv[3] ?? DEFAULT_N[target])
console.log(target, n, await TARGETS[target](n))
