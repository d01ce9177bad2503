/** What the bridge needs of something observable: RxJS-style `subscribe`. */
interface Subscribable<T> {
  subscribe(next: (value: T) => void): { unsubscribe(): void }
}

/** An entry of the extension's history: the action's type (the transaction's name) and details. */
export interface DevToolsAction {
  readonly type: string
  readonly [detail: string]: unknown
}

/** What the bridge shows: the state (or views) now, and an action per commit. */
export interface DevToolsSource {
  read(): unknown
  readonly changes: Subscribable<DevToolsAction>
}

/** The Redux DevTools extension's API (`window.__REDUX_DEVTOOLS_EXTENSION__`). */
export interface DevToolsExtension {
  connect(options: { name?: string }): {
    init(state: unknown): void
    send(action: DevToolsAction, state: unknown): void
    subscribe(listener: (message: any) => void): (() => void) | void
  }
}

/** Options of {@link connectDevTools}. */
export interface DevToolsOptions {
  /** The instance's name in the extension (default `prevalent`). */
  readonly name?: string
  /** The extension (default the browser's `__REDUX_DEVTOOLS_EXTENSION__`; absent: the bridge does nothing). */
  readonly extension?: DevToolsExtension
  /**
   * Called when a past commit is picked in the extension, with the state shown then (as the
   * extension kept it) and whether it is the latest (back to live). The app shows it read-only.
   */
  readonly onJump?: (state: unknown, latest: boolean) => void
}

/**
 * Shows each commit of a store or a live connection in the Redux DevTools extension: the
 * transaction's name and arguments (or the views a commit changed) and the state after it.
 * Returns a function that stops the bridge.
 *
 * @example
 * connectDevTools(storeSource(store), { onJump: (state, latest) => setPast(latest ? null : state) })
 */
export function connectDevTools(source: DevToolsSource, options: DevToolsOptions = {}): () => void {
  const extension = options.extension ?? (globalThis as { __REDUX_DEVTOOLS_EXTENSION__?: DevToolsExtension }).__REDUX_DEVTOOLS_EXTENSION__
  if (!extension) return () => {}
  const devtools = extension.connect({ name: options.name ?? 'prevalent' })
  let sent = 0
  devtools.init(source.read())
  const subscription = source.changes.subscribe((action) => {
    sent++
    devtools.send(action, source.read())
  })
  const stop = devtools.subscribe((message) => {
    const jump = message?.type === 'DISPATCH' ? message.payload : undefined
    if (jump?.type === 'JUMP_TO_STATE' || jump?.type === 'JUMP_TO_ACTION') options.onJump?.(JSON.parse(message.state), jump.actionId === sent)
  })
  return () => {
    subscription.unsubscribe()
    if (stop) stop()
  }
}

/** A server-side store as a source: each commit as `{ type: name, args, seq }`, the state after it. */
export function storeSource(store: { readonly state: unknown; readonly commits$: Subscribable<{ seq: number; name: string; args: readonly unknown[] }> }): DevToolsSource {
  return {
    read: () => store.state,
    changes: { subscribe: (next) => store.commits$.subscribe(({ seq, name, args }) => next({ type: name, args, seq })) },
  }
}

/** A live connection as a source: each commit received as `{ type: 'commit <seq>', views }`, the named views after it. */
export function liveSource(connection: { readonly updates$: Subscribable<{ seq: number; views: readonly string[] }>; view(name: any): { readonly value: unknown } }, views: readonly string[]): DevToolsSource {
  return {
    read: () => Object.fromEntries(views.map((name) => [name, connection.view(name).value])),
    changes: { subscribe: (next) => connection.updates$.subscribe(({ seq, views: changed }) => next({ type: `commit ${seq}`, seq, views: changed })) },
  }
}
