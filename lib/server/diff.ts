import { Collection } from '../core/collection.js'
import type { PatchOp } from '../client/protocol.js'
import { toWire } from './to-wire.js'

type Path = Array<string | number>

/**
 * The patch that takes the wire form of `before` to the wire form of `after`. Both are
 * committed (immutable) values, so a part that is the same reference on both sides is the same
 * and is skipped without a look inside: the cost follows what changed, not the value's size.
 * A Collection is compared through its trie, where untouched nodes are shared too, and patched
 * as the object of its entries.
 */
export function diff(before: unknown, after: unknown): PatchOp[] {
  const out: PatchOp[] = []
  diffInto(before, after, [], out)
  return out
}

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function diffInto(a: unknown, b: unknown, path: Path, out: PatchOp[]): void {
  if (a === b) return
  if (a instanceof Collection && b instanceof Collection) return diffNode(a.root, b.root, path, out)
  if (Array.isArray(a) && Array.isArray(b)) return diffArray(a, b, path, out)
  if (a instanceof Map && b instanceof Map) return diffEntries(new Map([...a].map(([k, v]) => [String(k), v])), new Map([...b].map(([k, v]) => [String(k), v])), path, out)
  if (isPlain(a) && isPlain(b)) return diffEntries(new Map(Object.entries(a)), new Map(Object.entries(b)), path, out)
  const wa = toWire(a)
  const wb = toWire(b)
  // Equal on the wire (NaN to NaN, the same date, a rebuilt Set with the same items): nothing to send.
  if (wa === wb) return
  if (typeof wa === 'object' && typeof wb === 'object' && JSON.stringify(wa) === JSON.stringify(wb)) return
  // A key whose value became undefined is left out on the wire; the whole view becomes null.
  out.push(wb === undefined && path.length > 0 ? { op: 'delete', path: path.slice() } : { op: 'set', path: path.slice(), value: wb ?? null })
}

function diffArray(a: readonly unknown[], b: readonly unknown[], path: Path, out: PatchOp[]): void {
  const common = Math.min(a.length, b.length)
  for (let i = 0; i < common; i++) {
    if (a[i] === b[i]) continue
    path.push(i)
    diffInto(a[i], b[i], path, out)
    path.pop()
  }
  if (b.length < a.length) out.push({ op: 'truncate', path: path.slice(), length: b.length })
  for (let i = common; i < b.length; i++) out.push({ op: 'set', path: [...path, i], value: toWire(b[i]) ?? null })
}

function diffEntries(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>, path: Path, out: PatchOp[]): void {
  for (const [key, value] of a) if (value !== undefined && b.get(key) === undefined) out.push({ op: 'delete', path: [...path, key] })
  for (const [key, value] of b) {
    const old = a.get(key)
    if (old === value || value === undefined) continue
    path.push(key)
    if (old === undefined) {
      const wire = toWire(value)
      if (wire !== undefined) out.push({ op: 'set', path: path.slice(), value: wire })
    } else {
      diffInto(old, value, path, out)
    }
    path.pop()
  }
}

// A Collection's trie: inner nodes are arrays of children (or holes), leaves are arrays of
// key, value pairs (a string at every even index). Both tries have the same fixed depth, so
// nodes at one position are of one kind, or absent.
type TrieNode = readonly unknown[] | undefined

function isLeaf(node: TrieNode): boolean {
  return node !== undefined && typeof node[0] === 'string'
}

function diffNode(a: TrieNode, b: TrieNode, path: Path, out: PatchOp[]): void {
  if (a === b) return
  if (a !== undefined && b !== undefined && a.length > 0 && b.length > 0 && !isLeaf(a) && !isLeaf(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffNode(a[i] as TrieNode, b[i] as TrieNode, path, out)
    return
  }
  diffEntries(pairs(a), pairs(b), path, out)
}

function pairs(node: TrieNode, into = new Map<string, unknown>()): Map<string, unknown> {
  if (node === undefined) return into
  if (isLeaf(node)) {
    for (let i = 0; i < node.length; i += 2) into.set(node[i] as string, node[i + 1])
  } else {
    for (const child of node) pairs(child as TrieNode, into)
  }
  return into
}
