import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '../../core/api-client';
import { App } from './components/App';
import { initI18n } from './i18n';
import { useStore } from './store';
import { detectTransport } from './transport';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const transport = detectTransport();
initI18n(useStore.getState().prefs.lang ?? (navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'));

if (!transport) {
  // Opened without the desktop bridge or the web shell's token: say what to do instead of a blank page.
  root.render(
    <main className="fatal">
      <h1>SG Doctor</h1>
      <p>Open the exact address printed by <code>sg-doctor serve</code> (it carries this launch&apos;s token), or start the desktop app.</p>
      <p>请打开 <code>sg-doctor serve</code> 输出的完整地址（包含本次启动的令牌），或启动桌面应用。</p>
    </main>,
  );
} else {
  // Render at once (the welcome screen needs nothing from the backend); boot fills in info and recents.
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  void useStore
    .getState()
    .boot(createClient(transport))
    .finally(() => {
      document.body.dataset.ready = 'true';
    });
}
