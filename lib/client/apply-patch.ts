import type { PatchOp, PatchPath } from './protocol.js'

type Container = Record<string, unknown> | unknown[]

/** Freezes a value received from the wire, all the way down (it is shared by every reader). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

function copy(node: unknown): Container {
  if (Array.isArray(node)) return node.slice()
  const out: Record<string, unknown> = {}
  if (typeof node === 'object' && node !== null) for (const key of Object.keys(node)) define(out, key, (node as Record<string, unknown>)[key])
  return out
}

// defineProperty, not assignment: a key named "__proto__" stays an own key, never a prototype.
function define(target: Container, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function setIn(node: unknown, path: PatchPath, at: number, op: PatchOp): unknown {
  if (at === path.length) {
    if (op.op === 'set') return deepFreeze(op.value)
    if (op.op === 'truncate') return Object.freeze((node as unknown[]).slice(0, op.length))
    throw new TypeError(`live patch: "delete" needs a non-empty path`)
  }
  const key = path[at]
  const next = copy(node)
  if (op.op === 'delete' && at === path.length - 1) {
    delete (next as Record<string, unknown>)[key as string]
  } else {
    const child = typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key as string] : undefined
    define(next, key, setIn(child, path, at + 1, op))
  }
  return Object.freeze(next)
}

/**
 * Applies a view's patch to its value without changing it: the parts on the changed paths are
 * copied, every other part is shared, so a reader can compare by reference what changed.
 */
export function applyPatch<T>(value: T, ops: readonly PatchOp[]): T {
  let out: unknown = value
  for (const op of ops) out = setIn(out, op.path, 0, op)
  return out as T
}
