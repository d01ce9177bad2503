// Summarises a `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time.
//   npx tsx bench/profile-top.ts FILE.cpuprofile [count] [--without NAME,NAME]
// --without leaves functions out of the total, e.g. `(idle)`, or `spawnSync` for the child
// that writes the replay's journal: percentages are then of the remaining samples.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly hitCount?: number
}

const { positionals, values } = parseArgs({ allowPositionals: true, options: { without: { type: 'string', default: '' } } })
const [file, count = '25'] = positionals
const without = new Set(values.without.split(',').filter((name) => name !== ''))
if (!file) {
  console.error('usage: bench/profile-top.ts FILE.cpuprofile [count] [--without NAME,NAME]')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] }
const hits = new Map<number, number>()
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1)
const bySite = new Map<string, number>()
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame
  const where = url ? `${url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(lib|bench)\//, '$1/')}:${lineNumber + 1}` : ''
  if (without.has(functionName)) continue
  const site = `${functionName || '(anonymous)'} ${where}`.trim()
  bySite.set(site, (bySite.get(site) ?? 0) + (hits.get(node.id) ?? 0))
}
const total = [...bySite.values()].reduce((sum, n) => sum + n, 0)
console.log(`${total} samples${without.size > 0 ? ` (without ${[...without].join(', ')})` : ''}`)
for (const [site, n] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${site}`)
}
