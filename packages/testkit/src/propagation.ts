// describeAlterationPropagation's answer (docs/json-api.md, "describeAlterationPropagation (our
// extension)"), for the tests that ask for it through the JSON API.

/** `result.data` of describeAlterationPropagation. */
export interface AlterationPropagation {
  windowSeconds: number;
  count: number;
  gateways: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
}

/** The answer over `windowSeconds` in which no gateway reported a measured alteration. */
export function nothingPropagated(windowSeconds: number): AlterationPropagation {
  return {
    windowSeconds,
    count: 0,
    gateways: 0,
    p50Ms: null,
    p90Ms: null,
    p99Ms: null,
    maxMs: null,
    meanMs: null,
  };
}
