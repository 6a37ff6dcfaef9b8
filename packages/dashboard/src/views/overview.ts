// Overview: plotted over the last minutes, from JSON actions polled every POLL_MS (no metrics
// endpoint needed):
// - connections and gateways alive: listGateways (each gateway's connections at its heartbeat);
// - messages in / out per second and drops by reason: describeMqSessions includeStats of the
//   connected sessions (listMqSessions, the first STATS_LIMIT of them): the sum of their
//   last-minute rates / 60, and the growth of their drop counters between two polls;
// - alterations: the session events of the live feed (altered, and the sessions of bulkAltered
//   parts) per poll; their propagation time, fleet-wide, whoever made them:
//   describeAlterationPropagation (from the alteration written to its version in force on the
//   live connection, as the gateways measured it), p50 and p99 of the last PLOT_WINDOW_S seconds
//   in the plot, of the last minute in the card.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { call, watchSessionEvents, type Json } from '../api';
import { ErrorLine, Table } from './common';

const POLL_MS = 2000;
const KEEP_POINTS = 150; // five minutes
const STATS_LIMIT = 1000;
const DROP_REASONS = ['outboundBudget', 'queueFull', 'packetTooLarge', 'expired'];
/** The plot's propagation quantiles cover this many seconds back from each sample. */
const PLOT_WINDOW_S = 10;

/** describeAlterationPropagation's answer. */
interface Propagation {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

interface Sample {
  t: number;
  connections: number;
  gateways: number;
  inPerSec: number;
  outPerSec: number;
  alterations: number;
  /** Fleet-wide, the last PLOT_WINDOW_S seconds. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Fleet-wide, the last minute. */
  lastMinute: Propagation;
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
        const [recent, minute] = (
          await Promise.all(
            [PLOT_WINDOW_S, 60].map((windowSeconds) =>
              call('describeAlterationPropagation', { windowSeconds }),
            ),
          )
        ).map((r) => r.data as unknown as Propagation);
        const sample: Sample = {
          t: Date.now() / 1000,
          connections: gw.reduce((n, g) => n + Number(g.connections), 0),
          gateways: gw.length,
          inPerSec: inPerMin / 60,
          outPerSec: outPerMin / 60,
          alterations: altered.current,
          p50Ms: recent!.p50Ms,
          p99Ms: recent!.p99Ms,
          lastMinute: minute!,
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
      <div
        class="card"
        title="From an alteration written to its version in force on the live connection, fleet-wide"
      >
        <span>Alteration propagation p50 / p99 (last minute)</span
        ><strong data-testid="card-propagation" data-count=${last?.lastMinute.count ?? 0}
          >${
            !last
              ? '…'
              : last.lastMinute.count === 0
                ? 'none'
                : `${last.lastMinute.p50Ms} / ${last.lastMinute.p99Ms} ms (${last.lastMinute.count})`
          }</strong
        >
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
        title=${`Alterations per 2 s, and their propagation (ms, p50 / p99 of the last ${PLOT_WINDOW_S} s)`}
        testid="chart-alterations"
        series=${[
          { label: 'alterations', stroke: '#9333ea' },
          { label: 'propagation p50 ms', stroke: '#ea580c' },
          { label: 'propagation p99 ms', stroke: '#b91c1c' },
        ]}
        data=${[t, samples.map((s) => s.alterations), samples.map((s) => s.p50Ms), samples.map((s) => s.p99Ms)]}
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
      live session events; their propagation, from the alteration written to its version in force on the live
      connection, is measured by the gateways for every alteration, whoever made it.
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
