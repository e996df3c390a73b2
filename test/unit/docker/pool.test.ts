import { strict as assert } from 'assert';
import { mapBounded } from '../../../shared/docker/pool';

describe('docker/pool', () => {
  it('never runs more than the limit at once, keeps order, and runs every task despite failures', async () => {
    let inFlight = 0; let peak = 0;
    const r = await mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
      inFlight++; peak = Math.max(peak, inFlight);
      await new Promise((res) => setTimeout(res, 10 * (6 - n)));
      inFlight--;
      if (n === 3) throw new Error('three');
      return n * 10;
    });
    assert.equal(peak, 2);
    assert.deepEqual(r.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message)), [10, 20, 'three', 40, 50]);
  });
});
