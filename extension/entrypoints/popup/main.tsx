import { render } from 'preact';
import { z } from 'zod';
import { App } from './App.tsx';
import '../../assets/theme.css';
import './style.css';

// MV3 pages forbid eval: keep zod from probing for it.
z.config({ jitless: true });

render(<App />, document.getElementById('app')!);
