import { freeze } from 'immer'
import { Collection, forEachChangedValue } from './collection.js'

/**
 * Deep-freezes a value that is new as a whole (nothing in it was frozen before, or what was
 * is skipped: a frozen object is a part of an earlier commit, and so is all it holds).
 * @internal
 */
export function freezeCreated(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return
  if (value instanceof Collection) {
    Object.freeze(value)
    forEachChangedValue(value, undefined, freezeCreated)
  } else if (value instanceof Map) {
    freeze(value) // Immer's shallow freeze also disables a Map's set/delete/clear
    for (const [k, v] of value) {
      freezeCreated(k)
      freezeCreated(v)
    }
  } else if (value instanceof Set) {
    freeze(value)
    for (const v of value) freezeCreated(v)
  } else if (Array.isArray(value)) {
    Object.freeze(value)
    for (let i = 0; i < value.length; i++) freezeCreated(value[i])
  } else if (!(value instanceof Date)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) freezeCreated((value as Record<string, unknown>)[key])
  }
}

/**
 * Freezes what a transaction changed, walking `next` beside `previous` (the state it was made
 * from): a child that is the same object as before is skipped without being touched, so the
 * cost follows the change — not the size of a container, nor of the state.
 * @internal
 */
export function freezeChanged(next: unknown, previous: unknown): void {
  if (next === previous || next === null || typeof next !== 'object' || Object.isFrozen(next)) return
  if (previous === null || typeof previous !== 'object' || Object.getPrototypeOf(previous) !== Object.getPrototypeOf(next) || next instanceof Map || next instanceof Set) {
    freezeCreated(next)
    return
  }
  if (next instanceof Collection) {
    Object.freeze(next)
    forEachChangedValue(next, previous as Collection<unknown>, freezeChanged)
  } else if (Array.isArray(next)) {
    Object.freeze(next)
    const before = previous as unknown[]
    for (let i = 0; i < next.length; i++) if (next[i] !== before[i]) freezeChanged(next[i], before[i])
  } else if (!(next instanceof Date)) {
    Object.freeze(next)
    const before = previous as Record<string, unknown>
    for (const key of Object.keys(next)) {
      const child = (next as Record<string, unknown>)[key]
      if (child !== before[key]) freezeChanged(child, before[key])
    }
  }
}
