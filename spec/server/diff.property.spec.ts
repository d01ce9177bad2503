import fc from 'fast-check'
import { enableMapSet, produce } from 'immer'
import { describe, expect, it } from 'vitest'
import { Collection } from '../../lib/index.js'
import { applyPatch } from '../../lib/client/index.js'
import { diff, toWire } from '../../lib/server/index.js'

// Keys that trip naive object code, beside ordinary ones.
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', '0', ''), fc.string({ maxLength: 4 }))
const leaf = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: true }), fc.bigInt())
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4, noNullPrototype: true }),
    fc.array(fc.tuple(key, tie('tree')), { maxLength: 6 }).map((entries) => Collection.from(entries)),
    fc.array(fc.tuple(key, tie('tree')), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 }).map((items) => new Set(items)),
  ),
}))

/** A change made the way a recipe makes it: through an Immer draft, so untouched parts stay shared. */
const edit = fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), tree, fc.constantFrom('set', 'delete'))

function change(root: unknown, [path, value, kind]: [number[], unknown, string]): unknown {
  return produce({ root }, (draft: { root: unknown }) => {
    let parent: any = draft
    let at: unknown = 'root'
    for (const step of path) {
      const node: unknown = parent instanceof Collection || parent instanceof Map ? parent.get(at as string) : parent[at as string]
      if (typeof node !== 'object' || node === null || node instanceof Date || node instanceof Set) break
      const keys: unknown[] = node instanceof Collection || node instanceof Map ? [...node.keys()] : Object.keys(node)
      if (keys.length === 0) break
      parent = node
      at = keys[step % keys.length]
      if (at === '__proto__' && !(node instanceof Collection || node instanceof Map)) return
    }
    const isMap = parent instanceof Collection || parent instanceof Map
    // A draft cannot take an own "__proto__" key by assignment (the unrelated-values property covers that key).
    if (!isMap && at === '__proto__') return
    if (kind === 'delete' && parent !== draft) isMap ? parent.delete(at) : Array.isArray(parent) ? parent.splice(Number(at), 1) : delete parent[at as string]
    else if (isMap) parent.set(at, value)
    else parent[at as string] = value
  }).root
}

enableMapSet()

const wire = (value: unknown) => JSON.parse(JSON.stringify(toWire(value) ?? null))

describe('diff', () => {
  it('gives a patch that takes the wire form of one value to the other (changes made through Immer)', () => {
    fc.assert(
      fc.property(tree, fc.array(edit, { minLength: 1, maxLength: 4 }), (before, edits) => {
        const after = edits.reduce(change, before)
        const patched = applyPatch(wire(before), JSON.parse(JSON.stringify(diff(before, after))))
        expect(JSON.parse(JSON.stringify(patched))).toEqual(wire(after))
      }),
      { numRuns: 300 },
    )
  })

  it('gives such a patch between two unrelated values', () => {
    fc.assert(
      fc.property(tree, tree, (before, after) => {
        const patched = applyPatch(wire(before), JSON.parse(JSON.stringify(diff(before, after))))
        expect(JSON.parse(JSON.stringify(patched))).toEqual(wire(after))
      }),
      { numRuns: 300 },
    )
  })

  it('finds one changed entry of a large Collection without walking the rest', () => {
    const big = Collection.from(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, { n: i }] as [string, { n: number }]))
    const after = produce(big, (draft) => {
      draft.get('k5')!.n = -1
    })
    let started = performance.now()
    expect(diff(big, after)).toEqual([{ op: 'set', path: ['k5', 'n'], value: -1 }])
    const one = performance.now() - started
    // The same entries in a trie that shares nothing: every leaf must be compared.
    const copy = Collection.from(big.entries())
    started = performance.now()
    expect(diff(big, copy)).toEqual([])
    expect(one).toBeLessThan((performance.now() - started) / 10)
  })
})
