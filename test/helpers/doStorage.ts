// Durable Object storage in memory, as examples/worker sees it: values are structured
// clones, a put of several entries is atomic, and a storage that "dies" after k
// operations models an object killed between any two of its storage operations.

/** Durable Object storage as the Worker sees it: values are structured clones. */
export class MemoryStorage {
  readonly map = new Map<string, unknown>();
  /** Bytes of values written by put (typed arrays: their bytes; other values: their JSON length). */
  written = 0;
  puts = 0;
  alarm: number | null = null;
  async get(key: string | string[]): Promise<unknown> {
    if (Array.isArray(key))
      return new Map(key.filter((k) => this.map.has(k)).map((k) => [k, structuredClone(this.map.get(k))]));
    return structuredClone(this.map.get(key));
  }
  async put(entries: Record<string, unknown>): Promise<void> {
    this.puts++;
    for (const [k, v] of Object.entries(entries)) {
      this.written += k.length + valueBytes(v);
      this.map.set(k, structuredClone(v));
    }
  }
  async delete(keys: string[]): Promise<number> {
    return keys.filter((k) => this.map.delete(k)).length;
  }
  async deleteAll(): Promise<void> {
    this.map.clear();
  }
  async setAlarm(at: number): Promise<void> {
    this.alarm = at;
  }
}

/** Approximate stored size of a value: bytes of typed arrays, JSON length of the rest. */
function valueBytes(v: unknown): number {
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (typeof v === "object" && v !== null) return Object.values(v).reduce<number>((n, x) => n + valueBytes(x) + 8, 0);
  return JSON.stringify(v ?? null).length;
}

/** A storage whose operation number `limit` (0-based) and every later one throw without effect: the object died there. */
export class DyingStorage extends MemoryStorage {
  ops = 0;
  constructor(public limit = Infinity) {
    super();
  }
  private step(): void {
    if (this.ops++ >= this.limit) throw new Error("storage: the object was killed");
  }
  override async get(key: string | string[]): Promise<unknown> {
    this.step();
    return super.get(key);
  }
  override async put(entries: Record<string, unknown>): Promise<void> {
    this.step();
    return super.put(entries);
  }
  override async delete(keys: string[]): Promise<number> {
    this.step();
    return super.delete(keys);
  }
  override async deleteAll(): Promise<void> {
    this.step();
    return super.deleteAll();
  }
  override async setAlarm(at: number): Promise<void> {
    this.step();
    return super.setAlarm(at);
  }
}
