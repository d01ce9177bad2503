import { createRoot } from 'react-dom/client'
import { connect } from 'prevalent/client'
import { connectDevTools, liveSource } from 'prevalent/devtools'
import type { bank, views } from '../app.js'
import { App } from './App.js'

// The user's token comes from the page's URL (demo only; a real app sends its session cookie).
const token = new URLSearchParams(location.search).get('token') ?? ''
const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:'
const live = connect<typeof bank, typeof views>(`${protocol}//${location.host}/live?token=${encodeURIComponent(token)}`)

// For the console and the end-to-end tests.
;(window as unknown as { prevalentDemo: unknown }).prevalentDemo = { live }

const root = createRoot(document.getElementById('root')!)
let past: unknown = null
const render = () => root.render(<App live={live} past={past} />)
connectDevTools(liveSource(live, ['account', 'statement', 'payees']), {
  name: 'prevalent live bank',
  onJump: (state, latest) => {
    past = latest ? null : state
    render()
  },
})
render()
