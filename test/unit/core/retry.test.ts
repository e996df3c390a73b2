import { strict as assert } from 'assert';
import { isTransient, retryAfterMs, withRetry } from '../../../shared/core/retry';

describe('core/retry', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => { sleeps.push(ms); };
  beforeEach(() => { sleeps.length = 0; });

  it('retries 429/5xx and dropped connections, not 4xx', () => {
    assert.ok(isTransient({ statusCode: 429 }));
    assert.ok(isTransient({ response: { statusCode: 503 } }));
    assert.ok(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' })));
    assert.ok(!isTransient({ statusCode: 400 }));
    assert.ok(!isTransient({ statusCode: 412 }));
    assert.ok(!isTransient(new Error('plain')));
  });

  it('honors Retry-After in seconds and as an HTTP date', () => {
    assert.equal(retryAfterMs({ response: { headers: { 'retry-after': '3' } } }), 3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs({ headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' } }, now), 5000);
    assert.equal(retryAfterMs({}), undefined);
  });

  it('succeeds after transient failures, waiting what the server asked', async () => {
    let calls = 0;
    const v = await withRetry(async () => {
      calls++;
      if (calls === 1) throw { statusCode: 429, response: { headers: { 'retry-after': '2' } } };
      if (calls === 2) throw { statusCode: 503 };
      return 'ok';
    }, { sleep, baseDelayMs: 100 });
    assert.equal(v, 'ok');
    assert.equal(calls, 3);
    assert.equal(sleeps[0], 2000);
    assert.ok(sleeps[1] >= 50 && sleeps[1] <= 200, String(sleeps[1]));
  });

  it('gives up after the retry budget and on permanent errors', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw { statusCode: 500 }; }, { sleep, retries: 2 }), (e: { statusCode: number }) => e.statusCode === 500);
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw { statusCode: 404 }; }, { sleep }));
    assert.equal(calls, 1);
  });
});
