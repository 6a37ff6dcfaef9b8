// Which local subscribers a topic reaches, without asking every connection: a tree of topic
// filters by level, '+' and '#' as ordinary children. Matching walks one path per wildcard branch,
// so its cost follows the depth of the topic and the wildcards in use, not the number of
// connections (offering every message to every connection cost a gateway with 10,000 devices
// most of its CPU). The rules are those of topicMatches in @mqfleet/core: '#' also matches its
// parent level [MQTT-4.7.1-2], and a topic starting with '$' is not matched by a filter starting
// with a wildcard [MQTT-4.7.2-1].

interface Node<T> {
  children: Map<string, Node<T>>;
  /** Holders of a filter that ends at this node. */
  holders: Set<T>;
}

const node = <T>(): Node<T> => ({ children: new Map(), holders: new Set() });

export class FilterIndex<T> {
  private readonly root: Node<T> = node();
  private pairs = 0;

  /** Number of (filter, holder) pairs in the index. */
  get size(): number {
    return this.pairs;
  }

  add(filter: string, holder: T): void {
    let at = this.root;
    for (const level of filter.split('/')) {
      let next = at.children.get(level);
      if (!next) at.children.set(level, (next = node()));
      at = next;
    }
    if (!at.holders.has(holder)) {
      at.holders.add(holder);
      this.pairs++;
    }
  }

  remove(filter: string, holder: T): void {
    const levels = filter.split('/');
    const path: Node<T>[] = [this.root];
    for (const level of levels) {
      const next = path[path.length - 1]!.children.get(level);
      if (!next) return;
      path.push(next);
    }
    const end = path[path.length - 1]!;
    if (!end.holders.delete(holder)) return;
    this.pairs--;
    // Prune the branch back to the first node still in use.
    for (let i = levels.length; i > 0; i--) {
      const n = path[i]!;
      if (n.holders.size > 0 || n.children.size > 0) break;
      path[i - 1]!.children.delete(levels[i - 1]!);
    }
  }

  /**
   * Adds to `out` every holder of a filter that matches the topic. Iterative, not recursive: a
   * topic can have tens of thousands of levels (65,535 bytes of "/"), and the fuzzer found that a
   * recursive walk overflows the stack. Each node of the tree is visited at most once (its path
   * from the root is unique), so the cost is bounded by the tree's size as well as by the topic.
   */
  match(topic: string, out: Set<T>): Set<T> {
    const levels = topic.split('/');
    const dollar = topic.startsWith('$');
    const pending: [Node<T>, number][] = [[this.root, 0]];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const [at, i] = next;
      const wildcardsAllowed = !(dollar && i === 0);
      if (wildcardsAllowed) {
        const hash = at.children.get('#');
        if (hash) for (const h of hash.holders) out.add(h);
      }
      if (i === levels.length) {
        for (const h of at.holders) out.add(h);
        continue;
      }
      const exact = at.children.get(levels[i]!);
      if (exact) pending.push([exact, i + 1]);
      if (wildcardsAllowed) {
        const plus = at.children.get('+');
        if (plus) pending.push([plus, i + 1]);
      }
    }
    return out;
  }
}
