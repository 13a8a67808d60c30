/** Slots per endpoint: one per kernel state number 0–11. */
export const SLOTS = 12;

/**
 * Counts per endpoint, flat in a typed array (`SLOTS` per endpoint), with a cache from the raw table form of
 * an address to its slot, so that each distinct address is keyed only once. IPv4 (and v4-mapped) addresses are
 * cached by port, then by their 32-bit word (small integers: fast map keys); other IPv6 by their hex text.
 */
export class EndpointCounts {
  readonly keys: string[] = [];
  counts = new Uint32Array(64 * SLOTS);
  twMin = new Float64Array(64);
  twMax = new Float64Array(64);
  private readonly v4Slots: (Map<number, number> | undefined)[] = new Array<Map<number, number> | undefined>(
    65536,
  );
  private readonly v6Slots = new Map<string, number>();
  /** Ports of the wanted endpoints: most lines are turned away by one array read. */
  private readonly ports: Uint8Array | null;

  /** `wanted`: endpoint keys to count; `null` counts every endpoint. */
  constructor(private readonly wanted: ReadonlySet<string> | null) {
    if (wanted === null) {
      this.ports = null;
      return;
    }
    this.ports = new Uint8Array(65536);
    for (const key of wanted) this.ports[Number(key.slice(key.lastIndexOf(':') + 1))] = 1;
  }

  /** False when no wanted endpoint has this port. */
  mayWant(port: number): boolean {
    return this.ports === null || this.ports[port] === 1;
  }

  /** The slot of an IPv4 word and port seen before (-1 = not wanted), or undefined. */
  lookupV4(word: number, port: number): number | undefined {
    return this.v4Slots[port]?.get(word | 0);
  }

  /** The slot of an IPv6 address text (with its port) seen before, or undefined. */
  lookupV6(raw: string): number | undefined {
    return this.v6Slots.get(raw);
  }

  /** Records an IPv4 word and port seen for the first time, with its endpoint key; returns its slot or -1. */
  addV4(word: number, port: number, key: string): number {
    const slot = this.newSlot(key);
    let byWord = this.v4Slots[port];
    if (byWord === undefined) {
      byWord = new Map();
      this.v4Slots[port] = byWord;
    }
    byWord.set(word | 0, slot);
    return slot;
  }

  addV6(raw: string, key: string): number {
    const slot = this.newSlot(key);
    this.v6Slots.set(raw, slot);
    return slot;
  }

  count(slot: number, state: number, timeWaitLeft: number): void {
    const i = slot * SLOTS + state;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    if (timeWaitLeft < 0) return;
    if (timeWaitLeft < (this.twMin[slot] ?? Infinity)) this.twMin[slot] = timeWaitLeft;
    if (timeWaitLeft > (this.twMax[slot] ?? -Infinity)) this.twMax[slot] = timeWaitLeft;
  }

  /** The counts trimmed to the endpoints seen. */
  result(): { keys: string[]; counts: Uint32Array; twMin: Float64Array; twMax: Float64Array } {
    const n = this.keys.length;
    return {
      keys: this.keys,
      counts: this.counts.slice(0, n * SLOTS),
      twMin: this.twMin.slice(0, n),
      twMax: this.twMax.slice(0, n),
    };
  }

  private newSlot(key: string): number {
    if (this.wanted !== null && !this.wanted.has(key)) return -1;
    const slot = this.keys.length;
    this.keys.push(key);
    if (slot >= this.twMin.length) {
      const counts = new Uint32Array(this.counts.length * 2);
      counts.set(this.counts);
      this.counts = counts;
      const twMin = new Float64Array(this.twMin.length * 2);
      twMin.set(this.twMin);
      this.twMin = twMin;
      const twMax = new Float64Array(this.twMax.length * 2);
      twMax.set(this.twMax);
      this.twMax = twMax;
    }
    this.twMin[slot] = Infinity;
    this.twMax[slot] = -Infinity;
    return slot;
  }
}
