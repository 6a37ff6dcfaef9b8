// Overview: plotted over the last minutes, from JSON actions polled every POLL_MS (no metrics
// endpoint needed):
// - connections and gateways alive: listGateways (each gateway's connections at its heartbeat);
// - messages in / out per second and drops by reason: describeMqSessions includeStats of the
//   connected sessions (listMqSessions, the first STATS_LIMIT of them): the sum of their
//   last-minute rates / 60, and the growth of their drop counters between two polls;
// - alterations: the session events of the live feed (altered, and the sessions of bulkAltered
//   parts) per poll; their propagation time: the round trips of the alterations made from this
//   page (alterMqSession answers once the client's gateway confirmed the change, liveApplied).
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { alterationsSince, call, watchSessionEvents, type Json } from '../api';
import { ErrorLine, Table } from './common';

const POLL_MS = 2000;
const KEEP_POINTS = 150; // five minutes
const STATS_LIMIT = 1000;
const DROP_REASONS = ['outboundBudget', 'queueFull', 'packetTooLarge', 'expired'];

interface Sample {
  t: number;
  connections: number;
  gateways: number;
  inPerSec: number;
  outPerSec: number;
  alterations: number;
  propagationMs: number | null;
  drops: Record<string, number>;
  statsOf: number;
}

function Chart({
  title,
  testid,
  series,
  data,
}: {
  title: string;
  testid: string;
  series: { label: string; stroke: string }[];
  data: (number | null)[][];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!box.current) return;
    plot.current = new uPlot(
      {
        width: 520,
        height: 200,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: true }))],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
      },
      data as uPlot.AlignedData,
      box.current,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);
  return html`<figure class="chart" data-testid=${testid}>
    <figcaption>${title}</figcaption>
    <div ref=${box}></div>
  </figure>`;
}

