import { Collection } from '../core/collection.js'

// Committed values never change, so a subtree converted once is converted for good: a commit
// pays only for the parts it replaced.
const converted = new WeakMap<object, unknown>()

/**
 * A value of the state as it crosses the wire (JSON): a Collection or a Map becomes an object
 * of its entries, a Set an array, a Date its ISO string, a BigInt its decimal string; keys
 * holding `undefined` are left out; NaN and ±Infinity become null (as in JSON).
 */
export function toWire(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString()
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'function':
    case 'symbol':
      return undefined
    case 'object':
      break
    default:
      return value
  }
  if (value === null) return null
  const known = converted.get(value)
  if (known !== undefined) return known
  const out = convert(value)
  if (Object.isFrozen(value)) converted.set(value, out)
  return out
}

function convert(value: object): unknown {
  if (Array.isArray(value)) return value.map((item) => toWire(item) ?? null)
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Set) return [...value].map((item) => toWire(item) ?? null)
  const out: Record<string, unknown> = {}
  const entries: Iterable<[unknown, unknown]> = value instanceof Collection || value instanceof Map ? (value as Iterable<[unknown, unknown]>) : Object.entries(value)
  for (const [key, item] of entries) {
    const wire = toWire(item)
    // defineProperty: a key named "__proto__" stays an own key.
    if (wire !== undefined) Object.defineProperty(out, String(key), { value: wire, enumerable: true, writable: true, configurable: true })
  }
  return out
}
