import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket } from 'ws'
import { defineStore, openStore } from '../../lib/index.js'
import { defineViews, serveStore } from '../../lib/server/index.js'
import { connect } from '../../lib/client/index.js'

// Shared by the server and (as types only) the page.
export const todos = defineStore({
  refs: { lists: {} as Record<string, string[]> },
  transactions: {
    add(state, owner: string, text: string) {
      ;(state.lists[owner] ??= []).push(text)
      return state.lists[owner].length
    },
  },
})

export const views = defineViews(todos, {
  // Each user sees their own list only.
  mine: (state, user: { name: string }) => state.lists[user.name] ?? [],
})

// The server: the application says who connects and what they may run.
export async function serve(dir: string, port: number) {
  const store = await openStore(todos, { dir })
  const server = createServer()
  const live = serveStore(server, {
    store,
    views,
    authenticate: (request: IncomingMessage) => (request.headers.cookie === 'session=alice' ? { name: 'alice' } : null),
    authorize: (user, name, args) => name === 'add' && args[0] === user.name,
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { store, server, live, port: (server.address() as AddressInfo).port }
}

// The page (in a browser, `connect` uses the global WebSocket and the browser's cookie).
export async function page(port: number) {
  const live = connect<typeof todos, typeof views>(`ws://127.0.0.1:${port}/live`, {
    WebSocket: class extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { cookie: 'session=alice' } })
      }
    },
  })
  const mine = live.view('mine')
  const { result } = await live.dispatch('add', 'alice', 'milk') // typed: ('add', string, string)
  return { live, mine, result }
}