export function OverviewView() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [error, setError] = useState('');
  const [gateways, setGateways] = useState<Json[]>([]);
  const altered = useRef(0);
  const lastDrops = useRef<Map<string, Record<string, number>> | null>(null);
  useEffect(() => {
    const stop = watchSessionEvents(
      (events) => {
        for (const e of events) {
          if (e.type === 'altered') altered.current += 1;
          else if (e.type === 'bulkAltered') altered.current += (e.clientNames as string[]).length;
        }
      },
      () => undefined,
    );
    let stopped = false;
    let since = Date.now();
    const poll = async (): Promise<void> => {
      try {
        const gw = (await call('listGateways', {})).data as Json[];
        setGateways(gw);
        const connected = (
          await call('listMqSessions', { connectionStatusFilter: ['connected'], maxRecords: STATS_LIMIT })
        ).data as Json[];
        let inPerMin = 0;
        let outPerMin = 0;
        const drops: Record<string, number> = Object.fromEntries(DROP_REASONS.map((r) => [r, 0]));
        const now = new Map<string, Record<string, number>>();
        if (connected.length > 0) {
          const d = await call('describeMqSessions', {
            clientNames: connected.map((s) => s.clientName),
            includeStats: true,
          });
          for (const s of d.data as Json[]) {
            const st = s.stats as Json | null;
            if (!st) continue;
            inPerMin += Number(st.publishRatePerMinute ?? 0);
            outPerMin += Number(st.receiveMessagesPerMinute ?? 0);
            const md = (st.messagesDropped ?? {}) as Record<string, number>;
            now.set(`${s.clientName} ${st.connectedSince}`, md);
            const before = lastDrops.current?.get(`${s.clientName} ${st.connectedSince}`);
            // A connection first seen since the last poll counts whole; the first poll counts none.
            if (lastDrops.current) {
              for (const r of DROP_REASONS)
                drops[r] = (drops[r] ?? 0) + Math.max(0, (md[r] ?? 0) - (before?.[r] ?? 0));
            }
          }
        }
        lastDrops.current = now;
        const done = alterationsSince(since);
        since = Date.now();
        const sample: Sample = {
          t: Date.now() / 1000,
          connections: gw.reduce((n, g) => n + Number(g.connections), 0),
          gateways: gw.length,
          inPerSec: inPerMin / 60,
          outPerSec: outPerMin / 60,
          alterations: altered.current,
          propagationMs: done.length ? done.reduce((n, a) => n + a.ms, 0) / done.length : null,
          drops,
          statsOf: connected.length,
        };
        altered.current = 0;
        if (!stopped) setSamples((s) => [...s, sample].slice(-KEEP_POINTS));
        setError('');
      } catch (err) {
        setError((err as Error).message);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      stop();
      clearInterval(timer);
    };
  }, []);
  const t = samples.map((s) => s.t);
  const last = samples[samples.length - 1];
  return html`<section data-samples=${samples.length}>
    <h2>Overview</h2>
    <${ErrorLine} error=${error} />
    <div class="cards">
      <div class="card">
        <span>Connections</span><strong data-testid="card-connections">${last?.connections ?? '…'}</strong>
      </div>
      <div class="card">
        <span>Gateways alive</span><strong data-testid="card-gateways">${last?.gateways ?? '…'}</strong>
      </div>
      <div class="card">
        <span>Messages in / s</span
        ><strong data-testid="card-in">${last ? last.inPerSec.toFixed(1) : '…'}</strong>
      </div>
      <div class="card">
        <span>Messages out / s</span
        ><strong data-testid="card-out">${last ? last.outPerSec.toFixed(1) : '…'}</strong>
      </div>
    </div>
    <div class="charts">
      <${Chart}
        title="Connections and gateways alive"
        testid="chart-connections"
        series=${[
          { label: 'connections', stroke: '#2563eb' },
          { label: 'gateways', stroke: '#16a34a' },
        ]}
        data=${[t, samples.map((s) => s.connections), samples.map((s) => s.gateways)]}
      />
      <${Chart}
        title="Messages per second (last-minute rates)"
        testid="chart-messages"
        series=${[
          { label: 'in', stroke: '#2563eb' },
          { label: 'out', stroke: '#db2777' },
        ]}
        data=${[t, samples.map((s) => s.inPerSec), samples.map((s) => s.outPerSec)]}
      />
      <${Chart}
        title="Alterations per 2 s, and this page's round trip (ms)"
        testid="chart-alterations"
        series=${[
          { label: 'alterations', stroke: '#9333ea' },
          { label: 'round trip ms', stroke: '#ea580c' },
        ]}
        data=${[t, samples.map((s) => s.alterations), samples.map((s) => s.propagationMs)]}
      />
      <${Chart}
        title="Drops per 2 s by reason"
        testid="chart-drops"
        series=${DROP_REASONS.map((r, i) => ({ label: r, stroke: ['#dc2626', '#f59e0b', '#0891b2', '#64748b'][i] as string }))}
        data=${[t, ...DROP_REASONS.map((r) => samples.map((s) => s.drops[r] ?? 0))]}
      />
    </div>
    <p class="hint">
      Polled every 2 s. Message rates and drops cover the first ${STATS_LIMIT.toLocaleString()} connected
      sessions${last && last.statsOf >= STATS_LIMIT ? ' (there are more)' : ''}. Alterations come from the
      live session events; the round trip is measured on alterations made from this browser only.
    </p>
    <h3>Gateways</h3>
    <${Table} testid="gateways" columns=${['Id', 'Host', 'MQTT port', 'Connections', 'Last heartbeat']}>
      ${gateways.map(
        (g) =>
          html`<tr>
            <td>${g.gatewayId}</td>
            <td>${g.host}</td>
            <td>${g.mqttPort}</td>
            <td>${g.connections}</td>
            <td>${g.lastSeenAt}</td>
          </tr>`,
      )}
    <//>
  </section>`;
}
