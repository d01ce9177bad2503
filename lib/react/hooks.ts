import { useCallback, useMemo, useRef, useSyncExternalStore } from 'react'
import type { ConnectionStatus, LiveConnection } from '../client/live-connection.js'
import type { Wire } from '../client/wire.js'

/** Anything with a current `value` and RxJS-style `subscribe`: a store's ref, a live view. */
export interface Readable<T> {
  readonly value: T
  subscribe(next: (value: any) => void): { unsubscribe(): void }
}

/** A store read whole: a server-side `Store` (`state` and `state$`). */
export interface StateSource<T> {
  readonly state: T
  readonly state$: { subscribe(next: (value: any) => void): { unsubscribe(): void } }
}

function read<T>(source: Readable<T> | StateSource<T>): T {
  return 'state$' in source ? source.state : source.value
}

function listen<T>(source: Readable<T> | StateSource<T>, onChange: () => void): () => void {
  const subscription = ('state$' in source ? source.state$ : source).subscribe(() => onChange())
  return () => subscription.unsubscribe()
}

/**
 * The current value of a ref or a live view; the component renders again when it changes.
 * Works in the browser (a live view: undefined until its first value) and on the server
 * (a store's ref, read as it is: `getServerSnapshot`).
 *
 * @example
 * const balance = useValue(store.refs.balance)
 */
export function useValue<T>(source: Readable<T>): T {
  const subscribe = useCallback((onChange: () => void) => listen(source, onChange), [source])
  const snapshot = () => source.value
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/**
 * A selection of a ref, a live view or a whole store; the component renders again only when
 * the selection changes by `isEqual` (default `Object.is`; `shallowEqual` for a selection that
 * builds a new object each time).
 *
 * @example
 * const total = useSelector(store, (state) => state.accounts.size)
 */
export function useSelector<T, R>(source: Readable<T> | StateSource<T>, selector: (value: T) => R, isEqual: (a: R, b: R) => boolean = Object.is): R {
  const memo = useRef<{ input: T; selector: (value: T) => R; output: R } | null>(null)
  const subscribe = useCallback((onChange: () => void) => listen(source, onChange), [source])
  const snapshot = (): R => {
    const input = read(source)
    const last = memo.current
    if (last !== null && last.input === input && last.selector === selector) return last.output
    const output = selector(input)
    // An equal selection keeps the previous one, so React sees no change.
    const kept = last !== null && isEqual(last.output, output) ? last.output : output
    memo.current = { input, selector, output: kept }
    return kept
  }
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/**
 * A view of a live connection, by name (subscribed on first use): undefined until its first
 * value arrives, then each new value.
 *
 * @example
 * const account = useView(live, 'account')
 */
export function useView<V extends Record<string, (state: any, identity: any) => unknown>, K extends keyof V & string>(connection: LiveConnection<any, V>, name: K): Wire<ReturnType<V[K]>> | undefined {
  const view = useMemo(() => connection.view(name), [connection, name])
  return useValue<Wire<ReturnType<V[K]>> | undefined>(view)
}

/**
 * A live connection's status (`connecting`, `open`, `closed`); the component renders again when it changes.
 *
 * @example
 * const status = useStatus(live)
 */
export function useStatus(connection: LiveConnection<any, any>): ConnectionStatus {
  const subscribe = useCallback((onChange: () => void) => listen(connection.status$ as unknown as Readable<unknown>, onChange), [connection])
  const snapshot = () => connection.status
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}
