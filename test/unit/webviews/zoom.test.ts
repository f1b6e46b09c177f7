import assert from 'node:assert/strict';
import { READABLE_MIN, centreOn, zoomScale } from '../../../webviews/lineage/zoom';

describe('lineage zoom', () => {
  const panel = { width: 800, height: 600 };

  it('never enlarges a graph that fits, in either mode', () => {
    assert.equal(zoomScale('readable', { width: 300, height: 200 }, panel), 1);
    assert.equal(zoomScale('fit', { width: 300, height: 200 }, panel), 1);
  });

  it('keeps a big graph readable by default and fits it only on demand', () => {
    const big = { width: 8000, height: 12_000 };
    assert.equal(zoomScale('readable', big, panel), READABLE_MIN);
    const fit = zoomScale('fit', big, panel);
    assert.equal(fit, 600 / 12_000);
    assert.ok(big.width * fit <= panel.width && big.height * fit <= panel.height);
  });

  it('shrinks a slightly-too-big graph to fit when that stays readable', () => {
    assert.equal(zoomScale('readable', { width: 900, height: 600 }, panel), 800 / 900);
  });

  it('centres the focused node and clamps at the edges', () => {
    assert.deepEqual(centreOn({ x: 2000, y: 1500 }, { width: 4000, height: 3000 }, panel), { left: 1600, top: 1200 });
    assert.deepEqual(centreOn({ x: 50, y: 2990 }, { width: 4000, height: 3000 }, panel), { left: 0, top: 2400 });
    assert.deepEqual(centreOn({ x: 100, y: 100 }, { width: 300, height: 200 }, panel), { left: 0, top: 0 });
  });

  it('treats an empty or hidden panel as 100 %', () => {
    assert.equal(zoomScale('fit', { width: 500, height: 500 }, { width: 0, height: 0 }), 1);
  });
});
