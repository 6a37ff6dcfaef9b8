import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, ServiceMetrics } from '../src/index';

// What a scrape of a gauge or a counterFrom reads: the values `collect` puts at that scrape, and
// no label set of an earlier scrape that it no longer puts.
describe('ServiceMetrics gauges and counters read at scrape time', () => {
  it('a gauge holds what the last collect put', async () => {
    const metrics = new ServiceMetrics('test');
    let values: [string, number][] = [
      ['a', 3],
      ['b', 5],
    ];
    metrics.gauge('test_queue_depth', 'depth', ['queue'], (put) => {
      for (const [queue, v] of values) put({ queue }, v);
    });
    const first = await metrics.registry.getSingleMetricAsString('test_queue_depth');
    assert.match(first, /^test_queue_depth\{queue="a",service="test"\} 3$/m);
    assert.match(first, /^test_queue_depth\{queue="b",service="test"\} 5$/m);
    values = [['a', 1]];
    const second = await metrics.registry.getSingleMetricAsString('test_queue_depth');
    assert.match(second, /^test_queue_depth\{queue="a",service="test"\} 1$/m);
    assert.doesNotMatch(second, /queue="b"/);
    assert.match(second, /^# TYPE test_queue_depth gauge$/m);
  });

  it('a counter from a total reads the total, not the sum of the scrapes', async () => {
    const metrics = new ServiceMetrics('test');
    let total = 7;
    metrics.counterFrom('test_sent_total', 'sent', [], async (put) => {
      await Promise.resolve();
      put({}, total);
    });
    assert.match(
      await metrics.registry.getSingleMetricAsString('test_sent_total'),
      /^test_sent_total\{service="test"\} 7$/m,
    );
    total = 10;
    const again = await metrics.registry.getSingleMetricAsString('test_sent_total');
    assert.match(again, /^test_sent_total\{service="test"\} 10$/m);
    assert.match(again, /^# TYPE test_sent_total counter$/m);
  });
});

describe('the metrics listener', () => {
  it('goes on serving after failed accepts (EMFILE), and logs them', async () => {
    const lines: string[] = [];
    const metrics = new ServiceMetrics(
      'test',
      createLogger('test', 'warn', {}, (line) => lines.push(line)),
    );
    const port = await metrics.serve('127.0.0.1', 0);
    try {
      // What Node does when accept() fails on a listening server; more than once, as in a flood.
      const server = (metrics as unknown as { server: NodeJS.EventEmitter }).server;
      for (let i = 0; i < 3; i++)
        server.emit(
          'error',
          Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }),
        );
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.equal(lines.filter((l) => l.includes('metrics listener could not accept')).length, 3);
    } finally {
      await metrics.close();
    }
  });
});
