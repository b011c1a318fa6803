import { browser } from '#imports';

export type Tab = 'monitor' | 'trade';

/** Which page this is: the toolbar popup or Chrome's side panel (same UI; the html element says). */
const surface = document.documentElement.dataset.surface === 'sidepanel' ? 'sidepanel' : 'popup';

type SidePanelApi = { open(o: { windowId: number }): Promise<void> };
/** chrome.sidePanel where the browser has it (Chrome 114+; open() from 116). */
const sidePanel = (): SidePanelApi | null =>
  (globalThis as unknown as { chrome?: { sidePanel?: SidePanelApi } }).chrome?.sidePanel ?? null;

/** From the popup's click (a user gesture, which sidePanel.open needs); the popup then closes itself. */
async function openSidePanel() {
  const win = await browser.windows.getCurrent();
  if (win.id === undefined) return;
  await sidePanel()?.open({ windowId: win.id });
  window.close();
}

/** The two tabs, and the side-panel and options buttons beside them. */
export function TabBar({ tab, onTab, onOptions }: { tab: Tab; onTab: (t: Tab) => void; onOptions: () => void }) {
  const canPanel = surface === 'popup' && sidePanel() !== null;
  return (
    <div class="tabs">
      <div role="tablist" class="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'monitor'}
          onClick={() => onTab('monitor')}
          data-testid="tab-monitor"
        >
          Positions
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'trade'}
          onClick={() => onTab('trade')}
          data-testid="tab-trade"
        >
          Trade
        </button>
      </div>
      {canPanel && (
        <button
          type="button"
          class="icon"
          title="Open in the side panel (stays open while you browse)"
          aria-label="Open in the side panel"
          onClick={openSidePanel}
          data-testid="open-side-panel"
        >
          ◨
        </button>
      )}
      <button
        type="button"
        class={canPanel ? 'icon next' : 'icon'}
        title="Options"
        aria-label="Options"
        onClick={onOptions}
      >
        ⚙
      </button>
    </div>
  );
}
