// The soak's idle-connection flood, in its own process (its own file descriptors, as a hostile local
// program would be): opens `sockets` TCP connections to the companion that never send a byte, keeps
// re-opening the ones the server closes (at most `reopenPerSec` a second), and on SIGTERM prints one JSON
// line with what happened. Plain JS: it needs no loader.
import { connect } from 'node:net';

const [port, sockets, reopenPerSec] = process.argv.slice(2).map(Number);
const stats = { target: sockets, opened: 0, peakOpen: 0, closedByServer: 0, connectErrors: 0, errors: {} };
let open = 0;
let stopping = false;
let pending = 0; // closed, waiting to be re-opened

function one() {
  const s = connect(port, '127.0.0.1');
  let connected = false;
  s.once('connect', () => {
    connected = true;
    stats.opened++;
    open++;
    stats.peakOpen = Math.max(stats.peakOpen, open);
  });
  s.on('error', (err) => {
    stats.errors[err.code] = (stats.errors[err.code] ?? 0) + 1;
  });
  s.once('close', () => {
    if (connected) {
      open--;
      if (!stopping) stats.closedByServer++;
    } else stats.connectErrors++;
    if (!stopping) pending++;
  });
}

// The first wave as fast as the loop allows, in slices so the process stays responsive.
let started = 0;
const wave = setInterval(() => {
  for (let i = 0; i < 500 && started < sockets; i++, started++) one();
  if (started >= sockets) clearInterval(wave);
}, 10);
// Then keep the pressure on: re-open what was closed, paced.
const refill = setInterval(() => {
  const n = Math.min(pending, Math.ceil(reopenPerSec / 10));
  pending -= n;
  for (let i = 0; i < n; i++) one();
}, 100);

process.on('SIGTERM', () => {
  stopping = true;
  clearInterval(wave);
  clearInterval(refill);
  process.stdout.write(`${JSON.stringify({ ...stats, openAtEnd: open })}\n`, () => process.exit(0));
});
process.stdout.write('{"ready":true}\n');
