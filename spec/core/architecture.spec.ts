import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const lib = join(import.meta.dirname, '../../lib')
const core = join(lib, 'core')

/** Every module under lib/ with the relative modules it imports (type-only imports count: they tangle too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const entry of readdirSync(lib, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts') || entry.endsWith('.d.ts')) continue
    const file = join(lib, entry)
    const source = readFileSync(file, 'utf8')
    const targets = [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
    graph.set(file, targets)
  }
  return graph
}

/** One path per cycle found by a depth-first walk (each back edge closes one). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const cycles: string[][] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    path.push(file)
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target])
      else if (!state.has(target)) visit(target)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles
}

describe('architecture', () => {
  it('keeps the core free of node modules and file-system libraries', () => {
    const offenders: string[] = []
    for (const file of readdirSync(core)) {
      const source = readFileSync(join(core, file), 'utf8')
      for (const match of source.matchAll(/from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = match[1] ?? match[2] ?? match[3]
        if (/^node:|^(fs|path|os|child_process|fs-extra|fs-ext)$/.test(spec)) offenders.push(`${file}: ${spec}`)
      }
    }
    expect(readdirSync(core).length).toBeGreaterThan(5)
    expect(offenders).toEqual([])
  })

  it('has no import cycle anywhere in lib/', () => {
    const graph = importGraph()
    expect(graph.size).toBeGreaterThan(40)
    expect(cyclesOf(new Map([['a', ['b']], ['b', ['c', 'a']], ['c', []]]))).toEqual([['a', 'b', 'a']])
    expect(cyclesOf(graph).map((cycle) => cycle.map((file) => relative(lib, file)).join(' → '))).toEqual([])
  })

  it('exports only named symbols from each entry point: Node adds the file storage to the core', async () => {
    const node = await import('../../lib/index.js')
    const core = await import('../../lib/core/index.js')
    const testing = await import('../../lib/testing/index.js')
    const coreNames = ['Collection', 'Journal', 'MemoryJournalStorage', 'MemorySnapshots', 'StoreError', 'createStore', 'createStoreAt', 'defineStore', 'isStoreError', 'openJournal', 'scanJournal', 'shallowEqual']
    for (const api of [node, core, testing]) expect(Object.keys(api)).not.toContain('default')
    expect(Object.keys(core).sort()).toEqual(coreNames)
    expect(Object.keys(node).sort()).toEqual([...coreNames, 'FaultInjectingStorage', 'FileJournalStorage', 'openFileJournal', 'openStore', 'openStoreAt'].sort())
    expect(Object.keys(testing).sort()).toEqual(['FaultInjectingStorage', 'MemoryJournalStorage', 'MemorySnapshots', 'TestClock', 'describeStorageContract'])
    // One class per concept, whichever entry it is imported from.
    expect(node.Collection).toBe(core.Collection)
    expect(testing.MemoryJournalStorage).toBe(core.MemoryJournalStorage)
  })
})
