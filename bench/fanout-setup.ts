// What the fan-out benchmark serves: a board of cells, one changed per commit, one public view of it.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Collection, createStore, defineStore, MemoryJournalStorage } from '../lib/index.js'
import { defineViews, serveStore, type LiveServer } from '../lib/server/index.js'

export const CELLS = 100

export const board = defineStore({
  refs: { cells: Array.from({ length: CELLS }, () => 0), archive: new Collection<number>() },
  transactions: {
    set(state, cell: number, value: number) {
      state.cells[cell] = value
    },
  },
})

export const boardViews = defineViews(board, { board: (state) => state.cells })

/** A served board on a random port; `archive` filled with `entries` so the state's size can vary. */
export async function serveBoard(entries: number, maxBufferedBytes = 64 * 1024 * 1024): Promise<{ store: Awaited<ReturnType<typeof createStore<typeof board.refs, typeof board.transactions>>>; http: Server; live: LiveServer; url: string }> {
  const archive = Collection.from(Array.from({ length: entries }, (_, i) => [`k${i}`, i] as [string, number]))
  const store = await createStore({ ...board, refs: { ...board.refs, archive } }, { storage: new MemoryJournalStorage(), freeze: true })
  const http = createServer()
  const live = serveStore(http, { store, views: boardViews, authenticate: () => ({}), authorize: () => true, maxBufferedBytes })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return { store, http, live, url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/live` }
}
