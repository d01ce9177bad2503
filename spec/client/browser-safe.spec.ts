import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const lib = join(import.meta.dirname, '../../lib')

/** Every file a browser entry reaches through relative imports, with its bare imports. */
function reach(entry: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(entry)) return seen
  const bare: string[] = []
  seen.set(entry, bare)
  // Comments out: JSDoc examples show imports of an application's own files.
  const source = readFileSync(entry, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  for (const match of source.matchAll(/(?:import|export)(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    const spec = match[1]
    if (spec.startsWith('.')) reach(resolve(dirname(entry), spec.replace(/\.js$/, '.ts')), seen)
    else bare.push(spec)
  }
  return seen
}

describe('browser entries', () => {
  it.each(['client', 'react', 'devtools'])('lib/%s reaches no Node built-in and no server-side package', (entry) => {
    expect(readdirSync(join(lib, entry)).length).toBeGreaterThan(0)
    const files = reach(join(lib, entry, 'index.ts'))
    const imports = [...new Set([...files.values()].flat())].sort()
    expect(imports.filter((spec) => !['rxjs', 'react'].includes(spec))).toEqual([])
    expect([...files.keys()].map((file) => file.slice(lib.length + 1)).filter((file) => /^(node|server)\//.test(file))).toEqual([])
  })
})
