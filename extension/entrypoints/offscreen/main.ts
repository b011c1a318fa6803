import { browser } from '#imports';
import { isSoundMessage, tonesFor } from '../../utils/sound.ts';

// The offscreen document (reason AUDIO_PLAYBACK): plays the tone the background asks for.
const ctx = new AudioContext();

browser.runtime.onMessage.addListener((msg: unknown) => {
  if (!isSoundMessage(msg)) return;
  let at = ctx.currentTime + 0.02;
  for (const { hz, ms } of tonesFor(msg.kind)) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.25, at);
    gain.gain.exponentialRampToValueAtTime(0.001, at + ms / 1000);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + ms / 1000);
    at += ms / 1000;
  }
});
