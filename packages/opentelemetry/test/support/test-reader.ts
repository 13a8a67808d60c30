import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';

/** A reader collected by hand: every `collect()` is one scrape. */
export class TestReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A real SDK `MeterProvider` read by a `TestReader`. */
export function createProvider(): { provider: MeterProvider; reader: TestReader } {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { provider, reader };
}

/** One data point: its attributes and its value (a number, or a histogram's count/sum/buckets). */
export interface Point {
  readonly attributes: Attributes;
  readonly value: number;
}

/** The metrics of one collection by name, failing on any collection error. */
export async function scrape(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`collection errors: ${errors.map(String).join('; ')}`);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return byName;
}

/** The number points of a sum or gauge, sorted by their attributes for stable comparison. */
export function points(metric: MetricData | undefined): Point[] {
  if (!metric) return [];
  if (metric.dataPointType === DataPointType.HISTOGRAM) throw new Error('use histogramPoints()');
  return sortPoints(
    (metric.dataPoints as { attributes: Attributes; value: number }[]).map((p) => ({
      attributes: p.attributes,
      value: p.value,
    })),
  );
}

/** A histogram's points: attributes, count and sum (seconds). */
export function histogramPoints(
  metric: MetricData | undefined,
): { attributes: Attributes; count: number; sum: number }[] {
  if (!metric) return [];
  if (metric.dataPointType !== DataPointType.HISTOGRAM) throw new Error('not a histogram');
  return sortPoints(
    metric.dataPoints.map((p) => ({ attributes: p.attributes, count: p.value.count, sum: p.value.sum ?? 0 })),
  );
}

export function sortPoints<T extends { attributes: Attributes }>(list: T[]): T[] {
  const key = (p: T): string => JSON.stringify(Object.entries(p.attributes).sort());
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
