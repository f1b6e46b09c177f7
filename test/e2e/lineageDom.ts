import type { Frame } from 'playwright-core';
import { eventually } from './harness';

/**
 * Reading the lineage webview's DOM in end-to-end tests: node cards are `.node[data-id]`, folded
 * "+N" nodes are `.node.more[data-more]` listing the ids they stand for in `data-folded`.
 */

/** Ids of the drawn node cards. */
export async function drawnNodeIds(frame: Frame): Promise<string[]> {
  return frame.locator('.node[data-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-id') ?? ''));
}

/** Ids folded into "+N" nodes. */
export async function foldedNodeIds(frame: Frame): Promise<string[]> {
  return frame.locator('.node.more').evaluateAll((els) => els.flatMap((el) => (el.getAttribute('data-folded') ?? '').split(' ').filter(Boolean)));
}

/** Clicks "+N" nodes until none is left, so every node the host sent is drawn. */
export async function openAllFolds(frame: Frame): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const fold = frame.locator('.node.more').first();
    if ((await fold.count()) === 0) return;
    const before = (await drawnNodeIds(frame)).length;
    // Dispatched, not clicked: the fold may sit under the minimap in a small panel.
    await fold.dispatchEvent('click');
    await eventually('the fold to open', async () => ((await drawnNodeIds(frame)).length > before ? true : undefined), 15_000);
  }
}
