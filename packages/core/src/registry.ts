/**
 * A named set of interchangeable pieces (towers, heads, losses, pairings, optimizers), in the manner of
 * pytorch-metric-learning: each piece is one file, registered by one line in its folder's index. Schemas, CLI
 * choices and help text read `names()` and `describe()`, so a new piece needs no edit anywhere else.
 */
export class Registry<T extends { readonly summary: string }> {
  private readonly entries = new Map<string, T>();

  constructor(readonly what: string) {}

  register(name: string, entry: T): this {
    if (this.entries.has(name)) throw new Error(`${this.what} '${name}' is registered twice`);
    this.entries.set(name, entry);
    return this;
  }

  get(name: string): T {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`unknown ${this.what} '${name}'; expected one of ${this.names().join(', ')}`);
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The registered names, in registration order: a non-empty tuple, as z.enum needs. */
  names(): [string, ...string[]] {
    const names = [...this.entries.keys()];
    if (names.length === 0) throw new Error(`no ${this.what} is registered`);
    return names as [string, ...string[]];
  }

  /** One line per entry, for --help. */
  describe(): string[] {
    return [...this.entries].map(([name, entry]) => `${name}: ${entry.summary}`);
  }
}
