// vitest 5 prints failures with Map.groupBy, which Node 20 lacks: without this
// a failing test shows only "×" and no message. Loaded with `node --import`.
if (typeof Map.groupBy !== "function") {
  Map.groupBy = function groupBy(items, key) {
    const m = new Map();
    let i = 0;
    for (const item of items) {
      const k = key(item, i++);
      const list = m.get(k);
      if (list) list.push(item);
      else m.set(k, [item]);
    }
    return m;
  };
}
if (typeof Object.groupBy !== "function") {
  Object.groupBy = function groupBy(items, key) {
    const o = Object.create(null);
    let i = 0;
    for (const item of items) (o[key(item, i++)] ??= []).push(item);
    return o;
  };
}
