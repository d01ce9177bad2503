import { SuperJSON } from 'superjson'
import { Collection } from './collection.js'
import { StoreError } from './errors.js'

// A private instance: registering our types never touches the application's own superjson.
const superjson = new SuperJSON()
superjson.registerCustom<Collection<unknown>, any>(
  {
    isApplicable: (value): value is Collection<unknown> => value instanceof Collection,
    // Nested values may need annotations of their own (a Date in an entry), so the entries go
    // through the same codec.
    serialize: (collection) => superjson.serialize(collection.toObject()) as any,
    deserialize: (encoded) => Collection.from(superjson.deserialize(encoded) as Record<string, unknown>),
  },
  'prevalent.Collection',
)

/**
 * Arguments as they are written into a journal entry: `json` is the JSON text of the
 * argument array, `meta` the codec's type annotations (absent for plain JSON values).
 */
export interface EncodedArgs {
  readonly json: string
  readonly meta: string | undefined
}

const plainProto = Object.prototype

/**
 * Walks a value and throws `UNSERIALIZABLE_ARGUMENT` at the first part that would not come
 * back equal from the journal. Returns true when the value needs the codec's annotations
 * (Map, Set, Date, BigInt, undefined, NaN, ±Infinity, -0); false when JSON alone keeps it.
 */
function check(value: unknown, path: string, stack: object[], transaction: string): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return false
    case 'number':
      return !Number.isFinite(value) || Object.is(value, -0)
    case 'bigint':
    case 'undefined':
      return true
    case 'function':
    case 'symbol':
      throw unserializable(transaction, path, `a ${typeof value}`)
  }
  if (value === null) return false
  const object = value as object
  if (stack.includes(object)) throw unserializable(transaction, path, 'a reference to one of its own ancestors (a cycle)')
  stack.push(object)
  try {
    if (Array.isArray(object)) {
      let special = false
      for (let i = 0; i < object.length; i++) special = check(object[i], `${path}[${i}]`, stack, transaction) || special
      return special
    }
    if (object instanceof Date) return true
    if (object instanceof Collection) {
      for (const [k, v] of object) check(v, `${path}.get(${JSON.stringify(k)})`, stack, transaction)
      return true
    }
    if (object instanceof Map) {
      for (const [k, v] of object) {
        check(k, `${path}<key ${String(k)}>`, stack, transaction)
        check(v, `${path}.get(${JSON.stringify(String(k))})`, stack, transaction)
      }
      return true
    }
    if (object instanceof Set) {
      let i = 0
      for (const v of object) check(v, `${path}<item ${i++}>`, stack, transaction)
      return true
    }
    const proto = Object.getPrototypeOf(object)
    if (proto !== plainProto && proto !== null) {
      const name = (proto?.constructor?.name as string | undefined) ?? 'unknown'
      throw unserializable(transaction, path, `an instance of class ${name} (only plain objects, arrays, Map, Set, Date, BigInt and Collection survive)`)
    }
    if (Object.getOwnPropertySymbols(object).length > 0) throw unserializable(transaction, path, 'an object with symbol keys')
    let special = false
    for (const key of Object.keys(object)) special = check((object as Record<string, unknown>)[key], `${path}.${key}`, stack, transaction) || special
    return special
  } finally {
    stack.pop()
  }
}

function unserializable(transaction: string, path: string, what: string): StoreError {
  return new StoreError('UNSERIALIZABLE_ARGUMENT', `transaction "${transaction}": ${path} is ${what}; it would not survive the journal`, {
    transaction,
    path,
  })
}

function isPrimitiveJson(value: unknown): boolean {
  const t = typeof value
  return value === null || t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(value) && !Object.is(value, -0))
}

/**
 * Checks and encodes the arguments of a dispatch. Returns the encoded form and the
 * arguments the live recipe must see: the originals when they are all primitives, otherwise
 * a decoded copy, so the live run and a replay see the very same values (and the caller's
 * objects are never frozen or captured by the store).
 *
 * @throws StoreError `UNSERIALIZABLE_ARGUMENT` naming the path inside the argument.
 */
export function encodeArgs(transaction: string, args: readonly unknown[]): { encoded: EncodedArgs; live: unknown[] } {
  if (args.every(isPrimitiveJson)) return { encoded: { json: JSON.stringify(args), meta: undefined }, live: args as unknown[] }
  const special = check(args, 'args', [], transaction)
  if (!special) {
    const json = JSON.stringify(args)
    return { encoded: { json, meta: undefined }, live: JSON.parse(json) as unknown[] }
  }
  const { json, meta } = superjson.serialize(args)
  const encoded = { json: JSON.stringify(json), meta: JSON.stringify(meta) }
  return { encoded, live: superjson.deserialize({ json, meta }) as unknown[] }
}

/** Turns the parsed `args` and optional `meta` of a journal entry back into values. */
export function decodeArgs(args: unknown, meta: unknown): unknown[] {
  if (meta === undefined) return args as unknown[]
  return superjson.deserialize({ json: args as never, meta: meta as never }) as unknown[]
}

/** A deep, unfrozen copy of a state value, made through the codec (so it keeps every type the journal keeps). */
export function cloneValue<T>(value: T): T {
  return superjson.deserialize(superjson.serialize(value))
}

/** True when JSON alone round-trips `value` (no Map, Set, Date, BigInt, undefined, NaN, -0, class instance), checked to a bounded depth. */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
    case 'object':
      break
    default:
      return false
  }
  if (value === null) return true
  if (depth > 64) return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false
    return true
  }
  if (Object.getPrototypeOf(value) !== plainProto) return false
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false
  return true
}

/** Encodes a state value (a snapshot's part): JSON text and, when needed, the codec's annotations. @internal */
export function encodeValue(value: unknown): EncodedArgs {
  // Most state is plain JSON: one check and JSON.stringify, several times faster than the codec.
  if (isPlainJson(value, 0)) return { json: JSON.stringify(value), meta: undefined }
  const { json, meta } = superjson.serialize(value)
  return { json: JSON.stringify(json), meta: meta === undefined ? undefined : JSON.stringify(meta) }
}

/** Decodes what {@link encodeValue} wrote, after `JSON.parse`. @internal */
export function decodeValue(json: unknown, meta: unknown): unknown {
  return meta === undefined ? json : superjson.deserialize({ json: json as never, meta: meta as never })
}
