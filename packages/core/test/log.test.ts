import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, REDACTED } from '../src';

/** A logger whose lines are collected (parsed) instead of written to stdout. */
function collecting(): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('test', 'debug', {}, (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { lines, log };
}

describe('createLogger', () => {
  it('writes one JSON line per call with level, time, service and the fields', () => {
    const { lines, log } = collecting();
    log.info('hello', { requestId: 'r-1', clientName: 'dev' });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'info');
    assert.equal(lines[0]!.service, 'test');
    assert.equal(lines[0]!.msg, 'hello');
    assert.equal(lines[0]!.requestId, 'r-1');
    assert.match(String(lines[0]!.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('redacts passwords, tokens and authorization headers wherever a caller puts them', () => {
    const { lines, log } = collecting();
    log.warn('careless', {
      password: 'p1',
      authToken: 't1',
      internalToken: 'i1',
      request: { password: 'p2', newPassword: 'p3', token: 't2' },
      headers: { authorization: 'Bearer t3', cookie: 'c1' },
      call: { metadata: { authorization: 'Bearer t4' } },
      clientName: 'kept',
    });
    log.child({ token: 't5' }).error('child');
    const text = JSON.stringify(lines);
    for (const secret of ['p1', 'p2', 'p3', 't1', 't2', 't3', 't4', 't5', 'i1', 'c1'])
      assert.ok(!text.includes(`"${secret}"`) && !text.includes(`${secret}"`), `${secret} in ${text}`);
    const first = lines[0] as Record<string, Record<string, unknown>>;
    assert.equal(first.password, REDACTED);
    assert.equal(first.request!.newPassword, REDACTED);
    assert.equal(first.headers!.authorization, REDACTED);
    assert.equal((first.call!.metadata as Record<string, unknown>).authorization, REDACTED);
    assert.equal(first.clientName, 'kept');
  });
});
