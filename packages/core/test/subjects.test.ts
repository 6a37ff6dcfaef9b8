import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { clientDigest, clientToken, subjects } from '../src/subjects';

const SAFE = /^[A-Za-z0-9_-]{22}$/;

describe('clientToken', () => {
  const ids = [
    '',
    'a',
    'dev-1',
    'dev-2',
    'Dev-1',
    'dev-1 ',
    'a.b',
    '*',
    '>',
    'a b\tc\n',
    '\u0000',
    'é',
    'e\u0301', // same look as "é", different id
    '😀',
    '中文',
    '$SYS',
    'x'.repeat(23),
    'é'.repeat(32767) + 'x', // 65,535 bytes
    '€'.repeat(21845), // 65,535 bytes
    'x'.repeat(65535),
  ];

  it('is 22 subject-safe characters for every id', () => {
    for (const id of ids) assert.match(clientToken(id), SAFE, JSON.stringify(id.slice(0, 20)));
  });

  it('is stable', () => {
    for (const id of ids) assert.equal(clientToken(id), clientToken(`${id}`));
    // A fixed vector: the first 22 base64url characters of SHA-256("dev-1").
    assert.equal(clientToken('dev-1'), 'A4j7YmyomhJ4R0Q5iTNLjC');
  });

  it('is the same whether or not the digest of the id was computed first', () => {
    // clientToken takes a kept digest when there is one, and hashes straight to text otherwise.
    for (const [i, id] of ids.entries()) {
      const fresh = `${id}#${i}`;
      const kept = `${id}#${i}!`;
      clientDigest(kept);
      const expected = (name: string): string =>
        createHash('sha256').update(name, 'utf8').digest('base64url').slice(0, 22);
      assert.equal(clientToken(fresh), expected(fresh));
      assert.equal(clientToken(kept), expected(kept));
    }
  });

  it('differs for different ids', () => {
    const tokens = new Set(ids.map(clientToken));
    assert.equal(tokens.size, ids.length);
    const many = new Set(Array.from({ length: 10000 }, (_, i) => clientToken(`client-${i}`)));
    assert.equal(many.size, 10000);
  });

  it('handles a 65,535-byte id', () => {
    const id = '😀'.repeat(16383) + 'xyz';
    assert.equal(Buffer.byteLength(id), 65535);
    const token = clientToken(id);
    assert.match(token, SAFE);
    assert.notEqual(token, clientToken(`${id.slice(0, -1)}w`));
  });
});

describe('subjects', () => {
  it('builds the session event and message subjects', () => {
    const s = subjects('mqfleet');
    assert.equal(s.eventsStream, 'MQFLEET_EVENTS');
    assert.equal(s.eventsAll, 'mqfleet.events.>');
    assert.equal(
      s.sessionEvent('altered', 'a.b c'),
      `mqfleet.events.session.altered.${clientToken('a.b c')}`,
    );
    assert.equal(s.message('a/b.c/'), 'mqfleet.msg.a.b%2Ec.%');
    assert.equal(s.messagePrefix, 'mqfleet.msg');
    assert.equal(s.gatewayHeartbeat('gw-1'), 'mqfleet.gateway.heartbeat.gw-1');
    assert.equal(s.gatewayHeartbeatAll, 'mqfleet.gateway.heartbeat.*');
    assert.equal(subjects('my-fleet').eventsStream, 'MY_FLEET_EVENTS');
    assert.equal(s.retainedStream, 'MQFLEET_RETAINED');
    assert.equal(s.retainedAll, 'mqfleet.retained.>');
    assert.equal(s.retainedPrefix, 'mqfleet.retained');
    assert.equal(s.retained('$SYS/a b/'), 'mqfleet.retained.$SYS.a%20b.%');
    assert.equal(subjects('my-fleet').retainedStream, 'MY_FLEET_RETAINED');
  });

  it('builds the topic report subjects, outside every stream', () => {
    const s = subjects('mqfleet');
    assert.equal(s.topicReport('gw-1'), 'mqfleet.topics.gw-1');
    assert.equal(s.topicReportAll, 'mqfleet.topics.*');
    for (const stored of [s.eventsAll, s.retainedAll, s.queueAll, s.workAll]) {
      assert.ok(!s.topicReport('gw-1').startsWith(stored.slice(0, -1)), stored);
    }
  });

  it('builds the offline queue subjects: topics mapped, client ids only as their token', () => {
    const s = subjects('mqfleet');
    assert.equal(s.queueStream, 'MQFLEET_QUEUE');
    assert.equal(s.queueAll, 'mqfleet.queue.>');
    assert.equal(s.queueMessagePrefix, 'mqfleet.queue.m');
    assert.equal(s.queueMessage('a/b.c/'), 'mqfleet.queue.m.a.b%2Ec.%');
    const id = 'dev 1.*>/#';
    assert.equal(s.queueSession(id), `mqfleet.queue.s.${clientToken(id)}`);
    assert.equal(s.queueReady(id), `mqfleet.queueready.${clientToken(id)}`);
    assert.equal(s.queueReadyAll, 'mqfleet.queueready.*');
    // The notice is outside the stream's subjects (it must not be stored).
    assert.ok(!s.queueReady(id).startsWith('mqfleet.queue.'));
  });
});
