/**
 * A Map bounded to `max` entries that forgets the least recently used one first: get() of a
 * present key and set() mark it most recently used. The engine's memos (filters, cost models,
 * compiled programs) and the server's parse cache share it.
 */
export class LruCache<K, V> {
  // Map iteration is insertion order: re-inserting a key makes it the newest.
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const v = this.map.get(key)!;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
