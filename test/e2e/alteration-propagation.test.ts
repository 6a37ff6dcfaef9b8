// Fleet-wide alteration propagation, end to end (docs/operations.md "Alteration propagation"):
// live MQTT devices on two gateways are altered through the JSON API by a program (no dashboard),
// once singly and once in bulk; the gateways measure each alteration from its event's time to its
// version in force on the live connection and report it in their heartbeats; the session-service
// merges the reports, and describeAlterationPropagation answers with every one of them, from
// both gateways, with times no longer than the API calls that waited for them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nothingPropagated, until, type AlterationPropagation } from '@mqfleet/testkit';
import { startSystem, type System } from './system';

describe('alteration propagation, fleet-wide (separate processes, two gateways)', () => {
  let system: System;
  let token: string;
  /** The longest API call that waited for an alteration to be in force. */
  let longestCallMs = 0;

  const propagation = async (windowSeconds = 120): Promise<AlterationPropagation> => {
    const res = await system.api('describeAlterationPropagation', { windowSeconds }, { authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    return res.body.result.data as AlterationPropagation;
  };
  /** An API call, timed; it must succeed. */
  const timed = async (action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const started = performance.now();
    const res = await system.api(action, params, { authToken: token });
    longestCallMs = Math.max(longestCallMs, performance.now() - started);
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    return res.body.result as Record<string, unknown>;
  };
  const countReaches = async (count: number): Promise<AlterationPropagation> => {
    let last: AlterationPropagation | undefined;
    await until(async () => {
      last = await propagation();
      return last.count >= count;
    }, 15_000);
    return last!;
  };

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('answers nothing measured before any alteration', async () => {
    const p = await propagation();
    assert.deepEqual(p, nothingPropagated(120));
  });

  it('counts single and bulk alterations of live devices on both gateways, with plausible times', async (t) => {
    await system.mqtt('prop-dev-a', { protocolVersion: 5 }, 0);
    await system.mqtt('prop-dev-b', { protocolVersion: 5 }, 1);

    const single = await timed('alterMqSession', { clientName: 'prop-dev-a', keepAliveSeconds: 50 });
    assert.equal(single.liveApplied, true);
    let p = await countReaches(1);
    assert.equal(p.count, 1, 'one alteration, counted once');
    assert.equal(p.gateways, 1);

    const bulk = await timed('alterMqSessions', {
      filter: { partialClientName: 'prop-dev-' },
      changes: { keepAliveSeconds: 40 },
    });
    assert.equal(bulk.liveAppliedSessions, 2);
    p = await countReaches(3);
    assert.equal(p.count, 3, 'the bulk alteration counts once per live session it changed');
    assert.equal(p.gateways, 2, 'both gateways reported');

    // The times: ordered, and none longer than the API call that waited for it to be in force
    // (the call starts before the alteration is written and answers after it is in force; one
    // machine, so one clock).
    const { p50Ms, p90Ms, p99Ms, maxMs, meanMs } = p;
    for (const v of [p50Ms, p90Ms, p99Ms, maxMs, meanMs]) assert.equal(typeof v, 'number');
    assert.ok(p50Ms! >= 0 && p50Ms! <= p90Ms! && p90Ms! <= p99Ms! && p99Ms! <= maxMs!, JSON.stringify(p));
    assert.ok(meanMs! <= maxMs!, JSON.stringify(p));
    t.diagnostic(`after 3: ${JSON.stringify(p)}; longest API call ${longestCallMs.toFixed(1)} ms`);
    assert.ok(maxMs! <= longestCallMs + 2, `max ${maxMs} ms within the longest call (${longestCallMs} ms)`);

    // One more alteration: the count grows.
    await timed('alterMqSession', { clientName: 'prop-dev-b', keepAliveSeconds: 55 });
    p = await countReaches(4);
    assert.equal(p.count, 4);
  });
});
