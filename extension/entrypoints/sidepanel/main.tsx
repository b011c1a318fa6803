import { render } from 'preact';
import { z } from 'zod';
import { App } from '../popup/App.tsx';
import '../../assets/theme.css';
import '../popup/style.css';

// Chrome's side panel (chrome.sidePanel, Chrome 114+): the popup's UI, which stays open while the trader
// browses. Only the width differs (style.css, [data-surface]). MV3 pages forbid eval: keep zod from probing.
z.config({ jitless: true });

render(<App />, document.getElementById('app')!);
