/**
 * Zoom of the lineage graph. A big graph shrunk to fit its panel is unreadable (5,000-model
 * projects drew 500 nodes at a few pixels each), so the view starts at a readable zoom centred on
 * the focused node and offers "fit" on demand (toolbar button or the `f` key).
 */

/** `readable`: at most 100 %, never below `READABLE_MIN`; `fit`: the whole graph in the panel. */
export type ZoomMode = 'readable' | 'fit';

/** Smallest zoom at which 12 px labels stay legible. */
export const READABLE_MIN = 0.8;

/** Size of the drawn graph or of the panel area that shows it, in CSS pixels. */
export interface Size {
  width: number;
  height: number;
}

/** Scale factor of the graph for a zoom mode (a small graph is never enlarged). */
export function zoomScale(mode: ZoomMode, graph: Size, view: Size): number {
  if (graph.width <= 0 || graph.height <= 0 || view.width <= 0 || view.height <= 0) return 1;
  const fit = Math.min(1, view.width / graph.width, view.height / graph.height);
  return mode === 'fit' ? fit : Math.max(fit, READABLE_MIN);
}

/** Scroll offsets that put `point` (in scaled graph pixels) in the middle of the view, clamped. */
export function centreOn(point: { x: number; y: number }, scaled: Size, view: Size): { left: number; top: number } {
  const clamp = (v: number, max: number): number => Math.max(0, Math.min(max, v));
  return { left: clamp(point.x - view.width / 2, Math.max(0, scaled.width - view.width)), top: clamp(point.y - view.height / 2, Math.max(0, scaled.height - view.height)) };
}
